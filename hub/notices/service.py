"""Rules for notices and urgent alerts: who may write to whom, who a notice is for, and each account's receipt
(first seen, acknowledged). The only writer of Notice and Receipt; each notice, acknowledgement and early end
is audited in the same transaction (a receipt's "seen" is not: it is written whenever a page shows a notice).

The audience rule: an account sees a notice when it is for the whole hub or for a group the account belongs
to. The sender and the coordinator also open it, with the list of who has seen and acknowledged it.
"""

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from hub import clock
from hub.audit.service import record
from hub.auth.models import User
from hub.db import database
from hub.groups.models import AccountGroup, Group
from hub.groups.service import accounts_in
from hub.notices.models import Notice, Receipt
from hub.text import clean, formatted
from hub.validation import FieldError, Problems

MAX_TITLE, MAX_BODY = 120, 2000
WHOLE_HUB = "all"  # the audience field's value for every account on the hub
HUB_WRITERS = User.CASE_STAFF  # may write to the whole hub and to any group
WRITERS = HUB_WRITERS + (User.FACILITATOR,)  # facilitators: to their own groups only
PAST_LIMIT = 50
TAGS = re.compile(r"<[^>]*>")


class NoticeError(FieldError):
    """A notice the hub refuses; str() says why, field names the form field."""


@dataclass(frozen=True)
class Draft:
    """A notice as the form parsed it (audience: WHOLE_HUB or a group id as text)."""

    audience: str
    title: str
    body: str
    urgent: bool = False
    ends_on: date | None = None


def groups_addressable_by(user):
    """The active groups this account may send a notice to: all for case staff, their own for a facilitator."""
    if user is None or user.role not in WRITERS:
        return []
    if user.role in HUB_WRITERS:
        return list(Group.active())
    return list(Group.active().join(AccountGroup).where(AccountGroup.user == user))


def may_address_hub(user):
    """True when this account may send a notice to everyone on the hub."""
    return user is not None and user.role in HUB_WRITERS


def _group_ids_of(user):
    return AccountGroup.select(AccountGroup.group).where(AccountGroup.user == user)


def in_audience(user, notice):
    """True when the notice is for this account: the whole hub, or a group it belongs to."""
    return user is not None and (notice.group_id is None or AccountGroup.select().where(
        (AccountGroup.user == user) & (AccountGroup.group == notice.group_id)).exists())


def may_manage(user, notice):
    """True for the sender and the coordinator: they see the receipts and may end the notice early."""
    return user is not None and (notice.created_by_id == user.id or user.role == User.COORDINATOR)


def may_read(user, notice):
    return may_manage(user, notice) or in_audience(user, notice)


def notice_body(notice):
    """The notice's text, cleaned when it was saved, ready for a page (a template global)."""
    return formatted(notice.body)


def _audience(user, draft):
    """The group addressed (None: the whole hub), or NoticeError."""
    if draft.audience == WHOLE_HUB:
        if not may_address_hub(user):
            raise NoticeError(_("You may send notices only to your own groups."), "audience")
        return None
    wanted = draft.audience.strip()
    group = next((group for group in groups_addressable_by(user) if str(group.id) == wanted), None)
    if group is None:
        raise NoticeError(_("Choose who the notice is for from the list."), "audience")
    return group


def _body(text):
    if len(text or "") > MAX_BODY:
        raise NoticeError(_("Please use at most %(count)d characters.", count=MAX_BODY), "body")
    cleaned = clean(text)
    if not TAGS.sub("", cleaned).strip():
        raise NoticeError(_("Please write the notice."), "body")
    return cleaned


def _title(text):
    title = " ".join((text or "").split())
    if not title:
        raise NoticeError(_("Please fill this in."), "title")
    if len(title) > MAX_TITLE:
        raise NoticeError(_("Please use at most %(count)d characters.", count=MAX_TITLE), "title")
    return title


def check_notice(user, draft, today):
    """(title, body, group addressed) of the draft, or NoticeError naming every field that is wrong."""
    problems = Problems(NoticeError)
    title = problems.check(_title, draft.title)
    body = problems.check(_body, draft.body)
    if draft.ends_on is not None and draft.ends_on < today:
        problems.add(_("The last day to show it cannot be in the past."), "ends_on")
    group = problems.check(_audience, user, draft)
    problems.done()
    return title, body, group


def create_notice(user, draft, today):
    """Send a notice (or an urgent alert) to a group or the whole hub; return the Notice."""
    with database.atomic():
        title, body, group = check_notice(user, draft, today)
        notice = Notice.create(group=group, title=title, body=body, urgent=bool(draft.urgent), created_by=user,
                               created_at=clock.now(), ends_on=draft.ends_on)
        record("notice.created", notice, detail="urgent" if notice.urgent else "", user=user)
    return notice


def end_notice(user, notice):
    """Stop showing a notice before its last day (the child was found); return the Notice."""
    with database.atomic():
        current = Notice.get_by_id(notice.id)
        if current.ended_at is None:
            current.ended_at, current.ended_by = clock.now(), user
            current.save()
            record("notice.ended", current, user=user)
    return current


def _visible(query, user):
    """Narrow a query of notices to those this account may read (the coordinator reads them all)."""
    if user.role == User.COORDINATOR:
        return query
    return query.where(Notice.group.is_null() | Notice.group.in_(_group_ids_of(user))
                       | (Notice.created_by == user))


def notices_for(user, today):
    """The notices shown today that this account may read, urgent first, then newest first."""
    notices = list(_visible(Notice.current(today), user))
    return sorted(notices, key=lambda notice: not notice.urgent)


def past_notices_for(user, today):
    """The notices no longer shown (ended or past their last day) that this account may read, newest first."""
    query = Notice.select().where(Notice.ended_at.is_null(False) | (Notice.ends_on < today))
    return list(_visible(query, user).order_by(Notice.created_at.desc(), Notice.id.desc()).limit(PAST_LIMIT))


def _for_me(user, today):
    """Current notices addressed to this account that someone else sent."""
    return (Notice.current(today)
            .where((Notice.group.is_null() | Notice.group.in_(_group_ids_of(user))) & (Notice.created_by != user)))


def waiting_alerts(user, today):
    """The urgent alerts this account has not yet acknowledged, newest first (none for visitors)."""
    if user is None:
        return []
    acknowledged = Receipt.select(Receipt.notice).where((Receipt.user == user)
                                                        & Receipt.acknowledged_at.is_null(False))
    return list(_for_me(user, today).where(Notice.urgent & Notice.id.not_in(acknowledged)))


def unseen_count(user, today):
    """How many current notices for this account it has not yet seen (0 for visitors)."""
    if user is None:
        return 0
    seen = Receipt.select(Receipt.notice).where(Receipt.user == user)
    return _for_me(user, today).where(Notice.id.not_in(seen)).count()


def mark_seen(user, notices):
    """Record that these notices were shown to this account (the first time only; not for the sender)."""
    ids = [notice.id for notice in notices if notice.created_by_id != user.id and in_audience(user, notice)]
    if ids:  # a GET writes only the first time: an unchanged home page must not cost a write on every view
        seen = set(Receipt.select(Receipt.notice).where((Receipt.user == user) & Receipt.notice.in_(ids)).tuples())
        ids = [notice_id for notice_id in ids if (notice_id,) not in seen]
    if not ids or database.read_only:  # a read-only hub still shows notices; it cannot note who saw them
        return
    now = clock.now()
    with database.atomic():
        (Receipt.insert_many([{"notice": notice_id, "user": user, "seen_at": now} for notice_id in ids])
         .on_conflict_ignore().execute())


def acknowledge(user, notice):
    """The account has read the alert (one tap); return its Receipt. Tapping twice changes nothing."""
    if not in_audience(user, notice):
        raise NoticeError(_("This notice is not for you."))
    with database.atomic():
        now = clock.now()
        receipt = Receipt.get_or_none((Receipt.notice == notice) & (Receipt.user == user))
        if receipt is None:
            receipt = Receipt.create(notice=notice, user=user, seen_at=now)
        if receipt.acknowledged_at is None:
            receipt.acknowledged_at = now
            receipt.save()
            record("notice.acknowledged", notice, user=user)
    return receipt


@dataclass(frozen=True)
class Receipts:
    """Who a notice is for (active accounts, the sender apart) and what each did: rows of (user, receipt)."""

    rows: list
    seen: int
    acknowledged: int

    @property
    def total(self):
        return len(self.rows)


def receipts_of(notice):
    """The notice's audience with each account's receipt (None: not seen yet), those who have not
    acknowledged first."""
    if notice.group_id is None:
        accounts = list(User.select().where(User.active).order_by(User.display_name))
    else:
        accounts = accounts_in(notice.group)
    accounts = [account for account in accounts if account.id != notice.created_by_id]
    receipts = {receipt.user_id: receipt for receipt in Receipt.select().where(Receipt.notice == notice)}
    rows = [(account, receipts.get(account.id)) for account in accounts]
    rows.sort(key=lambda row: (row[1] is not None and row[1].acknowledged_at is not None,
                               row[0].display_name.casefold()))
    receipts = [receipt for _account, receipt in rows]
    return Receipts(rows=rows, seen=sum(1 for receipt in receipts if receipt is not None),
                    acknowledged=sum(1 for receipt in receipts if receipt and receipt.acknowledged_at))
