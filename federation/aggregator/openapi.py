"""The OpenAPI 3.1 document of the aggregator's API, built from the same constants the API uses."""

from federation import bundle, errors, proof, signing
from hub import __version__

# Every refusal, by status: (code, when). The same table as docs/protocol.md.
REFUSALS = (
    (errors.Malformed, "not UTF-8 JSON, not canonical, not the expected format, a field missing or invalid"),
    (errors.BadSignature, "the signature does not verify with the enrolled key (tampered)"),
    (errors.UnknownKey, "the hub is not enrolled"),
    (errors.RevokedKey, "the hub's key was revoked"),
    (errors.EnrolmentRefused, "the enrolment code is unknown, used already or expired"),
    (errors.Conflict, "the same (hub, epoch, sequence) arrived before with other bytes"),
    (errors.TooLarge, "the body is larger than {limit} bytes"),
    (errors.UnknownSchema, "an unknown document or payload schema version"),
    (errors.InvalidPayload, "the payload does not match its JSON Schema"),
    (errors.FuturePeriod, "the month is after the aggregator's current month (the hub's clock is wrong)"),
)
UNSUPPORTED_MEDIA_TYPE = ("unsupported_media_type", "the body is not sent as application/json")

BUNDLE_REFUSALS = (errors.Malformed, errors.BadSignature, errors.UnknownKey, errors.RevokedKey,
                   errors.Conflict, errors.TooLarge, errors.UnknownSchema, errors.InvalidPayload,
                   errors.FuturePeriod)
ENROLMENT_REFUSALS = (errors.Malformed, errors.BadSignature, errors.EnrolmentRefused, errors.TooLarge,
                      errors.UnknownSchema)

SIGNED = {"signature": {"type": "string", "minLength": signing.SIGNATURE_LENGTH,
                        "maxLength": signing.SIGNATURE_LENGTH, "pattern": "^[A-Za-z0-9+/]+={0,2}$",
                        "description": "base64 Ed25519 signature of the canonical JSON of the object without "
                                       "`signature`"},
          "version": {"const": 1}}
HEX32 = {"type": "string", "pattern": "^[0-9a-f]{32}$"}
COUNT = {"type": "integer", "minimum": 1, "maximum": 2**53 - 1}


def _object(title, fmt, properties):
    properties = {"format": {"const": fmt}, **properties, **SIGNED}
    return {"title": title, "type": "object", "required": sorted(properties), "properties": properties,
            "description": "Canonical JSON: sorted keys, UTF-8, no insignificant white space."}


SCHEMAS = {
    "Error": {"type": "object", "required": ["error", "message"],
              "properties": {"error": {"type": "string", "description": "a stable code"},
                             "message": {"type": "string", "description": "for people, in the "
                                                                           "aggregator's language"}}},
    "Bundle": _object("Bundle", bundle.BUNDLE, {
        "hub_id": HEX32, "key_id": {"type": "string"}, "epoch": HEX32, "sequence": COUNT,
        "period": {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}, "revision": COUNT,
        "schema_version": COUNT, "payload": {"type": "object", "description": "the protected summary"}}),
    "Receipt": _object("Receipt", bundle.RECEIPT, {
        "aggregator_id": HEX32, "hub_id": HEX32,
        "bundles": {"type": "array", "items": {
            "type": "object", "required": ["epoch", "sequence", "sha256", "status"],
            "properties": {"epoch": HEX32, "sequence": COUNT,
                           "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                           "status": {"enum": [bundle.STORED, bundle.DUPLICATE]}}}}}),
    "Enrolment": _object("Enrolment request", bundle.ENROLMENT, {
        "hub_id": HEX32, "name": {"type": "string"}, "public_key": {"type": "string"},
        "code": {"type": "string", "description": "the one-time code, as printed (dashes optional)"}}),
    "EnrolmentReply": _object("Enrolment reply", bundle.ENROLMENT_REPLY, {
        "aggregator_id": HEX32, "hub_id": HEX32, "public_key": {"type": "string"},
        "url": {"type": "string"}}),
    "Proof": _object("Proof", proof.PROOF, {
        "aggregator_id": HEX32, "challenge": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}),
}
CHALLENGE = {"type": "object", "required": ["challenge"],
             "properties": {"challenge": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}}


def _json(schema_name):
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}


def _refusals(kinds, limit):
    answers = {}
    for kind, when in REFUSALS:
        if kind in kinds:
            answer = answers.setdefault(str(kind.status), {"description": "", "content": _json("Error")})
            answer["description"] += f"{'; ' if answer['description'] else ''}`{kind.code}`: " + when.format(
                limit=limit)
    code, when = UNSUPPORTED_MEDIA_TYPE
    answers["415"] = {"description": f"`{code}`: {when}", "content": _json("Error")}
    return answers


def _body(content, limit):
    """A request body of at most limit bytes (larger: 413 before it is read); `x-max-bytes` says it to tools."""
    return {"required": True, "content": content, "x-max-bytes": limit,
            "description": f"At most {limit} bytes; a longer body is refused with 413 `too_large`."}


def document(server_url=""):
    """The OpenAPI document as a dict."""
    from federation.aggregator.api import MAX_ENROLMENT_BYTES

    paths = {
        "/api/v1/enrolments": {"post": {
            "operationId": "enrol", "summary": "Enrol a hub with a one-time code",
            "requestBody": _body(_json("Enrolment"), MAX_ENROLMENT_BYTES),
            "responses": {"201": {"description": "enrolled (or the same request again): the signed reply",
                                  "content": _json("EnrolmentReply")},
                          **_refusals(ENROLMENT_REFUSALS, MAX_ENROLMENT_BYTES)}}},
        "/api/v1/bundles": {"post": {
            "operationId": "ingest", "summary": "Deliver one bundle (its exact bytes)",
            "requestBody": _body(_json("Bundle"), bundle.MAX_BYTES),
            "responses": {"201": {"description": "`stored`: new; the signed receipt", "content": _json("Receipt")},
                          "200": {"description": "`duplicate`: the same bytes were held already; the signed "
                                                 "receipt", "content": _json("Receipt")},
                          **_refusals(BUNDLE_REFUSALS, bundle.MAX_BYTES)}}},
        "/api/v1/proof": {"post": {
            "operationId": "prove", "summary": "Sign a fresh challenge with the aggregator's key",
            "description": "A hub that found this aggregator by zeroconf sends nothing until the proof "
                           "verifies with the key it pinned at enrolment (anyone can copy an advertisement).",
            "requestBody": _body({"application/json": {"schema": CHALLENGE}}, proof.MAX_CHALLENGE_BYTES),
            "responses": {"200": {"description": "the signed proof", "content": _json("Proof")},
                          **_refusals((errors.Malformed, errors.TooLarge), proof.MAX_CHALLENGE_BYTES)}}},
        "/api/v1/openapi.json": {"get": {"operationId": "openapi", "summary": "This document",
                                         "responses": {"200": {"description": "the OpenAPI document"}}}},
        "/healthz": {"get": {"operationId": "healthz", "summary": "Status, version and database state",
                             "responses": {"200": {"description": "working"},
                                           "503": {"description": "the database cannot be used"}}}},
    }
    result = {"openapi": "3.1.0",
              "info": {"title": "Community Hub district aggregator", "version": __version__,
                       "description": "Signed documents in, signed documents out: see docs/protocol.md."},
              "paths": paths, "components": {"schemas": SCHEMAS}}
    if server_url:
        result["servers"] = [{"url": server_url}]
    return result
