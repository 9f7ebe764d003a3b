"""The poster page (coordinator only: the Wi-Fi password is on it), in the village's first language."""

from flask import flash, redirect, render_template, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from hub.i18n import LANGUAGES
from hub.poster import bp, service
from hub.provision import ProvisionError
from hub.village.service import get_village


@bp.get("/poster", endpoint="show")
def show():
    village = get_village()
    choices = [code for code in (village.language_codes if village else []) if code in LANGUAGES]
    language = choices[0] if choices else str(get_locale())
    try:
        with force_locale(language):
            return render_template("hub/poster.html", poster=service.poster(), language=language)
    except ProvisionError as error:
        flash(_("The poster cannot be made: %(problem)s", problem=str(error)), "error")
        return redirect(url_for("home.index"))
