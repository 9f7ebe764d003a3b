"""A meeting's sheet: the roll call and, per member, the shares bought and the social fund paid, recorded
as one change."""

from dataclasses import dataclass

from flask_babel import gettext as _
from peewee import JOIN, fn

from hub import clock
from hub.audit.service import record
from hub.db import database
from hub.savings.models import DEPOSIT, SOCIAL_FUND, SavingsMeeting, SavingsMember, SavingsPresence
from hub.savings.plausible import MAX_SHARES
from hub.savings.service import SavingsError, check_day, check_open, write_entry
from hub.validation import Problems


@dataclass(frozen=True)
class Line:
    """One member's line of a meeting sheet, as typed (shares as text)."""

    member_id: int
    present: bool
    shares: str = ""
    social: bool = False


def check_meeting(cycle, held_on, lines):
    """[(member, present, shares, social)] of a meeting's sheet, or SavingsError naming every field that is
    wrong (a wrong line: field "shares-<member id>")."""
    problems = Problems(SavingsError)
    if problems.check(check_day, held_on, "held_on", cycle) is not None and (
            SavingsMeeting.select().where((SavingsMeeting.cycle == cycle) & (SavingsMeeting.held_on == held_on))
            .exists()):
        problems.add(_("A meeting on this day is already recorded."), "held_on")
    members = {member.id: member for member in SavingsMember.select().where(SavingsMember.cycle == cycle)}
    parsed = []
    for line in lines:
        typed = (line.shares or "").strip()
        if line.member_id not in members:
            problems.add(_("Choose a member of this group from the list."))
        elif typed and not (typed.isdigit() and int(typed) <= MAX_SHARES):
            problems.add(_("Give a number of shares from 0 to %(count)d.", count=MAX_SHARES),
                         f"shares-{line.member_id}")
        else:
            parsed.append((members[line.member_id], line.present, int(typed or 0), line.social))
    problems.done()
    return parsed


def record_meeting(cycle, held_on, lines, user=None):
    """Record a meeting: its roll call and, per member, the shares bought and the social fund paid.

    Returns the meeting. A wrong line raises SavingsError with field "shares-<member id>"."""
    with database.atomic():
        check_open(cycle)
        parsed = check_meeting(cycle, held_on, lines)
        meeting = SavingsMeeting.create(cycle=cycle, held_on=held_on, recorded_by=user, created_at=clock.now())
        for member, present, shares, social in parsed:
            SavingsPresence.create(meeting=meeting, member=member, present=present)
            if shares:
                write_entry(cycle, DEPOSIT, member, shares * cycle.share_value, held_on, "", user, meeting=meeting)
            if social and cycle.social_amount:
                write_entry(cycle, SOCIAL_FUND, member, cycle.social_amount, held_on, "", user, meeting=meeting)
        record("savings.meeting_recorded", meeting, detail=f"cycle {cycle.id}", user=user)
    return meeting


def meetings_of(cycle):
    """The cycle's meetings, newest first, each with .present and .absent counts."""
    present = fn.SUM(SavingsPresence.present.cast("INTEGER"))
    return list(SavingsMeeting.select(SavingsMeeting, present.alias("present"),
                                      fn.COUNT(SavingsPresence.id).alias("marked"))
                .join(SavingsPresence, JOIN.LEFT_OUTER).where(SavingsMeeting.cycle == cycle)
                .group_by(SavingsMeeting.id).order_by(SavingsMeeting.held_on.desc()))
