"""Every way a federation step can refuse, as one exception tree; each refusal knows its HTTP status.

The aggregator's API turns a `Refused` into its status with a JSON body {"error": code, "message": ...};
the hub's CLI and pages show the message. Nothing that raised a `Refused` has stored anything.
"""


class FederationError(Exception):
    """Base of every federation failure."""


class Refused(FederationError):
    """A document was refused; `status` is the HTTP status the aggregator answers with, `code` a stable name."""

    status = 400
    code = "refused"

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class Malformed(Refused):
    """Not a document of the expected kind: not JSON, not canonical, a field missing or of the wrong type."""

    code = "malformed"


class TooLarge(Refused):
    """Larger than the aggregator accepts."""

    status = 413
    code = "too_large"


class UnknownSchema(Refused):
    """A format, document version or payload schema version this release does not know."""

    status = 422
    code = "unknown_schema"


class InvalidPayload(Refused):
    """The payload does not match the published summary schema."""

    status = 422
    code = "invalid_payload"


class FuturePeriod(Refused):
    """The bundle is for a month after the aggregator's own current month: the hub's clock is wrong."""

    status = 422
    code = "future_period"


class BadSignature(Refused):
    """The signature does not verify: tampered, or signed by another key."""

    status = 403
    code = "bad_signature"


class UnknownKey(Refused):
    """Signed by a hub the aggregator has not enrolled."""

    status = 403
    code = "unknown_key"


class RevokedKey(Refused):
    """Signed by a hub whose key the aggregator has revoked (a stolen hub)."""

    status = 403
    code = "revoked_key"


class Conflict(Refused):
    """The same bundle id (hub, epoch, sequence) arrived before with other bytes."""

    status = 409
    code = "conflict"


class EnrolmentRefused(Refused):
    """The enrolment code is unknown, used already, or expired."""

    status = 403
    code = "enrolment_refused"


class Unreachable(FederationError):
    """The aggregator could not be reached (no link, refused, timed out): try again later."""
