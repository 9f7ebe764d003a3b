"""The register of children and adults the groups work with, and their group memberships."""

from flask import Blueprint

bp = Blueprint("people", __name__)

from hub.people import views  # noqa: E402,F401  (registers the routes on bp)
