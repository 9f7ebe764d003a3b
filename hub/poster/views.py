"""The poster page (coordinator only: the Wi-Fi password is on it): the sheet in the village's first
language, the page around it in the coordinator's."""

from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from hub.i18n import printed_in, village_languages
from hub.poster import bp, service
from hub.provision import ProvisionError
from hub.village.service import get_village


@bp.get("/poster", endpoint="show")
def show():
    choices = village_languages(get_village())
    language = choices[0] if choices else str(get_locale())
    try:
        poster = service.poster()
    except ProvisionError as error:
        flash(_("The poster cannot be made: %(problem)s", problem=str(error)), "error")
        return redirect(url_for("home.index"))
    return render_template("hub/poster.html", sheet=printed_in(language, "hub/poster_sheet.html", poster=poster))
