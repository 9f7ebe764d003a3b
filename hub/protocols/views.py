"""Protocol pages: every category's first steps, one category's protocol with the services that handle it,
and the coordinator's wording per language."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from hub.forms import EmptyForm, apply_error, check_too
from hub.i18n import LANGUAGES
from hub.protocols import bp
from hub.protocols.forms import ProtocolForm
from hub.protocols.service import (
    CATEGORY_LABELS,
    PARTS,
    ProtocolError,
    all_protocols,
    check_protocol,
    protocol_for,
    save_protocol,
)


def category_or_404(category):
    """The category named in the address, if it is one."""
    if category not in CATEGORY_LABELS:
        abort(404)
    return category


@bp.get("", endpoint="list")
def list_protocols():
    return render_template("hub/protocols/list.html", protocols=all_protocols())


@bp.get("/<category>")
def view(category):
    # The services directory builds on protocols (its categories), so it is imported here, not above.
    from hub.services.service import categories_of, services_for

    category = category_or_404(category)
    services = services_for(category)
    handling = [service for service in services if category in categories_of(service)]
    return render_template("hub/protocols/view.html", category=category, protocol=protocol_for(category),
                           handling=handling, others=services[len(handling):])


@bp.route("/<category>/edit", methods=["GET", "POST"])
def edit(category):
    category = category_or_404(category)
    language = request.args.get("language")
    language = language if language in LANGUAGES else str(get_locale())
    protocol = protocol_for(category, language)
    form = ProtocolForm(data={part: getattr(protocol, part) for part in PARTS})
    restore_form = EmptyForm()
    saved = None
    if request.form.get("restore") and restore_form.validate_on_submit():
        saved = save_protocol(category, language)
    elif not request.form.get("restore") and form.is_submitted():
        if not form.validate():
            check_too(form, lambda: check_protocol(**form.values()))
        else:
            try:
                saved = save_protocol(category, language, **form.values())
            except ProtocolError as error:
                apply_error(form, error)
    if saved is not None:
        flash(_("The protocol for %(category)s is saved in %(language)s.", category=saved.label,
                language=LANGUAGES[language]), "success")
        return redirect(url_for("protocols.view", category=category))
    return render_template("hub/protocols/edit.html", category=category, protocol=protocol, form=form,
                           restore_form=restore_form, language=language)
