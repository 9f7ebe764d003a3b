"""The district's side of a USB stick: take in what hubs wrote to it, and write back their acknowledgements.

Data flow: stick -> `import_folder()` (each file classified by content, federation.usb; enrolment requests
-> `enrol.enrol()`, bundles -> `ingest.ingest(route="usb")`, the same checks as over HTTP) -> database ->
`export_acks()` -> per hub a receipt (`ingest.receipt_for_hub`) and, for hubs that enrolled by file, the
enrolment reply (`enrol.reply_for`) -> stick -> the hubs' `communityhub import`.

Importing is idempotent (a bundle seen again is a duplicate, an enrolment sent again gets the same reply),
so a stick can be read twice, or by two laptops, without harm. Nothing is ever deleted from the stick.
"""

from dataclasses import dataclass

from federation import bundle, usb
from federation.errors import Refused

# What happened to one file.
STORED, DUPLICATE = bundle.STORED, bundle.DUPLICATE
ENROLLED = "enrolled"
REFUSED = "refused"
IGNORED = "ignored"
VERDICTS = (STORED, DUPLICATE, ENROLLED, REFUSED, IGNORED)

_IGNORED_BECAUSE = {
    usb.RECEIPT: "an acknowledgement for a hub (written by the district): the hub reads it",
    usb.ENROLMENT_REPLY: "an enrolment reply for a hub (written by the district): the hub reads it",
    usb.README: "the note for whoever finds the stick",
    usb.FOREIGN: "not a Community Hub file: left alone",
    usb.UNFINISHED: "an unfinished copy (the stick was pulled out while writing): ignored",
    usb.NOT_REGULAR: "a link, pipe or device, not a file: not read",
}


@dataclass(frozen=True)
class Outcome:
    """One file of an import: its name, what it is, what was done (`verdict`) and why."""

    name: str
    kind: str
    verdict: str
    detail: str = ""
    hub_id: str = ""

    @property
    def refused(self):
        return self.verdict == REFUSED


def import_folder(folder, progress=None, now=None):
    """Verify and take in every file in folder; -> [Outcome], one per file: enrolment requests first, then
    the rest, each in name order.

    Enrolments go first so that one trip is enough: a stick carrying a new hub's enrolment request and its
    first bundles enrols the hub, then takes its bundles (in name order a bundle may come first and be
    refused as from an unknown key). progress(outcome), when given, is called after each file (the CLI's
    progress bar). Each file is its own transaction: a refused file stores nothing and does not stop the
    others.
    """
    outcomes = []
    items = sorted(usb.read_folder(folder), key=lambda item: item.kind != usb.ENROLMENT)  # stable: name order kept
    for item in items:
        outcome = import_item(item, now=now)
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    return outcomes


def import_item(item, now=None):
    """What to do with one classified file (federation.usb.Item)."""
    from federation.aggregator import enrol, ingest

    hub_id = (item.document or {}).get("hub_id", "")
    if item.kind in _IGNORED_BECAUSE:
        return Outcome(item.name, item.kind, IGNORED, _IGNORED_BECAUSE[item.kind], hub_id)
    if item.damaged:
        return Outcome(item.name, item.kind, REFUSED, item.reason)
    try:
        if item.kind == usb.ENROLMENT:
            enrol.enrol(item.data, now=now)
            return Outcome(item.name, item.kind, ENROLLED,
                           "the hub is enrolled: its reply is written by export-acks", hub_id)
        verdict, _receipt = ingest.ingest(item.data, route="usb", now=now)
    except Refused as exc:
        return Outcome(item.name, item.kind, REFUSED, f"{exc.code}: {exc.message}", hub_id)
    detail = f"{item.document['period']} revision {item.document['revision']}"
    return Outcome(item.name, item.kind, verdict, detail, hub_id)


def hubs_on(folder):
    """(hub ids with a bundle on the stick, hub ids with an enrolment request on it): whom the stick serves."""
    with_bundles, enrolling = set(), set()
    for item in usb.read_folder(folder):
        if item.kind == usb.BUNDLE:
            with_bundles.add(item.document["hub_id"])
        elif item.kind == usb.ENROLMENT:
            enrolling.add(item.document["hub_id"])
    return with_bundles, enrolling


def export_acks(folder, hub_ids=None):
    """Write, atomically, a receipt for each hub that has bundles here and the enrolment reply for each hub
    that enrolled by file; -> [Path] written.

    hub_ids: the hubs to write for; by default those whose files are on the stick (the stick goes back to
    where it came from). Hubs the district has not enrolled get nothing. Raises usb.UsbError.
    """
    from federation.aggregator import enrol, ingest
    from federation.aggregator.models import Hub

    with_bundles, enrolling = hubs_on(folder)
    chosen = set(hub_ids) if hub_ids is not None else with_bundles | enrolling
    enrolled = {hub.id for hub in Hub.select(Hub.id).where(Hub.id.in_(sorted(chosen)))} if chosen else set()
    written = []
    for hub_id in sorted(chosen & enrolled):
        receipt = ingest.receipt_for_hub(hub_id)
        if bundle.read_receipt(receipt)["bundles"]:
            written.append(usb.write_document(folder, usb.receipt_file_name(hub_id), receipt))
        if hub_id in enrolling or hub_ids is not None:
            written.append(usb.write_document(folder, usb.enrolment_reply_file_name(hub_id),
                                              enrol.reply_for(hub_id)))
    return written
