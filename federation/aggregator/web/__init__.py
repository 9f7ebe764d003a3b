"""The district's pages: overview, indicators, one hub's trends, enrolment codes (blueprint "pages").

Server-rendered, no JavaScript; every page needs a signed-in admin (federation.aggregator.auth).
"""

from flask import Blueprint

bp = Blueprint("pages", __name__)

from federation.aggregator.web import dashboard_views, views  # noqa: E402,F401  (registers the routes on bp)
