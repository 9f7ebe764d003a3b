"""The services directory: duty bearers and providers, their contacts, and the categories they handle."""

from flask import Blueprint

bp = Blueprint("services", __name__, url_prefix="/services")

from hub.services import views  # noqa: E402,F401  (registers the routes on bp)
from hub.services.service import service_kind_label  # noqa: E402

# Protocols, cases and referral slips name kinds of services too.
bp.add_app_template_global(service_kind_label)
