"""Identities and signed documents: the one place that touches keys, canonical JSON and Ed25519.

Every document that crosses the village boundary (bundle, receipt, enrolment request and reply) is a JSON
object with a `format`, a `version` and a `signature`: canonical JSON (sorted keys, UTF-8, no insignificant
white space) whose `signature` is the base64 Ed25519 signature of the canonical bytes of the object without
its `signature`. A document is accepted only in its canonical form, so one document has exactly one byte
string and "the same bytes" means "the same document".

Public keys travel as base64 of their 32 raw bytes; `key_id()` is a short fingerprint of one for display,
TXT records and QR codes.

`cryptography` is imported only where a key is made, read or used: the hub's idle server never signs, and
the import costs it about 6 MB of its memory budget (docs/benchmarks.md). What it needs at start (its id
and key fingerprint, for discovery) comes from `<name>.pub`, a cache checked against the key file's bytes.
"""

import base64
import binascii
import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from federation.errors import BadSignature, Malformed, UnknownSchema

# No document of ours nests deeper than 6; a stick or a peer may send 100,000 `[`, which would make the
# parser recurse until RecursionError. Depth is counted on the raw bytes before parsing.
MAX_DEPTH = 32
SIGNATURE_LENGTH = 88  # base64 of the 64 bytes of an Ed25519 signature
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")

# In the data folder: <name>.key (PKCS#8 PEM, 0600), <name>.id (the random id, made with the key) and
# <name>.pub ("<SHA-256 of the key file> <base64 public key>", remade whenever it does not match the key).
HUB, AGGREGATOR = "federation", "aggregator"


def canonical(document):
    """The canonical bytes of a JSON-able object: sorted keys, UTF-8, no insignificant white space."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def b64(raw):
    return base64.b64encode(raw).decode("ascii")


def unb64(text, what):
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise Malformed(f"{what} is not base64") from None


def key_id(public_key_b64):
    """A 16-hex-digit fingerprint of a base64 public key (the first 8 bytes of its SHA-256)."""
    return hashlib.sha256(unb64(public_key_b64, "public key")).hexdigest()[:16]


def sha256(data):
    """The hex SHA-256 of bytes: how a receipt names the exact bytes it acknowledges."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Identity:
    """A hub's or an aggregator's id, public key (base64 of its 32 raw bytes) and private key (PEM)."""

    id: str
    public_key: str
    pem: bytes = field(repr=False)  # the key file's bytes as read with public_key: never in a log line

    @property
    def key_id(self):
        return key_id(self.public_key)

    @cached_property
    def private_key(self):
        """The Ed25519 private key, parsed on first use."""
        return _read_private_key(self.pem)

    def sign(self, document):
        """The canonical bytes of document (a dict without `signature`) with its signature added."""
        if "signature" in document:
            raise ValueError("the document is signed already")
        signature = self.private_key.sign(canonical(document))
        return canonical({**document, "signature": b64(signature)})

    def secret(self, purpose):
        """32 bytes derived from the private key for one purpose (bytes): the same for as long as the key is."""
        from cryptography.hazmat.primitives import serialization

        raw = self.private_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                             serialization.NoEncryption())
        return hashlib.sha256(purpose + b"\x00" + raw).digest()


def _read_private_key(pem):
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(pem, password=None)


def _public_key_of(pem):
    from cryptography.hazmat.primitives import serialization

    raw = _read_private_key(pem).public_key().public_bytes(serialization.Encoding.Raw,
                                                           serialization.PublicFormat.Raw)
    return b64(raw)


def new_id():
    """A random 128-bit id as 32 hex digits: never derived from a name, an address or the clock."""
    return secrets.token_hex(16)


def load_or_create(data_dir, name=HUB):
    """The identity `name` kept in data_dir, made on first use: key file 0600, written atomically.

    A hub's and an aggregator's identities have different names, so one district laptop can hold both.
    """
    data_dir = Path(data_dir)
    key_path, id_path, pub_path = (data_dir / f"{name}.{suffix}" for suffix in ("key", "id", "pub"))
    if not key_path.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption())
        _write_atomically(id_path, new_id().encode("ascii"), 0o644)
        _write_atomically(key_path, pem, 0o600)  # last: a key file means the identity is whole
    pem = key_path.read_bytes()
    fingerprint = sha256(pem)
    try:
        cached_fingerprint, public_key = pub_path.read_text(encoding="ascii").split()
    except (OSError, ValueError):
        cached_fingerprint = public_key = None
    if cached_fingerprint != fingerprint:  # none yet, or the key file was replaced
        public_key = _public_key_of(pem)
        try:
            _write_atomically(pub_path, f"{fingerprint} {public_key}\n".encode("ascii"), 0o644)
        except OSError:
            pass  # only a cache: the next start derives the key again
    return Identity(id_path.read_text(encoding="ascii").strip(), public_key, pem)


def _write_atomically(path, data, mode):
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def parse(data, expected_format, versions=(1,)):
    """The document in data, checked for form only (canonical JSON object of the expected format).

    The signature is not checked: use `verify` once you know whose key should have signed it.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    document = loads(data)
    if not isinstance(document, dict):
        raise Malformed("not a JSON object")
    if document.get("format") != expected_format:
        raise Malformed(f"not a {expected_format} document")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise Malformed("field 'version' is missing or not an integer")
    if version not in versions:
        raise UnknownSchema(f"{expected_format} version {document.get('version')!r} is not supported")
    if not isinstance(document.get("signature"), str):
        raise Malformed("the document is not signed")
    if len(document["signature"]) != SIGNATURE_LENGTH:
        raise Malformed(f"a signature is {SIGNATURE_LENGTH} characters of base64")
    if canonical(document) != bytes(data):
        raise Malformed("not canonical JSON (sorted keys, UTF-8, no white space)")
    return document


def nesting_depth(data):
    """How deeply arrays and objects nest in JSON bytes, counted without parsing (strings skipped)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub(b"", data)):
        if bracket in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def loads(data):
    """The JSON value in UTF-8 bytes from outside (a stick, a peer); Malformed when it is not JSON or nests
    deeper than MAX_DEPTH (refused before parsing, so no input can exhaust the parser's recursion)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if nesting_depth(data) > MAX_DEPTH:
        raise Malformed(f"nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Malformed("not UTF-8 JSON") from None


def verify(document, public_key_b64):
    """Raise BadSignature unless document's signature verifies with the base64 public key."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    unsigned = {key: value for key, value in document.items() if key != "signature"}
    signature = unb64(document.get("signature"), "signature")
    try:
        public = Ed25519PublicKey.from_public_bytes(unb64(public_key_b64, "public key"))
        public.verify(signature, canonical(unsigned))
    except (InvalidSignature, ValueError):
        raise BadSignature("the signature does not verify") from None
    return document
