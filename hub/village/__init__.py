"""The village profile: first-run set-up, and its name, country, languages and emergency numbers."""

from flask import Blueprint

bp = Blueprint("village", __name__)

from hub.village import views  # noqa: E402,F401  (registers the routes on bp)


@bp.app_template_global()
def village_name():
    """The village's name, for every page's header ('' before set-up)."""
    from hub.village.service import village_name as name

    return name()
