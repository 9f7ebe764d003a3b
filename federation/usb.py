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
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from federation import bundle, signing
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
NOT_REGULAR = "not-regular"   # a link, pipe or device: never opened
KINDS = (BUNDLE, RECEIPT, ENROLMENT, ENROLMENT_REPLY, README, FOREIGN, UNFINISHED, TRUNCATED,
         NOT_CANONICAL, INVALID, NOT_REGULAR)
DOCUMENTS = (BUNDLE, RECEIPT, ENROLMENT, ENROLMENT_REPLY)
DAMAGED = (TRUNCATED, NOT_CANONICAL, INVALID)   # files of ours that cannot be used: a refusal to report

_FORMATS = {bundle.BUNDLE: BUNDLE, bundle.RECEIPT: RECEIPT, bundle.ENROLMENT: ENROLMENT,
            bundle.ENROLMENT_REPLY: ENROLMENT_REPLY}
_README_MARK = "COMMUNITY HUB SUMMARIES"
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")  # the names we write: no "/", no ".."

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
FULL, READ_ONLY, GONE, NOT_OURS, OTHER = "full", "read-only", "gone", "not-ours", "other"


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

    Unchanged when the file already holds exactly these bytes. A stick is not trusted: nothing is written
    through a link or into a special file planted under our names (UsbError NOT_OURS), and `name` is a plain
    file name, so every write stays inside folder.
    """
    if not _PLAIN_NAME.match(name):
        raise ValueError(f"not a plain file name: {name!r}")
    folder = Path(folder)
    try:
        folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise _error(exc, folder) from None
    partial = name + PARTIAL_SUFFIX
    try:
        if _holds(folder_fd, name, data):
            return folder / name
        fd = _create(folder_fd, partial)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        _check_ours(folder_fd, name)  # checked again just before the rename: the stick may have changed
        os.replace(partial, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
        _fsync_fd(folder_fd)
    except OSError as exc:
        _remove_quietly(partial, folder_fd)
        raise _error(exc, folder) from None
    except BaseException:
        _remove_quietly(partial, folder_fd)
        raise
    finally:
        os.close(folder_fd)
    return folder / name


def _holds(folder_fd, name, data):
    """True when name is our regular file holding exactly data; UsbError when it is a link or special file."""
    _check_ours(folder_fd, name)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder_fd)
    except OSError:
        return False
    try:
        if os.fstat(fd).st_size != len(data):
            return False
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(len(data) + 1) == data
    except OSError:
        return False  # unreadable: write it again
    finally:
        os.close(fd)


def _check_ours(folder_fd, name):
    try:
        status = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(status.st_mode):
        raise UsbError(f"{printable(name)} on the stick is a link, a folder or a device, not a file: nothing was "
                       "written through it. Remove it from the stick (or use another stick) and try again.",
                       NOT_OURS)


def _create(folder_fd, name):
    """A new file name in the folder, for writing: never through a link (O_NOFOLLOW) nor an existing file
    (O_EXCL). A leftover of an earlier copy, or a link planted on the stick, is removed (not followed) first."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    try:
        return os.open(name, flags, 0o644, dir_fd=folder_fd)
    except FileExistsError:
        os.unlink(name, dir_fd=folder_fd)  # a link is removed itself, never its target
        return os.open(name, flags, 0o644, dir_fd=folder_fd)


class Listing:
    """The files of a folder, sorted by name: len() is known at once, each Item is read when iterated, so a
    stick of thousands of files never sits in memory at once."""

    def __init__(self, folder, entries):
        self.folder = folder
        self._entries = entries  # [(name, is a regular file)]

    def __len__(self):
        return len(self._entries)

    def __iter__(self):
        for name, regular in self._entries:
            if regular:
                yield read_file(self.folder / name)
            else:
                yield Item(printable(name), NOT_REGULAR, reason="a link, pipe or device, not a file: not read")


def read_folder(folder):
    """Every file in folder, as a Listing of Items saying what each content is; sorted by name, sub-folders
    skipped. Links, pipes and devices are reported (NOT_REGULAR) and never opened: a link on a stick may
    point at any file of the hub."""
    folder = Path(folder)
    try:
        with os.scandir(folder) as entries:
            found = sorted((entry.name, entry.is_file(follow_symlinks=False))
                           for entry in entries if not entry.is_dir(follow_symlinks=False))
    except OSError as exc:
        raise _error(exc, folder) from None
    return Listing(folder, found)


def read_file(path):
    """One file's Item: classified by parsing its content as each known document, never by its name.

    Only a regular file is opened (never through a link, never a pipe that would block), and only its first
    MAX_FILE_BYTES + 1 bytes are read.
    """
    path = Path(path)
    name = printable(path.name)
    if path.name.endswith(PARTIAL_SUFFIX):
        return Item(name, UNFINISHED, reason="a copy that did not finish (the stick was pulled out?)")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Item(name, NOT_REGULAR, reason="a link, pipe or device, not a file: not read")
        return Item(name, INVALID, reason=f"cannot be read: {exc.strerror}")
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            return Item(name, NOT_REGULAR, reason="a link, pipe or device, not a file: not read")
        if status.st_size > MAX_FILE_BYTES:
            return Item(name, FOREIGN, reason="too large to be a Community Hub file")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return Item(name, INVALID, reason=f"cannot be read: {exc.strerror}")
    finally:
        os.close(fd)
    return classify(name, data)


def printable(name):
    """A file name from a stick, safe to print on a terminal or a page: every character that is not
    printable (escape sequences, new lines, direction marks, bytes that are not UTF-8) shown as an escape."""
    shown = []
    for char in name:
        if char.isprintable():
            shown.append(char)
        elif 0xDC80 <= ord(char) <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
            shown.append(f"\\x{ord(char) - 0xDC00:02x}")
        else:
            shown.append(char.encode("unicode_escape").decode("ascii"))
    return "".join(shown)


def classify(name, data):
    """What data is: one of our documents (form checked, signature not yet), or why it is not."""
    if len(data) > MAX_FILE_BYTES:
        return Item(name, FOREIGN, reason="too large to be a Community Hub file")
    if data.startswith(_README_MARK.encode("ascii")):
        return Item(name, README, data)
    looks_like_ours = data.lstrip().startswith(b"{")
    if signing.nesting_depth(data) > signing.MAX_DEPTH:
        return Item(name, INVALID, reason=f"nested more than {signing.MAX_DEPTH} levels deep: not a Community Hub "
                                          "document")
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


def _fsync_fd(folder_fd):
    try:
        os.fsync(folder_fd)
    except OSError as exc:
        if exc.errno != errno.EINVAL:  # some file systems cannot fsync a folder; the rename is then all
            raise


def _remove_quietly(name, folder_fd):
    try:
        os.unlink(name, dir_fd=folder_fd)
    except OSError:
        pass
