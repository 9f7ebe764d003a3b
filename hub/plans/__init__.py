"""Action plans: goals the community chose, the criteria it set, the actions with their owners and due
dates, the formal actors involved, and the progress of each plan."""

from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")
