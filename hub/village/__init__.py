"""The village profile: first-run set-up, and its name, country, languages and emergency numbers."""

from flask import Blueprint

bp = Blueprint("village", __name__)
