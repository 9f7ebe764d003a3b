"""The curriculum blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.curriculum never loads its views)."""

from hub.curriculum import (
    bp,
    views,  # noqa: F401  (registers the routes on bp)
)
from hub.curriculum.service import topic_description, topic_name

# Sessions, reports and the curriculum's own pages show topics in the reader's language.
bp.add_app_template_global(topic_name)
bp.add_app_template_global(topic_description)

__all__ = ["bp"]
