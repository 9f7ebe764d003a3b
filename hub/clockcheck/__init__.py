"""Clock skew: the hub compares its clock with a signed-in phone's, and lets the coordinator set the hub's
clock from the phone (a Pi has no real-time clock: after a power cut it may believe it is another day)."""

from flask import Blueprint

bp = Blueprint("clockcheck", __name__)
