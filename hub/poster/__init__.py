"""The printable poster, for the coordinator: the Wi-Fi name and password as a QR code a phone can join,
the hub's address as a QR code, and the village's emergency numbers, in the village's language."""

from flask import Blueprint

bp = Blueprint("poster", __name__)
