"""The services directory: duty bearers and providers, their contacts, and the categories they handle."""

from flask import Blueprint

bp = Blueprint("services", __name__, url_prefix="/services")
