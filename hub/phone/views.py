"""/phone-setup: the steps to set up a phone, and the village CA to download (no JavaScript needed)."""

from flask import abort, current_app, make_response, render_template, request

from hub import clock
from hub.phone import bp, service

# The type Android's browser hands to the certificate installer; DER, the encoding it reads.
CA_CONTENT_TYPE = "application/x-x509-ca-cert"


@bp.get("/phone-setup", endpoint="setup")
def setup():
    state = service.setup_state(current_app.config, request.is_secure, clock.now())
    return render_template("hub/phone/setup.html", state=state)


@bp.get("/phone-setup/village-ca.crt", endpoint="authority")
def authority():
    """The village CA certificate (public; its private key never leaves the data folder)."""
    from hub import tls

    if not tls.files(current_app.config["DATA_DIR"]).ca_cert.is_file():
        abort(404)
    response = make_response(tls.authority_der(current_app.config["DATA_DIR"]))
    response.headers["Content-Type"] = CA_CONTENT_TYPE
    response.headers["Content-Disposition"] = "attachment; filename=village-ca.crt"
    return response
