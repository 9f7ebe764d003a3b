"""Notices and urgent alerts: announcements to one group or the whole hub; an urgent alert stays at the top
of every signed-in home page until the account acknowledges it."""

from flask import Blueprint

bp = Blueprint("notices", __name__, url_prefix="/notices")

from hub.notices import views  # noqa: E402,F401  (registers the routes on bp)
from hub.notices.service import notice_body  # noqa: E402

bp.add_app_template_global(notice_body)
