"""The life-skills curriculum: topics, their texts per language, and which volunteers are trained on which."""

from flask import Blueprint

bp = Blueprint("curriculum", __name__)

from hub.curriculum import views  # noqa: E402,F401  (registers the routes on bp)
