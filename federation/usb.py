"""USB sneakernet: federation documents as files in a folder (a USB stick), written safely, read by content.

Data flow: hub outbox -> `export_bundles()` -> stick -> the aggregator's `import_folder()` (verify, ingest)
-> `write_document()` of receipts and enrolment replies -> stick -> the hub's import (apply the receipts).

Two rules (DECISIONS, "Bundles and delivery"):

- every file is written to a temporary name (`<name>.partial`), fsynced, renamed, and its folder fsynced:
  a stick pulled out mid-copy leaves a `.partial` file, never a file that looks whole;
- a reader trusts contents, never file names: `read_folder()` classifies each file by parsing it as each
  known document format. Signatures are checked later, by whoever knows which key should have signed.

Nothing here touches a database: the callers decide what a file means to them.
"""

import errno
import json
import os
from dataclasses import dataclass
from pathlib import Path

from federation import bundle
from federation.errors import Refused

PARTIAL_SUFFIX = ".partial"
README_NAME = "README.txt"
# The largest file worth reading: a receipt names every bundle a hub ever sent (about 150 bytes each).
MAX_FILE_BYTES = 4 * 1024 * 1024

# What a file on the stick is, judged by its content.
BUNDLE = "bundle"
RECEIPT = "receipt"
ENROLMENT = "enrolment"
ENROLMENT_REPLY = "enrolment-reply"
README = "readme"
FOREIGN = "foreign"           # not a Community Hub document (a photo, a letter): left alone
UNFINISHED = "unfinished"     # a `.partial` file: a copy that never finished
TRUNCATED = "truncated"       # the start of a document whose end is missing
NOT_CANONICAL = "not-canonical"
INVALID = "invalid"           # a document of ours with a field missing, too large, an unknown version...
KINDS = (BUNDLE, RECEIPT, ENROLMENT, ENROLMENT_REPLY, README, FOREIGN, UNFINISHED, TRUNCATED,
         NOT_CANONICAL, INVALID)
DOCUMENTS = (BUNDLE, RECEIPT, ENROLMENT, ENROLMENT_REPLY)
DAMAGED = (TRUNCATED, NOT_CANONICAL, INVALID)   # files of ours that cannot be used: a refusal to report

_FORMATS = {bundle.BUNDLE: BUNDLE, bundle.RECEIPT: RECEIPT, bundle.ENROLMENT: ENROLMENT,
            bundle.ENROLMENT_REPLY: ENROLMENT_REPLY}
_README_MARK = "COMMUNITY HUB SUMMARIES"

README_TEXT = f"""{_README_MARK}
=======================

The files on this stick ending in .json are monthly summaries from a village Community Hub, or
acknowledgements from the district that received them.

- They hold counts only, rounded and with small numbers hidden: no names, no addresses, nothing
  that says who anyone is.
- Each file is signed: changing one by hand makes it useless, and it cannot be read as anyone else's.
- If you found this stick, please give it to the village mentor or to the district child protection
  office. You may also delete the files: the hub keeps its own copy until the district confirms.

Files ending in .partial are copies that did not finish; they are ignored and may be deleted.
"""


# Why a folder could not be used (UsbError.reason), for a page to say it in the reader's language.
FULL, READ_ONLY, GONE, OTHER = "full", "read-only", "gone", "other"


class UsbError(Exception):
    """The folder cannot be written or read (full, read-only, removed); str() says what to do."""

    def __init__(self, message, reason=OTHER):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Item:
    """One file in a folder and what its content is: `kind` is one of KINDS, `reason` says why for refusals."""

    name: str
    kind: str
    data: bytes = b""
    document: dict | None = None
    reason: str = ""

    @property
    def damaged(self):
        """True for a Community Hub document that cannot be used (truncated, tampered into another form...)."""
        return self.kind in DAMAGED


def bundle_file_name(document):
    """The file name of a bundle: its id, for people sorting files; never trusted when reading."""
    hub_id, epoch, sequence = bundle.bundle_id(document)
    return f"{hub_id}-{epoch}-{sequence:06d}.bundle.json"


def receipt_file_name(hub_id):
    return f"{hub_id}.receipt.json"


def enrolment_file_name(hub_id):
    return f"{hub_id}.enrolment.json"


def enrolment_reply_file_name(hub_id):
    return f"{hub_id}.enrolment-reply.json"


def export_bundles(folder, rows_or_bytes, readme=README_TEXT):
    """Write each bundle (outbox rows with `.content`, or bundle bytes) as a file in folder; -> [Path].

    A file already holding the same bytes is left as it is, so exporting twice writes nothing new. Raises
    UsbError (a full or read-only stick) with no temporary file left; bundles written before the error
    stay whole and usable.
    """
    folder = writable_folder(folder)
    written = []
    for entry in rows_or_bytes:
        data = bytes(getattr(entry, "content", entry))
        name = bundle_file_name(bundle.read_bundle(data))
        written.append(write_document(folder, name, data))
    if readme:
        write_document(folder, README_NAME, readme.encode("utf-8"))
    return written


def write_document(folder, name, data):
    """Write data to folder/name atomically (temporary name, fsync, rename, fsync the folder); -> Path.

    Unchanged when the file already holds exactly these bytes.
    """
    folder = Path(folder)
    final = folder / name
    try:
        if final.is_file() and final.stat().st_size == len(data) and final.read_bytes() == data:
            return final
    except OSError:
        pass  # unreadable: write it again
    partial = folder / (name + PARTIAL_SUFFIX)
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(partial, final)
        _fsync_folder(folder)
    except OSError as exc:
        _remove_quietly(partial)
        raise _error(exc, folder) from None
    except BaseException:
        _remove_quietly(partial)
        raise
    return final


def read_folder(folder):
    """Every file in folder, as an Item saying what its content is; sorted by name, sub-folders skipped."""
    folder = Path(folder)
    try:
        paths = sorted(path for path in folder.iterdir() if path.is_file())
    except OSError as exc:
        raise _error(exc, folder) from None
    return [read_file(path) for path in paths]


def read_file(path):
    """One file's Item: classified by parsing its content as each known document, never by its name."""
    path = Path(path)
    if path.name.endswith(PARTIAL_SUFFIX):
        return Item(path.name, UNFINISHED, reason="a copy that did not finish (the stick was pulled out?)")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return Item(path.name, INVALID, reason=f"cannot be read: {exc.strerror}")
    return classify(path.name, data)


def classify(name, data):
    """What data is: one of our documents (form checked, signature not yet), or why it is not."""
    if len(data) > MAX_FILE_BYTES:
        return Item(name, FOREIGN, reason="too large to be a Community Hub file")
    if data.startswith(_README_MARK.encode("ascii")):
        return Item(name, README, data)
    looks_like_ours = data.lstrip().startswith(b"{")
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        if looks_like_ours and exc.start >= len(data) - 3:
            return Item(name, TRUNCATED, data, reason="the file ends in the middle of a character")
        return Item(name, FOREIGN, data, reason="not a Community Hub file")
    except ValueError as exc:
        at_end = getattr(exc, "pos", 0) >= len(data.decode("utf-8").rstrip())
        if looks_like_ours and (at_end or getattr(exc, "msg", "").startswith("Unterminated string")):
            return Item(name, TRUNCATED, data, reason="the file ends before the document does")
        return Item(name, FOREIGN, data, reason="not a Community Hub file")
    kind = _FORMATS.get(document.get("format")) if isinstance(document, dict) else None
    if kind is None:
        return Item(name, FOREIGN, data, reason="not a Community Hub file")
    try:
        document = _read(kind, data)
    except Refused as exc:
        damaged = NOT_CANONICAL if "canonical" in exc.message else INVALID
        return Item(name, damaged, data, reason=exc.message)
    return Item(name, kind, data, document)


def _read(kind, data):
    """The document's form checked (self-signed enrolment documents also verified)."""
    if kind == BUNDLE:
        return bundle.read_bundle(data)
    if kind == ENROLMENT:
        return bundle.open_enrolment(data)
    if kind == ENROLMENT_REPLY:
        return bundle.open_enrolment_reply(data)
    return bundle.read_receipt(data)


def writable_folder(folder):
    """folder, created if missing; raises UsbError when it cannot be."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _error(exc, folder) from None
    if not folder.is_dir():
        raise UsbError(f"{folder} is not a folder", GONE)
    return folder


def _error(exc, folder):
    """A UsbError with a sentence for the coordinator or operator about an OSError on the stick."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return UsbError(f"the stick at {folder} is full: delete old files from it or use another stick. "
                        "Nothing was marked as sent.", FULL)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return UsbError(f"the stick at {folder} is read-only: check its lock switch, or mount it read-write. "
                        "Nothing was marked as sent.", READ_ONLY)
    if exc.errno in (errno.ENOENT, errno.ENODEV, errno.EIO, errno.ENXIO, errno.ENOTDIR):
        return UsbError(f"the stick at {folder} is gone or damaged ({exc.strerror}): put it back and try "
                        "again.", GONE)
    return UsbError(f"{folder}: {exc.strerror or exc}")


def _fsync_folder(folder):
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno != errno.EINVAL:  # some file systems cannot fsync a folder; the rename is then all
            raise
    finally:
        os.close(fd)


def _remove_quietly(path):
    try:
        os.unlink(path)
    except OSError:
        pass
