"""The home page, the language picker and the health check."""

from flask import Blueprint

bp = Blueprint("home", __name__)

from hub.home import views  # noqa: E402,F401  (registers the routes on bp)
