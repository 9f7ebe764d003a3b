"""A month's summary (issue: federation pipeline): `federation.summary.build` on five years of a village, and
the size of the bundle that month would leave the hub as.

Run on its own with `python -m bench.summary` (prints the rows); `bench/measures.py` lists it in MEASURES.
The measure runs in a child process on its own throwaway data folder, so the bench's own hub and servers
are untouched: `python -m bench.summary --child DIR` seeds DIR and prints the figures as JSON.

The village is written row by row in bulk (the demo's `seed-demo` enters every record today, so under the
rule of the month a record counts in its past months would be empty): 300 children and 60 adults, 2,500
sessions over five years with named attendance, guests at awareness events, 360 concerns with referrals, the
migration and school registers, and a savings cycle a year of 25 members with weekly deposits and loans.
"""

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
YEARS, CHILDREN, ADULTS, SESSIONS = 5, 300, 60, 2500
CASES, DEPARTURES, DROPOUTS, SAVERS = 360, 200, 150, 25
RUNS = 5
SEED = 5


def _stamp(day, hour=16):
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)


def _typed(rng, day):
    """When a record of day was typed in: mostly within a week, now and then after its month's seal."""
    return _stamp(day, 20) + timedelta(days=rng.choice((0, 0, 0, 1, 2, 5, 9, 40)))


def seed(data_dir, end, seed=SEED):
    """Fill a fresh hub in data_dir with five years of a village up to the day before end."""
    from hub.app import create_app
    from hub.auth.models import User
    from hub.auth.service import create_user
    from hub.db import database
    from hub.groups.models import Group
    from hub.village.service import save_village

    rng = random.Random(seed)
    start = end.replace(year=end.year - YEARS)
    app = create_app({"DATA_DIR": str(data_dir)})
    with app.app_context(), database.connection_context(), database.atomic():
        save_village("Benchpur", "IN", "Bench district", ("hi", "en"))
        facilitators = [create_user(f"facilitator{index}", User.FACILITATOR, "bench-secret-1",
                                    display_name=f"F {index}") for index in range(6)]
        groups = [Group.create(name=f"Bench group {index}", kind=kind, description="", created_at=_stamp(start))
                  for index, kind in enumerate((Group.CHILDRENS_GROUP,) * 4 + (Group.MOTHERS_GROUP, Group.CARE_GROUP,
                                                                             Group.VIGILANCE_COMMITTEE))]
        children, adults, rosters = _people(rng, start, end, groups)
        _sessions(rng, start, end, groups, rosters, facilitators)
        _cases(rng, start, end, children)
        _registers(rng, start, end, groups, children)
        _savings(rng, start, end, groups, adults)
    return app


def _people(rng, start, end, groups):
    """(children, adults, {group id: its members}): people written in bulk, in their groups."""
    from hub.people.models import GroupMember, Person

    people = []
    for index in range(CHILDREN + ADULTS):
        child = index < CHILDREN
        known = rng.random() < 0.95  # one in twenty has only an age band, as entered
        people.append(Person.create(
            name=f"Person {index}", name_key="", sex=rng.choice(("female", "male", "female", "male", "other")),
            birth_year=end.year - (rng.randint(4, 17) if child else rng.randint(19, 60)) if known else None,
            age_band="" if known else ("10-14" if child else "25+"),
            consent_by="guardian", consent_on=start, created_at=_stamp(start)))
    children, adults = people[:CHILDREN], people[CHILDREN:]
    rosters = {group.id: (children[index::4] if index < 4 else adults[index - 4::3])
               for index, group in enumerate(groups)}
    for group in groups:
        GroupMember.insert_many([{"group": group.id, "person": person.id, "joined_on": start}
                                 for person in rosters[group.id]]).execute()
    return children, adults, rosters


def _sessions(rng, start, end, groups, rosters, facilitators):
    """SESSIONS sessions spread over the years, with named attendance and guests."""
    from hub.curriculum.models import Topic
    from hub.sessions.models import Attendance, GuestCount, Meeting, MeetingFacilitator, MeetingTopic

    days = (end - start).days
    topics = list(Topic.select())
    kinds = [Meeting.LIFE_SKILLS] * 14 + [Meeting.PARENT_MEETING, Meeting.GROUP_MEETING, Meeting.COMMITTEE_MEETING,
                                          Meeting.AWARENESS_EVENT, Meeting.VOLUNTEER_TRAINING]
    for number in range(SESSIONS):
        day = start + timedelta(days=number * days // SESSIONS)
        kind = rng.choice(kinds)
        group = groups[rng.randrange(4)] if kind == Meeting.LIFE_SKILLS else groups[rng.randrange(4, 7)]
        status = rng.choices((Meeting.HELD, Meeting.CANCELLED, Meeting.PLANNED), (92, 6, 2))[0]
        meeting = Meeting.create(group=group, kind=kind, starts_at=_stamp(day), status=status,
                                 created_at=_stamp(day - timedelta(days=7), 9))
        MeetingFacilitator.create(meeting=meeting, user=rng.choice(facilitators))
        if kind == Meeting.LIFE_SKILLS:
            for topic in rng.sample(topics, 2):
                MeetingTopic.create(meeting=meeting, topic=topic)
        if status == Meeting.HELD:
            Attendance.insert_many([{"meeting": meeting.id, "person": person.id,
                                     "status": "present" if rng.random() < 0.8 else "absent"}
                                    for person in rosters[group.id]]).execute()
            if kind == Meeting.AWARENESS_EVENT:
                GuestCount.insert_many([{"meeting": meeting.id, "sex": sex, "age_band": band,
                                         "count": rng.randint(3, 20)}
                                        for sex, band in (("female", "25+"), ("male", "25+"), ("female", "10-14"))
                                        ]).execute()

def _cases(rng, start, end, children):
    """CASES concerns, some with referrals typed in later."""
    from hub.audit.models import AuditEvent
    from hub.cases.models import CATEGORIES, Case, Referral
    from hub.services.models import KINDS as SERVICE_KINDS
    from hub.services.models import Service

    days = (end - start).days
    services = [Service.create(name=f"Service {kind}", kind=kind) for kind in SERVICE_KINDS]
    for _ in range(CASES):
        reported = start + timedelta(days=rng.randrange(days))
        risk = rng.choice(("", "low", "medium", "high", "immediate"))
        closed = reported + timedelta(days=rng.randint(5, 120))
        closed = closed if risk and closed < end else None
        status = Case.CLOSED if closed else Case.ASSESSED if risk else Case.REPORTED
        case = Case.create(category=rng.choice(CATEGORIES), risk=risk, reported_at=_stamp(reported, 11),
                           child=rng.choice(children), status=status, closed_on=closed,
                           closed_reason="done" if closed else "")
        for _ in range(rng.choice((0, 1, 1, 2)) if risk else 0):
            referred = min(reported + timedelta(days=rng.randint(0, 40)), end - timedelta(days=1))
            referral = Referral.create(case=case, service=rng.choice(services), referred_on=referred, reason="help",
                                       days_from_report=(referred - reported).days)
            AuditEvent.create(at=_typed(rng, referred), action="referral.created", object_type="referral",
                              object_id=str(referral.id))

def _registers(rng, start, end, groups, children):
    """The migration register and the school drop-outs."""
    from hub.migration.models import Departure
    from hub.schools.models import Dropout

    days = (end - start).days
    for number in range(DEPARTURES):
        left = start + timedelta(days=rng.randrange(days))
        back = left + timedelta(days=rng.randint(20, 400))
        Departure.create(committee=groups[6], name=f"Migrant {number}", age=rng.randint(12, 50), left_on=left,
                         destination="City", purpose="work", returned_on=back if back < end else None,
                         created_at=_typed(rng, left))
    for child in rng.sample(children, DROPOUTS):
        left = start + timedelta(days=rng.randrange(days))
        back = left + timedelta(days=rng.randint(30, 300))
        Dropout.create(child=child, left_on=left, reason="work", reenrolled_on=back if back < end else None,
                       reenrolled_school="School" if back < end else "", created_at=_typed(rng, left))

def _savings(rng, start, end, groups, adults):
    """A savings cycle a year of SAVERS members with weekly deposits and a loan every four weeks."""
    from hub.savings.models import DEPOSIT, LOAN, REPAYMENT, SavingsApproval, SavingsCycle, SavingsEntry, SavingsMember

    for year in range(YEARS):
        opens = start.replace(year=start.year + year) + timedelta(days=10)
        cycle = SavingsCycle.create(group=groups[4], name=f"Cycle {year}", starts_on=opens,
                                    ends_on=opens + timedelta(days=350), share_value=5000, social_amount=1000,
                                    rate_bp=200, created_at=_stamp(opens))
        members = [SavingsMember.create(cycle=cycle, person=person, joined_on=opens)
                   for person in rng.sample(adults, SAVERS)]
        rows = []
        for week in range(50):
            day = opens + timedelta(weeks=week)
            if day >= end:
                break
            rows += [{"cycle": cycle.id, "kind": DEPOSIT, "member": member.id,
                      "amount": 5000 * rng.randint(1, 4), "ref": None, "on_day": day,
                      "created_at": _stamp(day)}
                     for member in members]
            if week % 4 == 1 and day + timedelta(days=30) < end:
                borrower = rng.choice(members[2:])
                loan = SavingsEntry.create(cycle=cycle, kind=LOAN, member=borrower, amount=20000, interest=1200,
                                           rate_bp=200, months=3, on_day=day, created_at=_stamp(day))
                for officer in members[:2]:
                    SavingsApproval.create(entry=loan, officer=officer, approved_at=_stamp(day))
                rows.append({"cycle": cycle.id, "kind": REPAYMENT, "member": borrower.id, "amount": 10600,
                             "ref": loan.id, "on_day": day + timedelta(days=30),
                             "created_at": _stamp(day + timedelta(days=30))})
        SavingsEntry.insert_many(rows).execute()


def figures(data_dir, runs=RUNS):
    """Seed data_dir, then {"build_s": [seconds per run], "slowest_month_s": s, "bundle_bytes": n, "how": ...}
    for the last complete month (and the slowest build of the twelve before it)."""
    end = date.today().replace(day=1)
    app = seed(data_dir, end)  # first: it imports hub.app, which imports the hub's areas in their order

    from federation import publish, signing, summary
    from hub.db import database
    from hub.sessions.models import Attendance, Meeting

    last = end - timedelta(days=1)
    period = f"{last.year:04d}-{last.month:02d}"
    with app.app_context(), database.connection_context():
        counts = {"sessions": Meeting.select().count(), "attendance_rows": Attendance.select().count()}
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            raw = summary.build(period)
            times.append(time.perf_counter() - started)
        months, day = [], last
        for _ in range(12):
            day = day.replace(day=1) - timedelta(days=1)
            started = time.perf_counter()
            summary.build(f"{day.year:04d}-{day.month:02d}")
            months.append(time.perf_counter() - started)
        identity = signing.load_or_create(data_dir, signing.HUB)
        try:
            content, _ = publish.preview(period, identity)
            size, how = len(content), "publish.preview: the signed bundle of its first release"
        except Exception as error:  # the pipeline after summary may not be there yet
            size, how = len(json.dumps(raw).encode()), f"len(json.dumps(raw)): preview failed ({error})"
    return {"period": period, "build_s": times, "slowest_month_s": max(months), "bundle_bytes": size, "how": how,
            **counts}


def child_figures():
    """figures() in a child process on a throwaway folder (the hub's database object is process-wide)."""
    root = tempfile.mkdtemp(prefix="bench-summary-")
    try:
        env = {key: value for key, value in os.environ.items() if not key.startswith("COMMUNITYHUB_")}
        done = subprocess.run([sys.executable, "-m", "bench.summary", "--child", str(Path(root, "hub"))], cwd=REPO,
                              env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
        if done.returncode:
            raise RuntimeError(f"`python -m bench.summary --child` failed ({done.returncode}): {done.stderr[-2000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def monthly_summary(session=None):
    """One month's summary on five years of a village written in bulk into a throwaway hub (300 children,
    60 adults, 2,500 sessions with named attendance, 360 concerns, 200 departures, 150 drop-outs, a savings
    cycle of 25 a year): `federation.summary.build` of the last complete month, median of 5 runs, and the
    slowest build of the 12 months before it; then the bytes of the bundle that month would leave as
    (`federation.publish.preview`, signed, canonical JSON). In a child process, on one core of this machine."""
    from bench.measures import Row

    result = child_figures()
    build = statistics.median(result["build_s"])
    detail = ", ".join(f"{value * 1000:.0f}" for value in result["build_s"])
    return [
        Row(f"build of {result['period']}, median of {len(result['build_s'])}", build, "s", "summary_build_s",
            f"runs: {detail} ms; {result['sessions']} sessions, {result['attendance_rows']} attendance rows"),
        Row("build, slowest of the 12 months before", result["slowest_month_s"], "s"),
        Row("bundle of that month", result["bundle_bytes"], "bytes", "bundle_bytes", result["how"]),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    os.chdir(REPO)
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(figures(Path(sys.argv[2]))))
    else:
        for row in monthly_summary():
            value = "n/a" if row.value is None else f"{row.value:.3f}"
            print(json.dumps({"label": row.label, "value": value, "unit": row.unit, "note": row.note}))
