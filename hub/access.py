"""Need to know: one table maps every endpoint to who may use it, and one hook enforces it.

A route missing from the table is refused to everyone (and fails tests/test_access.py), so a new
page is private until someone decides who needs it.
"""

from flask import abort, g, redirect, request, url_for

from hub.auth.models import User

EVERYONE = "everyone"      # no account needed
SIGNED_IN = "signed-in"    # any role
COORDINATOR, CASE_WORKER, FACILITATOR, MEMBER = User.ROLES

ACCESS = {
    "static": EVERYONE,
    "home.index": EVERYONE,
    "home.language": EVERYONE,
    "home.healthz": EVERYONE,
    "village.setup": EVERYONE,          # only until a coordinator exists, and only with the set-up code
    "village.edit": (COORDINATOR,),
    "auth.login": EVERYONE,
    "auth.logout": SIGNED_IN,
    "auth.change_secret": SIGNED_IN,
    "auth.accounts": (COORDINATOR,),
    "auth.account_new": (COORDINATOR,),
    "auth.account_edit": (COORDINATOR,),
    "auth.account_reset": (COORDINATOR,),
    "auth.account_active": (COORDINATOR,),
    "audit.events": (COORDINATOR,),
}


def allowed(endpoint, user):
    """True when user (None for no account) may use endpoint."""
    rule = ACCESS.get(endpoint)
    if rule is None:
        return False
    if rule == EVERYONE:
        return True
    if user is None:
        return False
    return rule == SIGNED_IN or user.role in rule


def init_app(app):
    @app.before_request
    def enforce_access():
        if request.endpoint is None:  # no such route: the 404 handler answers
            return None
        if allowed(request.endpoint, g.user):
            return None
        if g.user is None and ACCESS.get(request.endpoint) is not None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)

    @app.context_processor
    def access_helpers():
        return {"can": lambda endpoint: allowed(endpoint, g.get("user"))}
