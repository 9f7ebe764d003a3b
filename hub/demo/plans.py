"""Demo action plans: two goals the village chose, with the criteria it set, the formal actors of the demo
directory involved, and actions done, in progress, overdue, planned and dropped."""

from datetime import datetime, time, timedelta

from hub import clock
from hub.auth.models import User
from hub.demo.cases import _clock_at
from hub.demo.people import _name
from hub.plans.models import DONE, DROPPED, IN_PROGRESS, PLANNED
from hub.plans.service import ActionDraft, PlanDraft, add_action, create_plan
from hub.services.models import DISTRICT_CPU, NGO, POLICE, SCHOOL, VILLAGE_COUNCIL

# (goal, days ago agreed, criteria, formal link, how it lasts, kinds of services involved,
#  actions: (what, owner username or None for a named villager, days after agreement due, status))
PLANS = (
    ("Every child of the village back in school", 120,
     "No child out of school for more than a month.\nEvery drop-out visited by the committee within a week.",
     "The school's head teacher shares the attendance register each month; the village council follows up "
     "with families who do not respond.",
     "The school management committee keeps the list at its monthly meeting; the mothers' group pays for "
     "notebooks from its social fund.",
     (SCHOOL, VILLAGE_COUNCIL),
     (("List the children out of school, hamlet by hamlet", "facilitator", 14, DONE),
      ("Visit the family of each child out of school", None, 45, DONE),
      ("Ask the village council for bicycles for girls from the far hamlets", "coordinator", 90, IN_PROGRESS),
      ("Remedial classes run by the youth forum", "facilitator", 100, PLANNED),
      ("Second round of home visits", None, 150, PLANNED))),
    ("No child marriage in the village this year", 60,
     "Every marriage of a girl under 18 we hear of is reported the same day.\nTwo awareness events a term.",
     "The district child protection unit and the police station are called for each planned child marriage.",
     "The care group's members watch over their own hamlets; the village council announces the law at each "
     "gram sabha.",
     (DISTRICT_CPU, POLICE, NGO),
     (("Awareness event at the weekly market", "caseworker", 20, DONE),
      ("Put the helpline number on the school wall", None, 30, DROPPED),
      ("Meet the religious leaders who perform marriages", "coordinator", 50, IN_PROGRESS),
      ("Street play by the older children's group", "facilitator", 75, PLANNED))),
)


def add_plans(build):
    """The demo plans and their actions, through hub.plans.service, each with the hub's clock at its day."""
    today = clock.today()
    accounts = {user.username: user for user in User.select()}
    for goal, days_ago, criteria, link, lasts, kinds, actions in PLANS:
        agreed_on = today - timedelta(days=days_ago)
        services = [str(service.id) for kind in kinds for service in build.services.get(kind, [])[:1]]
        with _clock_at(datetime.combine(agreed_on, time(11, 0))):
            plan = create_plan(accounts["coordinator"], PlanDraft(goal, agreed_on, criteria, link, lasts,
                                                                  tuple(services)), agreed_on)
            for what, owner, due_after, status in actions:
                draft = ActionDraft(what, agreed_on + timedelta(days=due_after),
                                    owner=str(accounts[owner].id) if owner else "",
                                    owner_name="" if owner else _name(build.rng, build.country, "female"),
                                    status=status)
                add_action(plan, accounts["coordinator"], draft)
