"""Rules for accounts: valid usernames, roles and secrets, hashing, sign-in, and every account change.

This module is the only writer of User rows; each change is audited in the same transaction.
"""

import functools
import os
import re
import secrets
import threading

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from hub import clock
from hub.audit.service import record
from hub.auth import strength
from hub.auth.models import User
from hub.db import database
from hub.groups.service import GroupError, check_groups, groups_of, set_groups_of
from hub.validation import FieldError, Problems

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
PIN = re.compile(r"^[0-9]{6}$")
MIN_PASSWORD_LENGTH = 10
# scrypt (memory-hard, in werkzeug, no extra dependency) with N=2^14, r=8, p=1: 16 MB and about 50 ms of a
# desktop core a hash, a few tenths of a second on a Pi 3B+, so a meeting's 20 sign-ins take seconds, not half a
# minute (docs/benchmarks.md, "Password hashing", measures the choice). Hashes made with other parameters
# (werkzeug's default, 2^15) still verify: the parameters are stored in each hash.
HASH_METHOD = "scrypt:16384:8:1"
# The test suite alone sets this to cheaper scrypt parameters (tests/conftest.py): thousands of accounts are
# made there, and a real hub never has it set (tests/test_auth.py proves accounts get HASH_METHOD).
TEST_HASH_METHOD_ENV = "COMMUNITYHUB_TEST_HASH_METHOD"
# The bounded pool: at most two hashes at once, so a burst of sign-ins takes at most 32 MB of a Pi 3B+'s 1 GB,
# and the other threads keep serving pages meanwhile.
_HASHING = threading.BoundedSemaphore(2)

ROLE_LABELS = {
    User.COORDINATOR: _l("Coordinator"),
    User.CASE_WORKER: _l("Case worker"),
    User.FACILITATOR: _l("Facilitator"),
    User.MEMBER: _l("Member"),
}


class AccountError(FieldError):
    """An account request the hub refuses; str() is a message for the person who made it."""


def normalise_username(username):
    return (username or "").strip().lower()


def secret_kind_of(role, secret, username=""):
    """'pin' or 'password' for this role and secret, or raise AccountError saying what is wrong (the wrong
    length, or easy to guess: hub.auth.strength)."""
    if PIN.match(secret) and role not in User.PASSWORD_ROLES:
        kind = User.PIN
    elif role in User.PASSWORD_ROLES and len(secret) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("Coordinators and case workers need a password of at least "
                             "%(count)d characters.", count=MIN_PASSWORD_LENGTH), "secret")
    elif secret.isdigit() and len(secret) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("A PIN has exactly 6 digits."), "secret")
    elif len(secret) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("A password needs at least %(count)d characters.",
                             count=MIN_PASSWORD_LENGTH), "secret")
    else:
        kind = User.PASSWORD
    weakness = strength.problem(secret, username)
    if weakness is not None:
        raise AccountError(str(weakness), "secret")
    return kind


def _check_username(username):
    if not USERNAME.match(username):
        raise AccountError(_("A username has 2 to 32 letters, digits, dots, dashes or underscores, "
                             "starting with a letter or digit."), "username")
    if User.select().where(User.username == username).exists():
        raise AccountError(_("The username %(username)s is already taken.", username=username), "username")


def _check_role(role):
    if role not in User.ROLES:
        raise AccountError(_("Unknown role %(role)s.", role=role), "role")


def check_new_user(username, role, secret):
    """Refuse a new account's username, role and secret, every problem at once (missing values are left to
    the form); return the kind of secret."""
    problems = Problems(AccountError)
    problems.check(_check_role, role)
    kind = None
    if secret and role in User.ROLES:
        kind = problems.check(secret_kind_of, role, secret, normalise_username(username))
    if username:
        problems.check(_check_username, normalise_username(username))
    problems.done()
    return kind


def create_user(username, role, secret, display_name=None, language="", must_change_secret=True, group_ids=()):
    """Create an account after checking its username, role and secret; return the User."""
    username = normalise_username(username)
    kind = check_new_user(username, role, secret)
    secret_hash = hash_secret(secret)  # slow on purpose: outside the write lock
    with database.atomic():
        _check_username(username)
        user = User.create(username=username, display_name=(display_name or username).strip(), role=role,
                           secret_kind=kind, secret_hash=secret_hash,
                           language=language or "", must_change_secret=must_change_secret,
                           created_at=clock.now())
        _set_groups(user, group_ids)
        record("account.created", user, detail=role)
    return user


def _check_new_role(user, role):
    _check_role(role)
    if role in User.PASSWORD_ROLES and user.secret_kind == User.PIN:
        raise AccountError(_("This account signs in with a PIN. Reset it with a password of at least "
                             "%(count)d characters before giving it this role.", count=MIN_PASSWORD_LENGTH),
                           "role")
    if user.role == User.COORDINATOR and role != User.COORDINATOR:
        _keep_one_coordinator(user)


def check_user(user, role, group_ids=None):
    """Raise AccountError naming every field of a change to an account that is wrong."""
    problems = Problems(AccountError)
    problems.check(_check_new_role, user, role)
    if group_ids is not None:
        problems.check(_check_groups, group_ids)
    problems.done()


def update_user(user, display_name, role, language, group_ids=None):
    """Change an account's name, role, language and groups; a role that needs a password keeps its secret."""
    check_user(user, role, group_ids)
    with database.atomic():
        changes = [name for name, old, new in (("name", user.display_name, display_name),
                                               ("role", user.role, role),
                                               ("language", user.language, language)) if old != new]
        if group_ids is not None and set(group_ids) != {group.id for group in groups_of(user)}:
            changes.append("groups")
            _set_groups(user, group_ids)
        user.display_name, user.role, user.language = display_name.strip(), role, language or ""
        user.save()
        record("account.updated", user, detail=", ".join(changes))
    return user


def _check_groups(group_ids):
    try:
        check_groups(group_ids)
    except GroupError as error:
        raise AccountError(str(error), "groups") from None


def _set_groups(user, group_ids):
    try:
        set_groups_of(user, group_ids)
    except GroupError as error:
        raise AccountError(str(error), "groups") from None


def _keep_one_coordinator(user):
    others = User.select().where((User.role == User.COORDINATOR) & User.active & (User.id != user.id))
    if not others.exists():
        raise AccountError(_("The hub needs at least one active coordinator."), "role")


def reset_secret(user, secret):
    """Give an account a new temporary secret that must be changed at the next sign-in."""
    kind, secret_hash = secret_kind_of(user.role, secret, user.username), hash_secret(secret)
    with database.atomic():
        user.secret_kind, user.secret_hash = kind, secret_hash
        user.must_change_secret = True
        user.save()
        record("account.secret_reset", user)
    return user


def set_active(user, active):
    """Deactivate or reactivate an account (accounts are never deleted: the audit log names them)."""
    if not active and user.role == User.COORDINATOR:
        _keep_one_coordinator(user)
    with database.atomic():
        user.active = active
        user.save()
        record("account.reactivated" if active else "account.deactivated", user)
    return user


def _new_secret(user, current, new):
    if current == new:
        raise AccountError(_("Choose a new password or PIN, not the one you have now."), "new")
    try:
        return secret_kind_of(user.role, new, user.username)
    except AccountError as error:
        raise AccountError(str(error), "new") from None


def check_new_secret(user, current, new):
    """The kind of the new secret, or AccountError naming every field that is wrong."""
    problems = Problems(AccountError)
    if not check_secret(user, current or ""):
        problems.add(_("Your current password or PIN is not right."), "current")
    kind = problems.check(_new_secret, user, current, new or "")
    problems.done()
    return kind


def change_own_secret(user, current, new):
    """The signed-in user replaces their secret; the current one must be right and the new one differ."""
    kind = check_new_secret(user, current, new)
    secret_hash = hash_secret(new)
    with database.atomic():
        user.secret_kind, user.secret_hash = kind, secret_hash
        user.must_change_secret = False
        user.save()
        record("secret.changed", user, user=user)
    return user


def set_language(user, code):
    """The signed-in person picks the language of their pages."""
    with database.atomic():
        user.language = code
        user.save()
    return user


def temporary_secret(role):
    """A random secret of the kind the role signs in with, to hand over on paper."""
    while True:
        secret = secrets.token_urlsafe(9) if role in User.PASSWORD_ROLES else f"{secrets.randbelow(10**6):06d}"
        if strength.problem(secret) is None:
            return secret


def hash_secret(secret):
    """The scrypt hash of a PIN or password."""
    with _HASHING:
        return generate_password_hash(secret, os.environ.get(TEST_HASH_METHOD_ENV) or HASH_METHOD)


def check_secret(user, secret):
    """True when secret is this user's PIN or password."""
    with _HASHING:
        return check_password_hash(user.secret_hash, secret)


@functools.cache
def _dummy_hash():
    """Checked against when the username is unknown, so a wrong username takes as long as a wrong secret."""
    return hash_secret("not a real secret")


def authenticate(username, secret):
    """The active User with this username and secret, or None (in the same time either way)."""
    user = User.get_or_none(User.username == normalise_username(username))
    if user is None:
        with _HASHING:
            check_password_hash(_dummy_hash(), secret)
        return None
    if not check_secret(user, secret) or not user.active:
        return None
    return user


def request_unlock(username, data_dir):
    """Clear the sign-in failures of an account on every device (`communityhub user unlock`); -> the User.

    The running hub counts failures in its memory (hub/throttle.py): this leaves it a request, read at the
    account's next sign-in attempt.
    """
    from pathlib import Path

    from hub import throttle

    user = User.get_or_none(User.username == normalise_username(username))
    if user is None:
        raise AccountError(_("There is no account named %(username)s.", username=normalise_username(username)))
    throttle.unlock_request(Path(data_dir) / throttle.UNLOCK_FOLDER, user.username)
    with database.atomic():
        record("sign_in.unlocked", user, username=user.username)
    return user


def coordinator_exists():
    """True once set-up has made a coordinator."""
    return User.select().where(User.role == User.COORDINATOR).exists()
