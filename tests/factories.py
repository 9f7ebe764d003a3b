"""Factories: plain functions with valid defaults; pass overrides for what a test cares about."""

from hub.auth.service import create_user
from hub.village.service import save_village


def make_village(**overrides):
    values = {"name": "Rampur", "country": "IN", "district": "Murshidabad", "languages": ("hi", "en")}
    values.update(overrides)
    save_village(**values)
    return values


_counter = iter(range(1, 10**9))


def make_user(**overrides):
    values = {"username": f"user{next(_counter)}", "role": "facilitator", "secret": "123456"}
    values.update(overrides)
    return create_user(**values)
