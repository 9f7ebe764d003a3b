"""The village blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.village never loads its views)."""

from hub.village import (
    bp,
    views,  # noqa: F401  (registers the routes on bp)
)


@bp.app_template_global()
def village_name():
    """The village's name, for every page's header ('' before set-up)."""
    from hub.village.service import village_name as name

    return name()

__all__ = ["bp"]
