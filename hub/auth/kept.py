"""Forms kept through a sign-in: a form posted after its sign-in ended is kept, not lost.

Power cuts and idle timeouts end sign-ins while someone is typing (a roster, a case note). When such a post
arrives, hub.access keeps its fields here, on the server (a file of the data folder, 0600), and sends the
person to sign in; after signing in they see what was kept and save it with one press. A kept form is shown
once, only to the account whose sign-in ended (when the hub knows it), and at most MAX_KEPT are kept.
"""

import hashlib
import json
import os
import secrets
from pathlib import Path

from flask import current_app, request

FOLDER = "kept-forms"
MAX_KEPT = 100
NOT_KEPT = {"csrf_token"}


def _folder():
    return Path(current_app.config["DATA_DIR"]) / FOLDER


def _file(token):
    return _folder() / (hashlib.sha256(token.encode("utf-8")).hexdigest() + ".json")


def keep(account_id):
    """Keep this request's form fields for account_id (None: unknown); -> the token, or None if not kept."""
    fields = [[name, value] for name, value in request.form.items(multi=True) if name not in NOT_KEPT]
    token = secrets.token_urlsafe(24)
    entry = {"account": account_id, "path": request.full_path.rstrip("?"), "fields": fields}
    try:
        _folder().mkdir(mode=0o700, exist_ok=True)
        _prune()
        fd = os.open(_file(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(entry, handle)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        return None  # a full card: the person signs in and types again, as before
    return token


def take(token, account_id):
    """The kept form (path, [(name, value)]) for this account, removed as it is taken; None if there is none."""
    path = _file(token)
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    path.unlink(missing_ok=True)
    if entry.get("account") not in (None, account_id):
        return None
    return entry["path"], [tuple(pair) for pair in entry["fields"]]


def _prune():
    kept = sorted(_folder().glob("*.json"), key=lambda p: p.stat().st_mtime)
    for old in kept[:max(0, len(kept) - MAX_KEPT + 1)]:
        old.unlink(missing_ok=True)
