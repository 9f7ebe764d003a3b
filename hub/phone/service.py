"""What the phone set-up page shows: whether this phone already uses https, and what it needs if not.

A page served over https was opened by a browser that accepted the hub's certificate: with the village CA
installed, the phone is set up. The hub cannot tell a warning clicked through from an installed CA, so the
page says how to tell (no warning before the page).
"""

from dataclasses import dataclass

DEFAULT_HTTPS_PORT = 443


@dataclass(frozen=True)
class PhoneSetup:
    """The page's facts."""

    secure: bool          # this request came over https
    available: bool       # the hub has a certificate and serves https
    fingerprint: str = ""
    names: str = ""
    https_url: str = ""
    turned_off: bool = False  # HTTPS_PORT is 0: there may be a certificate, but nothing serves https


def setup_state(config, secure, now):
    """The PhoneSetup for a request (secure: over https) to the hub with app config."""
    from hub import tls  # cryptography's X.509 only when this page is opened: not in every process's start

    if not config["HTTPS_PORT"]:
        return PhoneSetup(secure, False, turned_off=True)
    found = tls.status(config["DATA_DIR"], now)
    if found is None:
        return PhoneSetup(secure, False)
    names = tls.names_for(config)
    port = config["HTTPS_PORT"]
    host = names.dns if port == DEFAULT_HTTPS_PORT else f"{names.dns}:{port}"
    return PhoneSetup(secure, True, found.fingerprint, str(names), f"https://{host}/")
