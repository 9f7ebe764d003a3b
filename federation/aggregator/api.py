"""The machine API under /api/v1: enrolments and bundles in, signed replies and receipts out.

Bodies are signed documents, not forms, so the blueprint is exempt from CSRF (by name, in app.py): the
signature is the proof of origin. Every refusal is a `federation.errors.Refused` answered with its status
and JSON {"error": code, "message": text}; docs/protocol.md and `GET /api/v1/openapi.json` list them.
"""

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from federation import bundle
from federation import proof as key_proof
from federation.aggregator import enrol, ingest, openapi
from federation.errors import Refused, TooLarge

bp = Blueprint("api", __name__, url_prefix="/api/v1")

JSON = "application/json"
MAX_ENROLMENT_BYTES = 16 * 1024
STATUS_OF = {bundle.STORED: 201, bundle.DUPLICATE: 200}


class UnsupportedMediaType(Refused):
    """The body is not sent as application/json."""

    status = 415
    code = "unsupported_media_type"


def refusal(exc):
    return jsonify(error=exc.code, message=exc.message), exc.status


@bp.errorhandler(Refused)
def handle_refused(exc):
    return refusal(exc)


@bp.errorhandler(RequestEntityTooLarge)
def handle_too_large(exc):
    limit = request.max_content_length
    return refusal(TooLarge(_("A body may be at most %(limit)s bytes.", limit=limit)))


def signed_body(limit):
    """The request body, at most limit bytes (413 before reading more), sent as application/json."""
    if request.mimetype != JSON:
        raise UnsupportedMediaType(_("Send the document as %(type)s.", type=JSON))
    request.max_content_length = limit  # a longer Content-Length is refused before the body is read
    return request.get_data(cache=False)


def document(data, status):
    return Response(data, status=status, mimetype=JSON)


@bp.post("/enrolments")
def enrolments():
    """Enrol a hub with a one-time code: 201 and the signed enrolment reply."""
    return document(enrol.enrol(signed_body(MAX_ENROLMENT_BYTES)), 201)


@bp.post("/bundles")
def bundles():
    """Take in one bundle: 201 (stored) or 200 (duplicate) and the signed receipt."""
    verdict, receipt = ingest.ingest(signed_body(bundle.MAX_BYTES), route="http")
    return document(receipt, STATUS_OF[verdict])


@bp.post("/proof")
def proof():
    """Sign a hub's fresh challenge, {"challenge": 64 hex digits}: 200 and the signed proof. A hub that
    discovered this aggregator on its network sends nothing until the proof verifies with its pinned key."""
    challenge = key_proof.read_challenge(signed_body(key_proof.MAX_CHALLENGE_BYTES))
    return document(key_proof.seal_proof(enrol.identity(), challenge), 200)


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi.document(current_app.config.get("AGGREGATOR_URL", "")))
