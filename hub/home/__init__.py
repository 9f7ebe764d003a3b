"""The home page, the language picker and the health check."""

from flask import Blueprint

bp = Blueprint("home", __name__)
