"""What the poster says: the Wi-Fi credentials and the hub's address as QR codes (inline SVG, so the page
prints without JavaScript or network), from the same plan `communityhub provision render` uses, so the
poster always matches the access point the Pi broadcasts."""

import io

from flask import current_app
from markupsafe import Markup

from hub import provision
from hub.village.service import emergency_numbers, get_village

LOCAL_NAME = "hub.local"
WIFI_SPECIAL = '\\;,:"'  # escaped with a backslash in a WIFI: QR code (the ZXing / Wi-Fi Alliance convention)


def wifi_escape(text):
    """text with \\ ; , : " escaped, as a WIFI: QR code needs."""
    return "".join("\\" + c if c in WIFI_SPECIAL else c for c in text)


def wifi_uri(ssid, passphrase):
    """The WIFI: text a phone's camera joins; an open network when passphrase is ""."""
    if not passphrase:
        return f"WIFI:T:nopass;S:{wifi_escape(ssid)};;"
    return f"WIFI:T:WPA;S:{wifi_escape(ssid)};P:{wifi_escape(passphrase)};;"


def qr_svg(text):
    """An inline <svg> of text as a QR code (medium error correction survives a creased poster)."""
    import qrcode  # here, not at start: with its SVG writer 1 MB that only the printed poster needs
    import qrcode.image.svg

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2,
                         image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2:].lstrip()
    return Markup(svg)  # made here from our own text: qrcode escapes nothing the browser would run


def poster():
    """{village, ssid, passphrase, wifi_qr, addresses, address_qr, numbers} for the poster."""
    village = get_village()
    plan = provision.plan_for(current_app.config, village.name if village else "", current_app.config["DATA_DIR"])
    addresses = [f"http://{plan.address}/", f"http://{LOCAL_NAME}/"]
    return {"village": village, "ssid": plan.ssid, "passphrase": plan.passphrase,
            "wifi_qr": qr_svg(wifi_uri(plan.ssid, plan.passphrase)), "addresses": addresses,
            "address_qr": qr_svg(addresses[0]), "numbers": emergency_numbers()}

