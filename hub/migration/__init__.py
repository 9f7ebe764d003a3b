"""The migration register: the vigilance committee's record of who left the village, the follow-up calls and
the returns; a minor's departure is flagged and offers "report a concern"."""

from flask import Blueprint

bp = Blueprint("migration", __name__, url_prefix="/migration")
