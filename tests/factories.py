"""Factories: plain functions with valid defaults; pass overrides for what a test cares about."""

import itertools

from hub.auth.models import User
from hub.auth.service import create_user
from hub.village.service import save_village

ROLES = User.ROLES
_counter = itertools.count(1)


def make_village(**overrides):
    values = {"name": "Rampur", "country": "IN", "district": "Murshidabad", "languages": ("hi", "en")}
    values.update(overrides)
    save_village(**values)
    return values


def make_user(**overrides):
    values = {"username": f"user{next(_counter)}", "role": User.FACILITATOR, "secret": "123456"}
    values.update(overrides)
    return create_user(**values)
