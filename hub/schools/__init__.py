"""School status: children out of school with the reason, outreach visits, re-enrolment; the school protection
committee's view of its pupils; the counts the monthly summary reads; the village's vulnerability map."""

from flask import Blueprint, g

bp = Blueprint("schools", __name__, url_prefix="/school")

from hub.memo import for_account  # noqa: E402
from hub.schools import views  # noqa: E402,F401  (registers the routes on bp)
from hub.schools.service import committees_of, reason_label  # noqa: E402

bp.add_app_template_global(reason_label)


@bp.app_template_global()
def in_school_committee():
    """True when the signed-in account belongs to a school protection committee (for the menu)."""
    return for_account("in_school_committee", g.get("user"), lambda user: bool(committees_of(user)))
