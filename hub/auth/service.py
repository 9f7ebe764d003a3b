"""Rules for accounts: valid usernames, roles and secrets, and how secrets are hashed."""

import re
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from hub.auth.models import User
from hub.db import database

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
PIN = re.compile(r"^[0-9]{6}$")
MIN_PASSWORD_LENGTH = 10
HASH_METHOD = "scrypt"  # memory-hard, in werkzeug, no extra dependency

ROLE_LABELS = {
    User.COORDINATOR: _l("Coordinator"),
    User.CASE_WORKER: _l("Case worker"),
    User.FACILITATOR: _l("Facilitator"),
    User.MEMBER: _l("Member"),
}


class AccountError(ValueError):
    """An account request the hub refuses; str() is a message for the person who made it."""


def secret_kind_of(role, secret):
    """'pin' or 'password' for this role and secret, or raise AccountError saying what is wrong."""
    if PIN.match(secret) and role not in User.PASSWORD_ROLES:
        return User.PIN
    if role in User.PASSWORD_ROLES and len(secret) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("Coordinators and case workers need a password of at least "
                             "%(count)d characters.", count=MIN_PASSWORD_LENGTH))
    if secret.isdigit() and len(secret) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("A PIN has exactly 6 digits."))
    if len(secret) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("A password needs at least %(count)d characters.",
                             count=MIN_PASSWORD_LENGTH))
    return User.PASSWORD


def create_user(username, role, secret, display_name=None, language="", must_change_secret=True):
    """Create an account after checking its username, role and secret; return the User."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError(_("A username has 2 to 32 letters, digits, dots, dashes or "
                             "underscores, starting with a letter or digit."))
    if role not in User.ROLES:
        raise AccountError(_("Unknown role %(role)s.", role=role))
    kind = secret_kind_of(role, secret)
    with database.atomic():
        if User.select().where(User.username == username).exists():
            raise AccountError(_("The username %(username)s is already taken.", username=username))
        return User.create(username=username, display_name=display_name or username, role=role,
                           secret_kind=kind, secret_hash=generate_password_hash(secret, HASH_METHOD),
                           language=language, must_change_secret=must_change_secret,
                           created_at=datetime.now())


def check_secret(user, secret):
    """True when secret is this user's PIN or password."""
    return check_password_hash(user.secret_hash, secret)
