"""Notices and urgent alerts: announcements to one group or the whole hub; an urgent alert stays at the top
of every signed-in home page until the account acknowledges it."""

from flask import Blueprint

bp = Blueprint("notices", __name__, url_prefix="/notices")
