"""Protocols per category of concern: who to call, what to do first, what not to do, where to refer."""

from flask import Blueprint

bp = Blueprint("protocols", __name__, url_prefix="/protocols")

from hub.protocols import views  # noqa: E402,F401  (registers the routes on bp)
from hub.protocols.service import category_label  # noqa: E402

# Cases, concerns and the services directory name categories of concern too.
bp.add_app_template_global(category_label)
