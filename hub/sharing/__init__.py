"""Sharing with the district, for the coordinator: enrolment with the district aggregator, the months
released and their delivery, the village's own monthly report, and offline transfer (USB, discovery).

Only protected, anonymised counts appear here or leave the hub (federation.publish, hub.sharing.describe).
"""

from flask import Blueprint

bp = Blueprint("sharing", __name__)
