"""Demo notices: an announcement to everyone, one to the youth forum, a past alert about a child who was found,
and an urgent alert about a missing child that every demo account but the coordinator has acknowledged (so
the coordinator's home page shows an alert, and the sender's page shows who has read it)."""

from datetime import datetime, time, timedelta

from hub import clock
from hub.auth.models import User
from hub.demo.cases import _clock_at
from hub.demo.people import _name
from hub.groups.models import Group
from hub.notices.service import (
    WHOLE_HUB,
    Draft,
    acknowledge,
    create_notice,
    end_notice,
    mark_seen,
)

MEETING = ("Village meeting on child marriage",
           "<p>Sunday at 10:00, in the school courtyard. The <strong>village council</strong> and the school "
           "committee will be there. Please bring your neighbours.</p>")
SESSION_MOVED = ("Life-skills session moved to Saturday",
                 "This week's session on keeping safe online is on <strong>Saturday at 16:00</strong>, not Friday.")


def _at(today, days_ago, hour):
    return datetime.combine(today - timedelta(days=days_ago), time(hour, 0))


def _missing(name, age, seen):
    return (f"Missing child: {name}, {age} years",
            f"<p>{name} has not been home since {seen}. If you see the child, keep them safe and call the case "
            f"worker or the child helpline at once.</p><ul><li>Last seen near the bus stand</li>"
            f"<li>Blue school uniform</li></ul>")


def add_notices(build):
    """Notices and alerts through hub.notices.service, each with the hub's clock at its day."""
    today = clock.today()
    accounts = {user.username: user for user in User.select()}
    coordinator, caseworker = accounts["coordinator"], accounts["caseworker"]
    others = [accounts[name] for name in ("facilitator", "member")]
    forum = next(group for group in build.groups if group.kind == Group.YOUTH_FORUM)

    found = _name(build.rng, build.country, "female")
    with _clock_at(_at(today, 40, 19)):
        past = create_notice(caseworker, Draft(WHOLE_HUB, *_missing(found, 11, "this afternoon"), urgent=True),
                             clock.today())
        for user in (coordinator, *others):
            acknowledge(user, past)
    with _clock_at(_at(today, 39, 8)):
        end_notice(caseworker, past)

    with _clock_at(_at(today, 5, 9)):
        meeting = create_notice(coordinator, Draft(WHOLE_HUB, *MEETING, ends_on=today + timedelta(days=10)),
                                clock.today())
    with _clock_at(_at(today, 5, 18)):
        mark_seen(caseworker, [meeting])
    with _clock_at(_at(today, 2, 17)):
        create_notice(accounts["facilitator"], Draft(str(forum.id), *SESSION_MOVED,
                                                     ends_on=today + timedelta(days=5)), clock.today())

    missing = _name(build.rng, build.country, "male")
    with _clock_at(_at(today, 1, 20)):
        alert = create_notice(caseworker, Draft(WHOLE_HUB, *_missing(missing, 12, "yesterday evening"), urgent=True,
                                                ends_on=today + timedelta(days=3)), clock.today())
    with _clock_at(_at(today, 0, 7)):
        for user in others:
            acknowledge(user, alert)
