"""A deterministic, realistic synthetic village for demos and benchmarks (`communityhub seed-demo`).

Everything but the login secrets follows from the seed: the same seed builds the same village. The
secrets are random and kept, 0600, in the data folder, so a demo never ships a known password.
"""

import random
from pathlib import Path

from hub.auth.models import User
from hub.auth.service import create_user, temporary_secret
from hub.db import database
from hub.demo.cases import add_cases
from hub.demo.migration import add_departures
from hub.demo.notices import add_notices
from hub.demo.people import add_people
from hub.demo.plans import add_plans
from hub.demo.savings import add_savings
from hub.demo.schools import add_school_status
from hub.demo.services import add_services
from hub.demo.sessions import add_sessions
from hub.groups.models import Group
from hub.groups.service import create_group, set_groups_of
from hub.instance import write_private
from hub.village.service import save_village

LOGINS_FILE = "demo-logins.txt"
VILLAGES = {
    "IN": (("Rampur", "Murshidabad"), ("Sitapur", "Bahraich"), ("Chandanpur", "Gaya")),
    "BD": (("Kashipur", "Satkhira"), ("Charbhadrasan", "Faridpur")),
    "NP": (("Bhimpur", "Sindhupalchok"), ("Dhulikhel", "Kavre")),
    "PE": (("San Miguel", "Huancavelica"), ("Santa Rosa", "Ayacucho")),
}
LANGUAGES = {"IN": ("hi", "en"), "BD": ("bn", "en"), "NP": ("en", "hi"), "PE": ("es", "en")}
DEMO_ACCOUNTS = (
    ("coordinator", User.COORDINATOR, "Asha Devi"),
    ("caseworker", User.CASE_WORKER, "Ravi Kumar"),
    ("facilitator", User.FACILITATOR, "Pooja Das"),
    ("member", User.MEMBER, "Meena Bibi"),     # renamed by the savings step: the group's treasurer
    ("officer", User.MEMBER, "Lakshmi Bai"),   # renamed by the savings step: the group's second officer
)


class Village:
    """What the steps share while one village is built."""

    def __init__(self, rng, children, years):
        self.rng, self.children, self.years = rng, children, years
        self.logins = {}


def add_village(build):
    build.country = build.rng.choice(sorted(VILLAGES))
    name, district = build.rng.choice(VILLAGES[build.country])
    save_village(name, build.country, district, LANGUAGES[build.country])


def add_accounts(build):
    for username, role, display_name in DEMO_ACCOUNTS:
        build.logins[username] = temporary_secret(role)
        create_user(username, role, build.logins[username], display_name=display_name,
                    must_change_secret=False)


DEMO_GROUPS = (
    ("Community care group", Group.CARE_GROUP, "Adults who watch over the village's children."),
    ("Mothers' group", Group.MOTHERS_GROUP, "Parenting sessions, savings and a small shared shop."),
    ("Youth volunteers' forum", Group.YOUTH_FORUM, "Young people who run life-skills sessions for children."),
    ("Children's group (younger)", Group.CHILDRENS_GROUP, "Children aged 8 to 12, with a captain and a mentor."),
    ("Children's group (older)", Group.CHILDRENS_GROUP, "Children aged 13 to 17, with a captain and a mentor."),
    ("Vigilance committee", Group.VIGILANCE_COMMITTEE, "Keeps the register of people who migrate."),
    ("School management committee", Group.SCHOOL_COMMITTEE, "Acts as the school's child protection committee."),
)
# Which demo account belongs to which demo groups (by kind).
DEMO_MEMBERSHIP = {"facilitator": (Group.YOUTH_FORUM, Group.CHILDRENS_GROUP),
                   "member": (Group.MOTHERS_GROUP, Group.VIGILANCE_COMMITTEE),
                   "officer": (Group.MOTHERS_GROUP,)}


def add_groups(build):
    build.groups = [create_group(name, kind, description) for name, kind, description in DEMO_GROUPS]
    for username, kinds in DEMO_MEMBERSHIP.items():
        user = User.get(User.username == username)
        set_groups_of(user, [group.id for group in build.groups if group.kind in kinds])


# Each area that keeps data adds its step here; each step runs in one transaction.
STEPS = (("village", add_village), ("accounts", add_accounts), ("groups", add_groups), ("people", add_people),
         ("sessions", add_sessions), ("services", add_services), ("cases", add_cases),
         ("migration", add_departures), ("schools", add_school_status),
         ("notices", add_notices), ("plans", add_plans), ("savings", add_savings))


def seed(data_dir, children=120, years=1, seed=1, progress=None):
    """Fill an empty hub with a demo village; return {username: secret} of the demo accounts."""
    build = Village(random.Random(seed), children, years)
    for label, step in STEPS:
        with database.atomic():
            step(build)
        if progress:
            progress(label)
    write_private(Path(data_dir) / LOGINS_FILE, format_logins(build.logins))
    return build.logins


def format_logins(logins):
    return "".join(f"{username:<12} {secret}\n" for username, secret in logins.items())


def saved_logins(data_dir):
    """The demo logins text kept by seed(), or '' when this hub was not seeded."""
    path = Path(data_dir) / LOGINS_FILE
    return path.read_text(encoding="utf-8") if path.exists() else ""
