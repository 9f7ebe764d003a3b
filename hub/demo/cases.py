"""Demo cases: concerns reported over the last three months and the work done on them, in every state.

The cases are the stories of hub.demo.case_stories, replayed together in the order of their moments with
the hub's clock set to each moment, so the case logs, the audit log and every date agree as if the work had
been done on those days; the newest concern is from yesterday evening, and one follow-up visit of the demo
case worker is overdue.
"""

from contextlib import contextmanager
from datetime import datetime, time, timedelta
from heapq import heappop, heappush

from hub import clock
from hub.auth.models import User
from hub.demo.case_stories import STORIES
from hub.demo.people import HAMLETS


@contextmanager
def _clock_at(moment):
    """The hub's clock reads `moment` meanwhile: the writers stamp what they write with it."""
    now, today = clock.now, clock.today
    clock.now, clock.today = (lambda: moment), (lambda: moment.date())
    try:
        yield
    finally:
        clock.now, clock.today = now, today


def _replay(stories):
    """Take the stories' steps in the order of their moments (a story's own order kept), each with the
    hub's clock at its moment."""
    queue = []

    def schedule(index, story):
        moment = next(story, None)
        if moment is not None:
            heappush(queue, (moment, index, story))

    for index, story in enumerate(stories):
        schedule(index, story)
    while queue:
        moment, index, story = heappop(queue)
        with _clock_at(moment):
            schedule(index, story)


class Cast:
    """Who acts in the stories, the services they refer to, and the children the stories are about."""

    def __init__(self, build):
        self.rng, self.today, self.services = build.rng, clock.today(), build.services
        users = User.select().where(User.username.in_(("coordinator", "caseworker", "facilitator", "member")))
        self.users = {user.username: user for user in users}
        # Children the facilitator may name in a report: in her groups, with their family's consent.
        self.children = sorted((child for children in build.children_by_group.values() for child in children
                                if child.has_consent), key=lambda child: child.id)

    def at(self, days_ago, hour, minute=0):
        """The moment `days_ago` days before today at hour:minute."""
        return datetime.combine(self.today - timedelta(days=days_ago), time(hour, minute))

    def day(self, days_from_today):
        """The day `days_from_today` days after today (before it when negative)."""
        return self.today + timedelta(days=days_from_today)

    def child(self, sex, youngest, oldest):
        """A child of this sex and age not yet in a story, drawn by the seed; None when there is none."""
        fits = [child for child in self.children
                if child.sex == sex and youngest <= self.today.year - child.birth_year <= oldest]
        if not fits:
            return None
        chosen = self.rng.choice(fits)
        self.children.remove(chosen)
        return chosen

    def hamlet(self):
        """A hamlet of the village, drawn by the seed."""
        return self.rng.choice(HAMLETS)

    def service(self, kind):
        """The directory's first service of this kind."""
        return self.services[kind][0]


def add_cases(build):
    """The concerns and cases of STORIES, through the cases area, in the order they happened."""
    cast = Cast(build)
    _replay([story(cast) for story in STORIES])
