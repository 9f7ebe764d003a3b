"""The life-skills curriculum: topics, their texts per language, and which volunteers are trained on which."""

from flask import Blueprint

bp = Blueprint("curriculum", __name__)

from hub.curriculum import views  # noqa: E402,F401  (registers the routes on bp)
from hub.curriculum.service import topic_description, topic_name  # noqa: E402

# Sessions, reports and the curriculum's own pages show topics in the reader's language.
bp.add_app_template_global(topic_name)
bp.add_app_template_global(topic_description)
