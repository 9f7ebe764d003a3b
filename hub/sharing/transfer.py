"""Offline transfer on the hub: summaries to a USB stick and acknowledgements back, and discovery on the LAN.

Data flow: outbox (own and relayed bundles) -> `export_to()` -> stick -> the district's `aggregator import`
... `aggregator export-acks` -> stick -> `import_from()`: receipts -> `outbox.apply_receipt` (verified with
the pinned key; only then is anything marked delivered), the enrolment reply -> `outbox.pin_aggregator`
(only after `enroll --to`), other hubs' bundles -> `outbox.store_foreign` (carried untouched, relay).

The same functions serve the commands (`communityhub export --to`, `import --from`, `enroll --to`, in
hub/sharing/cli.py) and the coordinator's page `/sharing/transfer` (hub/sharing/transfer_views.py); delivery
to an aggregator found on the network is in hub/sharing/nearby.py.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from federation import bundle, signing, usb
from federation.errors import Refused

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


def enrolled_key():
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
    request_bytes = bundle.seal_enrolment(_identity(), code.strip())  # no village name: the district names it
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
    if enrolled_key() is None:
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
    enrolled = enrolled_key()
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
        dropped = outbox.trim_relay()
        detail = _("another hub's summary, kept to pass on to the district")
        if dropped:
            detail += " " + ngettext(
                "(to keep within what this hub carries for others, %(num)d older summary of another hub was "
                "dropped; that hub keeps its own copy until the district confirms it)",
                "(to keep within what this hub carries for others, %(num)d older summaries of other hubs were "
                "dropped; those hubs keep their own copies until the district confirms them)", len(dropped))
        return FileResult(item.name, item.kind, STORED, detail)
    return FileResult(item.name, item.kind, DUPLICATE, _("another hub's summary, already kept to pass on"))


_ACTIONS = {usb.RECEIPT: _import_receipt, usb.ENROLMENT_REPLY: _import_reply, usb.BUNDLE: _import_bundle}
_IGNORED_BECAUSE = {
    usb.ENROLMENT: lambda: _("an enrolment request for the district: take the stick there"),
    usb.README: lambda: _("the note for whoever finds the stick"),
    usb.FOREIGN: lambda: _("not a Community Hub file: left alone"),
    usb.UNFINISHED: lambda: _("an unfinished copy (the stick was pulled out while writing): ignored"),
    usb.NOT_REGULAR: lambda: _("a link, pipe or device, not a file: not read"),
}


def stick_problem(exc):
    """A usb.UsbError said for the coordinator, in their language."""
    messages = {
        usb.FULL: _("The stick is full: delete old files from it or use another stick. Nothing was marked "
                    "as sent."),
        usb.READ_ONLY: _("The stick is read-only: check its lock switch, or use another stick. Nothing was "
                         "marked as sent."),
        usb.GONE: _("The stick cannot be read: it may have been pulled out. Put it back and try again."),
        usb.NOT_OURS: _("A name this hub writes is taken on the stick by a link, a folder or a device: nothing "
                        "was written through it. Remove it from the stick, or use another stick."),
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
