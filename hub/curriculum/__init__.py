"""The life-skills curriculum: topics, their texts per language, and which volunteers are trained on which."""

from flask import Blueprint

bp = Blueprint("curriculum", __name__)
