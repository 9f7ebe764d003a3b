"""The coordinator's transfer page, /sharing/transfer: summaries to a USB stick and acknowledgements back
(hub/sharing/transfer.py), what discovery saw on the network, and an address typed by hand when it saw
nothing (hub/sharing/nearby.py). Each form posts to its own endpoint."""

from pathlib import Path

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from federation import usb
from hub.sharing import bp
from hub.sharing.forms import AddressForm, StickForm
from hub.sharing.transfer import (
    ROLE_LABELS,
    VERDICT_LABELS,
    enrolled_key,
    export_to,
    import_from,
    media_dirs,
    mounted_sticks,
    stick_problem,
)


def _form():
    form = StickForm()
    form.stick.choices = [(str(path), str(path)) for path in mounted_sticks()]
    if form.stick.choices and not form.stick.data:
        form.stick.data = form.stick.choices[0][0]
    return form


def _page(form, results=None, done=None, status=200, address_form=None):
    found = current_app.extensions.get("hub_discovery")
    return render_template("hub/sharing/transfer.html", form=form, results=results, done=done,
                           address_form=address_form or AddressForm(formdata=None),
                           discovery=found.status() if found else None,
                           media_dirs=media_dirs(), enrolled=enrolled_key() is not None,
                           verdict_label=lambda verdict: VERDICT_LABELS.get(verdict, verdict),
                           role_name=lambda role: ROLE_LABELS.get(role, role)), status


@bp.route("/sharing/transfer")
def transfer():
    return _page(_form())


@bp.route("/sharing/transfer/export", methods=["POST"])
def transfer_export():
    return _on_stick(export_to, _("Written to the stick"))


@bp.route("/sharing/transfer/import", methods=["POST"])
def transfer_import():
    return _on_stick(import_from, _("Read from the stick"))


@bp.post("/sharing/transfer/send", endpoint="transfer_send")
def transfer_send():
    """An address typed on the transfer page: deliver there, with the same checks as for a discovered
    aggregator (it must prove it holds the pinned key before anything is sent)."""
    from hub.sharing.nearby import deliver_to

    address_form = AddressForm()
    if not address_form.validate_on_submit():
        return _page(_form(), status=400, address_form=address_form)
    if enrolled_key() is None:
        flash(_("This hub is not enrolled with a district aggregator yet: enrol it first on the sharing "
                "page."), "error")
        return redirect(url_for("sharing.transfer"))
    url = address_form.url.data
    flash(_("Tried %(url)s: %(note)s", url=url, note=deliver_to(url)), "info")
    return redirect(url_for("sharing.transfer"))


def _on_stick(action, done):
    form = _form()
    if not form.validate_on_submit():
        flash(_("Choose a USB stick first (plug it in and reload the page)."), "error")
        return redirect(url_for("sharing.transfer"))
    try:
        results = action(Path(form.stick.data))
    except usb.UsbError as exc:
        flash(stick_problem(exc), "error")
        return redirect(url_for("sharing.transfer"))
    return _page(form, results, done)
