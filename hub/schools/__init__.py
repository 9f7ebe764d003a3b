"""School status: children out of school with the reason, outreach visits, re-enrolment; the school protection
committee's view of its pupils; the counts the monthly summary reads; the village's vulnerability map."""

from flask import Blueprint

bp = Blueprint("schools", __name__, url_prefix="/school")
