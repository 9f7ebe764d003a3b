"""Where to send someone back to: only a path on this hub, never another site."""

from flask import url_for


def safe_next(target):
    """target if it is a path on this hub, else the home page."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("home.index")
