"""Offline transfer on the hub: summaries to a USB stick and acknowledgements back, and discovery on the LAN.

Data flow: outbox (own and relayed bundles) -> `export_to()` -> stick -> the district's `aggregator import`
... `aggregator export-acks` -> stick -> `import_from()`: receipts -> `outbox.apply_receipt` (verified with
the pinned key; only then is anything marked delivered), the enrolment reply -> `outbox.pin_aggregator`
(only after `enroll --to`), other hubs' bundles -> `outbox.store_foreign` (carried untouched, relay).

The same functions serve the CLI (`communityhub export --to`, `import --from`, `enroll --to`) and the
coordinator's page `/sharing/transfer`. `start_discovery()` is called by `communityhub run`: when the
aggregator this hub pinned appears on the network, its pending bundles go at once.
"""

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField

from federation import bundle, signing, usb
from federation.errors import Refused
from hub import clock, db
from hub.sharing import bp

PENDING_FILE = "federation-enrolment-pending.json"   # in the data folder, while an enrolment by file waits

STORED, DUPLICATE, MARKED, PINNED, IGNORED, REFUSED, WRITTEN = (
    "stored", "duplicate", "marked", "pinned", "ignored", "refused", "written")


VERDICT_LABELS = {STORED: _l("Kept to pass on"), DUPLICATE: _l("Already here"), MARKED: _l("Confirmed"),
                  PINNED: _l("Enrolled"), IGNORED: _l("Left alone"), REFUSED: _l("Refused"),
                  WRITTEN: _l("Written")}
ROLE_LABELS = {"hub": _l("Village hub"), "aggregator": _l("District aggregator"), "relay": _l("Relay")}


@dataclass(frozen=True)
class FileResult:
    """One file of an export or import: its name, what it is, what was done, and why (translated)."""

    name: str
    kind: str
    verdict: str
    detail: str = ""

    @property
    def refused(self):
        return self.verdict == REFUSED


def _identity():
    from hub.sharing.service import identity

    return identity()


def _enrolled_key():
    """(aggregator id, pinned key) or None while the hub is not enrolled."""
    from federation import outbox

    state = outbox.state()
    return (state.aggregator_id, state.aggregator_key) if state.enrolled else None


# -- enrolment by file

def _pending_path():
    return Path(current_app.config["DATA_DIR"]) / PENDING_FILE


def pending_enrolment():
    """The enrolment request waiting for its reply ({"request": text, "key_id": fingerprint}) or None."""
    try:
        return json.loads(_pending_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_enrolment(folder, code, key_id=""):
    """Write this hub's signed enrolment request to folder and remember that a reply is awaited; -> Path."""
    from hub.village.service import get_village

    village = get_village()
    if village is None:
        raise usb.UsbError(_("Set up the village first: the district enrols a hub by its village's name."))
    request_bytes = bundle.seal_enrolment(_identity(), code.strip(), village.name)
    path = usb.write_document(usb.writable_folder(folder), usb.enrolment_file_name(_identity().id), request_bytes)
    pending = {"request": request_bytes.decode("utf-8"), "key_id": key_id.strip().lower()}
    usb.write_document(_pending_path().parent, PENDING_FILE, json.dumps(pending).encode("utf-8"))
    return path


# -- export

def export_to(folder):
    """Write every undelivered bundle (own and relayed) and any awaited enrolment request to folder."""
    from federation import outbox

    rows = list(outbox.undelivered())
    paths = usb.export_bundles(folder, rows, readme=usb.README_TEXT)
    results = [FileResult(path.name, usb.BUNDLE, WRITTEN,
                          _("%(period)s revision %(revision)d", period=row.period, revision=row.revision))
               for row, path in zip(rows, paths, strict=True)]
    pending = pending_enrolment()
    if pending:
        path = usb.write_document(folder, usb.enrolment_file_name(_identity().id),
                                  pending["request"].encode("utf-8"))
        results.append(FileResult(path.name, usb.ENROLMENT, WRITTEN, _("this hub's enrolment request")))
    return results


# -- import

def import_from(folder):
    """Read every file in folder and act on those meant for this hub; -> [FileResult], one per file."""
    return [_import_item(item) for item in usb.read_folder(folder)]


def _import_item(item):
    try:
        act = _ACTIONS.get(item.kind)
        if act is not None:
            return act(item)
    except Refused as exc:
        return FileResult(item.name, item.kind, REFUSED, exc.message)
    if item.damaged:
        return FileResult(item.name, item.kind, REFUSED, item.reason)
    return FileResult(item.name, item.kind, IGNORED, _IGNORED_BECAUSE.get(item.kind, lambda: "")())


def _import_receipt(item):
    from federation import outbox

    own = item.document["hub_id"] == _identity().id
    if _enrolled_key() is None:
        return FileResult(item.name, item.kind, REFUSED if own else IGNORED,
                          _("this hub is not enrolled yet, so it cannot check an acknowledgement"))
    marked = outbox.apply_receipt(item.data, route="usb")
    if not marked and not own:
        return FileResult(item.name, item.kind, IGNORED,
                          _("for another hub, whose summaries this hub does not carry"))
    return FileResult(item.name, item.kind, MARKED,
                      ngettext("%(num)d summary confirmed by the district",
                               "%(num)d summaries confirmed by the district", len(marked)))


def _import_reply(item):
    from federation import outbox

    document = item.document
    if document["hub_id"] != _identity().id:
        return FileResult(item.name, item.kind, IGNORED, _("an enrolment reply for another hub"))
    enrolled = _enrolled_key()
    if enrolled is not None:
        if enrolled[1] == document["public_key"]:
            return FileResult(item.name, item.kind, DUPLICATE, _("this hub is enrolled with it already"))
        return FileResult(item.name, item.kind, REFUSED,
                          _("this hub is enrolled with another district aggregator"))
    pending = pending_enrolment()
    if pending is None:
        return FileResult(item.name, item.kind, REFUSED,
                          _("this hub asked for no enrolment by file (run “enroll --to” first)"))
    outbox.pin_aggregator(item.data, document.get("url", ""), hub_id=_identity().id,
                          expected_key_id=pending.get("key_id") or None)
    _pending_path().unlink(missing_ok=True)
    return FileResult(item.name, item.kind, PINNED,
                      _("enrolled: the district's key %(key_id)s is now trusted",
                        key_id=signing.key_id(document["public_key"])))


def _import_bundle(item):
    from federation import outbox

    if item.document["hub_id"] == _identity().id:
        return FileResult(item.name, item.kind, IGNORED, _("this hub's own summary: it has it already"))
    _row, created = outbox.store_foreign(item.data)
    if created:
        return FileResult(item.name, item.kind, STORED,
                          _("another hub's summary, kept to pass on to the district"))
    return FileResult(item.name, item.kind, DUPLICATE, _("another hub's summary, already kept to pass on"))


_ACTIONS = {usb.RECEIPT: _import_receipt, usb.ENROLMENT_REPLY: _import_reply, usb.BUNDLE: _import_bundle}
_IGNORED_BECAUSE = {
    usb.ENROLMENT: lambda: _("an enrolment request for the district: take the stick there"),
    usb.README: lambda: _("the note for whoever finds the stick"),
    usb.FOREIGN: lambda: _("not a Community Hub file: left alone"),
    usb.UNFINISHED: lambda: _("an unfinished copy (the stick was pulled out while writing): ignored"),
}


def stick_problem(exc):
    """A usb.UsbError said for the coordinator, in their language."""
    messages = {
        usb.FULL: _("The stick is full: delete old files from it or use another stick. Nothing was marked "
                    "as sent."),
        usb.READ_ONLY: _("The stick is read-only: check its lock switch, or use another stick. Nothing was "
                         "marked as sent."),
        usb.GONE: _("The stick cannot be read: it may have been pulled out. Put it back and try again."),
    }
    return messages.get(exc.reason, str(exc))


# -- sticks

def media_dirs():
    """The folders where USB sticks get mounted (setting MEDIA_DIRS)."""
    return [Path(part) for part in current_app.config["MEDIA_DIRS"].split(os.pathsep) if part.strip()]


def mounted_sticks():
    """Folders that look like mounted sticks: each folder under a media folder, or its sub-folders that are
    mount points (/media/<user>/<label>)."""
    found = []
    for base in media_dirs():
        try:
            children = sorted(path for path in base.iterdir() if path.is_dir() and not path.name.startswith("."))
        except OSError:
            continue
        for child in children:
            inner = [path for path in _subfolders(child) if os.path.ismount(path)]
            found.extend(inner if inner and not os.path.ismount(child) else [child])
    return found


def _subfolders(folder):
    try:
        return sorted(path for path in folder.iterdir() if path.is_dir())
    except OSError:
        return []


# -- discovery

def start_discovery(app, port):
    """Advertise the hub on its LAN address and deliver to the pinned aggregator when it appears; -> the
    Discovery (its status is shown on /sharing/transfer), or None when the setting DISCOVERY is off."""
    from federation import discovery

    if not app.config["DISCOVERY"]:
        return None
    with app.app_context():
        identity = signing.load_or_create(app.config["DATA_DIR"], signing.HUB)

    def trust(peer):
        with app.app_context(), db.database.connection_context():
            enrolled = _enrolled_key()
        return (peer.role == discovery.AGGREGATOR and enrolled is not None and peer.id == enrolled[0]
                and peer.key_id == signing.key_id(enrolled[1]))

    def deliver(peer):
        with app.app_context(), db.database.connection_context():
            return deliver_to(peer.url)

    try:
        found = discovery.Discovery(discovery.HUB, identity.id, identity.key_id, app.config["HUB_ADDRESS"],
                                    port, hostname=app.config["HOSTNAME"], trust=trust, on_trusted=deliver)
    except discovery.DiscoveryError as exc:
        click.echo(f"Discovery is off: {exc}", err=True)
        return None
    app.extensions["hub_discovery"] = found.start()
    return found


def deliver_to(url, now=None):
    """Send the pending bundles to the aggregator found at url, once it has signed a fresh challenge with the
    key this hub pinned (anyone can copy an advertisement); -> a note for the coordinator's page."""
    from federation import outbox, proof, transport
    from federation.errors import Unreachable

    state = outbox.state()
    challenge = proof.new_challenge()
    try:
        status, body = transport.post(url, proof.PROOF_PATH, proof.challenge_body(challenge))
        if status != 200:
            raise Refused(f"HTTP {status}")
        proof.open_proof(body, state.aggregator_key, state.aggregator_id, challenge)
    except Unreachable as exc:
        return _("could not be reached: %(error)s", error=str(exc))
    except Refused:
        return _("it did not prove that it holds the district's key: nothing was sent")
    report = transport.deliver_due(now or clock.now(), url=url)
    return _("%(delivered)d delivered, %(pending)d waiting", delivered=report.delivered,
             pending=report.pending) + (f" ({report.error})" if report.error else "")


# -- the command line (registered in hub/cli.py)

def _app_for_cli():
    from hub.cli import _app

    return _app()


def _echo_results(results):
    for result in results:
        click.echo(f"{result.name}: {result.verdict}" + (f" ({result.detail})" if result.detail else ""))


@click.command("export")
@click.option("--to", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write to (a USB stick); created if missing.")
def export_command(folder):
    """Write every summary not yet confirmed by the district (this hub's and those it carries for other
    hubs) to a folder, for the district to import. Nothing is marked sent until the district's
    acknowledgement is imported."""
    app = _app_for_cli()
    with app.app_context(), db.database.connection_context():
        try:
            results = export_to(folder)
        except usb.UsbError as exc:
            raise click.ClickException(stick_problem(exc)) from None
    _echo_results(results)
    click.echo(f"Wrote {len(results)} files to {folder}.")


@click.command("import")
@click.option("--from", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to read (a USB stick back from the district).")
def import_command(folder):
    """Read the district's acknowledgements (and its enrolment reply) from a folder, and keep other hubs'
    summaries found there to pass on. Exit status 1 if any file was refused."""
    app = _app_for_cli()
    with app.app_context(), db.database.connection_context():
        try:
            results = import_from(folder)
        except usb.UsbError as exc:
            raise click.ClickException(stick_problem(exc)) from None
    _echo_results(results)
    refused = sum(result.refused for result in results)
    click.echo(f"Read {len(results)} files: {refused} refused." if refused
               else f"Read {len(results)} files: every one used or left alone.")
    if refused:
        sys.exit(1)


def enroll_to(folder, code, key_id=""):
    """For the `enroll --to DIR` option: write the enrolment request to folder (called by hub/sharing/cli.py)."""
    app = _app_for_cli()
    with app.app_context(), db.database.connection_context():
        try:
            path = write_enrolment(folder, code, key_id)
        except usb.UsbError as exc:
            raise click.ClickException(stick_problem(exc)) from None
    click.echo(f"Wrote the enrolment request to {path}. Take it to the district; bring back the stick with "
               "its reply and run `communityhub import --from` it.")


# -- the coordinator's page

class StickForm(FlaskForm):
    stick = RadioField(_l("USB stick"), validate_choice=True)


class AddressForm(FlaskForm):
    """The district laptop's address typed by hand, when discovery finds nothing (multicast blocked)."""

    url = StringField(_l("The district laptop's address"),
                      render_kw={"autocomplete": "off", "inputmode": "url",
                                 "placeholder": "http://10.42.0.20:8090"})


def _form():
    form = StickForm()
    form.stick.choices = [(str(path), str(path)) for path in mounted_sticks()]
    if form.stick.choices and not form.stick.data:
        form.stick.data = form.stick.choices[0][0]
    return form


def _page(form, results=None, done=None, status=200, address_form=None):
    found = current_app.extensions.get("hub_discovery")
    return render_template("hub/sharing/transfer.html", form=form, results=results, done=done,
                           address_form=address_form or AddressForm(),
                           discovery=found.status() if found else None,
                           media_dirs=media_dirs(), enrolled=_enrolled_key() is not None,
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


def send_to_typed_address():
    """`sharing.send` with an address typed on the transfer page: deliver there, with the same checks as for
    a discovered aggregator (it must prove it holds the pinned key before anything is sent)."""
    from urllib.parse import urlsplit

    address_form = AddressForm()
    if not address_form.validate_on_submit():
        flash(_("The form expired: please try again."), "error")
        return redirect(url_for("sharing.transfer"))
    url = (address_form.url.data or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname or len(url) > 200:
        address_form.url.errors = [_("Type the address as the district gave it, starting with http:// "
                                     "(for example http://10.42.0.20:8090).")]
        return _page(_form(), status=400, address_form=address_form)
    if _enrolled_key() is None:
        flash(_("This hub is not enrolled with a district aggregator yet: enrol it first on the sharing "
                "page."), "error")
        return redirect(url_for("sharing.transfer"))
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
