"""Action plans: goals the community chose, the criteria it set, the actions with their owners and due
dates, the formal actors involved, and the progress of each plan."""

from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")

from hub.plans import views  # noqa: E402,F401  (registers the routes on bp)
from hub.plans.service import status_label  # noqa: E402

bp.add_app_template_global(status_label)
