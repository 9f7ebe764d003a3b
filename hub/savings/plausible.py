"""Plausible ranges for the amounts of the savings ledger (DHIS2's min/max values are the model).

A deposit of 100,000,000 typed for 100 is accepted by every other rule. Each kind of entry has a largest
plausible amount: the one the coordinator set for the cycle, or by default ten times the largest of that
kind in the group's own history, and never below ten times a thousand shares (a group without much history
yet). Outside it the form asks to confirm; a confirmed entry is saved and marked for review (audited).
"""

from flask_babel import gettext as _
from peewee import fn

from hub.savings import money
from hub.savings.models import REVERSAL, SavingsCycle, SavingsEntry

FACTOR = 10
FLOOR_SHARES = 1000  # with little history, the limit is at least FACTOR times this many shares
MAX_SHARES = 5  # shares a member may buy at one meeting, as most groups' constitutions say (the meeting sheet)


class OutsideRange(ValueError):
    """An amount beyond the plausible range that was not confirmed; str() says why and how to confirm."""


def largest_so_far(cycle, kind):
    """The largest amount of this kind in the group's ledgers (every cycle, corrections aside), or 0."""
    largest = (SavingsEntry.select(fn.MAX(SavingsEntry.amount)).join(SavingsCycle)
               .where((SavingsCycle.group == cycle.group_id) & (SavingsEntry.kind == kind)
                      & (SavingsEntry.kind != REVERSAL) & ~SavingsEntry.needs_review).scalar())
    return largest or 0


def limit_for(cycle, kind):
    """The largest plausible amount of this kind for the cycle, in minor units."""
    chosen = SavingsCycle.select(SavingsCycle.plausible_max).where(SavingsCycle.id == cycle.id).scalar()
    if chosen:  # read as saved now: the coordinator may have set it since the cycle row was loaded
        return chosen
    return FACTOR * max(largest_so_far(cycle, kind), FLOOR_SHARES * cycle.share_value)


def check(cycle, kind, amount, confirmed):
    """True when the amount is beyond the plausible range and confirmed (the entry is marked for review);
    False when it is within; OutsideRange when it is beyond and not confirmed."""
    limit = limit_for(cycle, kind)
    if amount <= limit:
        return False
    if not confirmed:
        raise OutsideRange(_("This is more than %(limit)s, the largest plausible amount for this group. Check "
                             "the amount; if it is right, tick “Yes, this is right” and save again: the entry "
                             "will be marked for review.", limit=money.show(limit)))
    return True
