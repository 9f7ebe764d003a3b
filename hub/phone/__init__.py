"""Setting up a phone to use the hub away from its Wi-Fi: the village CA to install, and how (docs/https.md)."""

from flask import Blueprint

bp = Blueprint("phone", __name__)
