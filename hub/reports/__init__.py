"""What people want to see: attendance over time, catch-up lists, a facilitator's own record."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from hub.reports import views  # noqa: E402,F401  (registers the routes on bp)
from hub.reports.service import person_history  # noqa: E402

bp.add_app_template_global(person_history)
