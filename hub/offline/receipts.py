"""Idempotency keys: each submission kept on a phone carries a key made when its form was filled; the hub
stores each key once, in the same transaction as what it saved, so a second delivery of the same submission
changes nothing.

Data flow: phone outbox (static/outbox.js) or a page's form -> the area's view -> once() around the area's own
service function (hub.cases, hub.sessions), which stays the only writer of its records.
"""

import re
from datetime import datetime, time, timedelta

from flask import request
from peewee import IntegrityError

from hub import clock
from hub.db import database
from hub.offline.models import Receipt

KEEP_RECEIPT_DAYS = 180  # twice the longest a phone may keep a form: a key outlives every copy of its form
KEY = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")  # crypto.randomUUID()


class AlreadyReceived(Exception):
    """This key was stored before: the submission was saved then, and nothing is saved now."""


def valid_key(value):
    """The idempotency key in value, lower case, or None when it is not one the phone makes."""
    value = (value or "").strip().lower()
    return value if KEY.match(value) else None


def posted_key():
    """The idempotency key the phone's outbox added to the form being posted, or None (no script)."""
    return valid_key(request.form.get("idempotency_key"))


def once(key, kind, user, save):
    """Run save() and store key with what it returned, in one transaction. Raise AlreadyReceived, saving
    nothing, when the key is stored already. With no key (a page sent without the outbox) just save()."""
    if key is None:
        return save()
    try:
        with database.atomic():
            if Receipt.get_or_none(Receipt.key == key) is not None:
                raise AlreadyReceived(key)
            saved = save()
            Receipt.create(key=key, kind=kind, user=user, object_id=getattr(saved, "id", None),
                           received_at=clock.now())
    except IntegrityError:
        # Two deliveries of one submission at the same moment: the other one stored the key first.
        if Receipt.get_or_none(Receipt.key == key) is not None:
            raise AlreadyReceived(key) from None
        raise
    return saved


def forget_old(today, days=KEEP_RECEIPT_DAYS):
    """Delete the keys received more than `days` ago (a scheduler job): no phone still holds their forms, as a
    phone deletes a kept form after at most hub.offline.service.MAX_KEEP_DAYS. Return how many were deleted."""
    cutoff = datetime.combine(today - timedelta(days=days), time.min)
    with database.atomic():
        return Receipt.delete().where(Receipt.received_at < cutoff).execute()
