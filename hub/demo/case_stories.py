"""The demo cases' stories: what was reported and the work done on each case, step by step.

Each story is a generator over a Cast (hub.demo.cases): it yields the moment of its next step, then takes
that step through the cases area with the hub's clock at that moment. Narratives are demo data in English.
"""

from hub import clock
from hub.cases.casework import add_action, add_follow_up, record_consent
from hub.cases.concerns import Report, report_concern
from hub.cases.models import (
    CHILD_LABOUR,
    CHILD_MARRIAGE,
    MISSING_CHILD,
    PHYSICAL_ABUSE,
    SCHOOL_DROPOUT,
    SEXUAL_ABUSE,
    SUBSTANCE_ABUSE,
    TRAFFICKING,
    Case,
    Referral,
)
from hub.cases.referrals import ReferralPlan, refer, update_referral
from hub.cases.transitions import Change, Triage, change_case, triage
from hub.services.models import (
    CHILD_HELPLINE,
    DISTRICT_CPU,
    HEALTH,
    LEGAL_SERVICES,
    NGO,
    POLICE,
    VILLAGE_COUNCIL,
)

KEEP = object()  # _move(): leave the next follow-up as it is


def _first_name(child, sex):
    if child is None:
        return "The girl" if sex == "female" else "The boy"
    return child.name.split()[0]


def _named(cast, category, sex, ages, what_happened, in_danger=False):
    """A concern the demo facilitator reports about a child of her groups (described if none fits); return
    (Case, the child's first name)."""
    child = cast.child(sex, *ages)
    name = _first_name(child, sex)
    description = "" if child is not None else \
        f"{'Girl' if sex == 'female' else 'Boy'}, {ages[0]} to {ages[1]}, in the children's group"
    report = Report(category, what_happened.format(name=name), in_danger, child_id=child.id if child else None,
                    child_description=description, place=child.hamlet if child else "")
    return report_concern(report, cast.users["facilitator"], with_reference=False), name


def _anonymous(category, description, place, what_happened, in_danger=False, user=None):
    """A concern reported by someone who did not sign in (or by an account that may not name children)."""
    return report_concern(Report(category, what_happened, in_danger, child_description=description, place=place),
                          user, with_reference=False)


def _triage(case, risk, note, user, holder):
    """Assess a new concern: its risk, and the case worker (holder) who holds it from now on."""
    case = Case.get_by_id(case.id)
    return triage(case, case.version, Triage(case.category, risk, holder.id, note), user)


def _move(case, user, status, due=KEEP, closed_reason=""):
    """Change a case's status (or only its next follow-up) through the state machine."""
    case = Case.get_by_id(case.id)
    # The demo's case workers close a case knowingly, pending work or not (the form asks a person to confirm).
    change = Change(status, case.category, case.risk, case.assigned_to_id,
                    case.next_follow_up if due is KEEP else due, closed_reason, close_anyway=True)
    return change_case(case, case.version, change, user, clock.today())


def _refer(cast, case, kind, reason, shared="", details=False, user=None, override_reason=""):
    """Refer the case today to the service of this kind; an override reason makes it the coordinator's
    override (refer() checks the basis for sharing the child's details)."""
    plan = ReferralPlan(cast.service(kind).id, clock.today(), reason, shared, details, bool(override_reason),
                        override_reason)
    return refer(case, plan, user or cast.users["caseworker"], clock.today())


def _answer(referral, status, outcome, user):
    """Record what the service did with a referral."""
    referral = Referral.get_by_id(referral.id)
    return update_referral(referral, referral.version, status, outcome, user)


def in_danger_now(cast):
    """New, unassigned, in danger now (anonymous)."""
    yield cast.at(1, 19, 20)
    _anonymous(TRAFFICKING, f"Girl, about 15, from {cast.hamlet()}", "Bus stand on the main road",
               "A man who is not from the village took her to the bus stand this evening, saying he had a job for "
               "her in the city. She was crying and no one from her family was with her.", in_danger=True)


def missed_sessions(cast):
    """New: the facilitator names a girl who stopped coming."""
    yield cast.at(2, 17, 30)
    _named(cast, SCHOOL_DROPOUT, "female", (10, 14),
           "{name} has missed the last three life-skills sessions and her friends say she no longer goes to "
           "school. She stays at home to look after her baby brother while her mother works in the fields.")


def brick_kiln(cast):
    """New (anonymous)."""
    yield cast.at(3, 8, 10)
    _anonymous(CHILD_LABOUR, "Boy, about 12, son of a kiln worker", "Brick kiln by the river",
               "The boy carries bricks at the kiln from early morning until dark, every day. He has burns on his "
               "hands and does not go to school.")


def bruises(cast):
    """Assessed, with a home visit planned."""
    yield cast.at(6, 18, 5)
    case, name = _named(cast, PHYSICAL_ABUSE, "male", (8, 12),
                        "{name} came to the session with bruises on his arms and back. He said his father beat him "
                        "with a stick when the goat ran away. He did not want to go home afterwards.")
    worker = cast.users["caseworker"]
    yield cast.at(5, 10, 30)
    _triage(case, Case.MEDIUM, f"Spoke with the facilitator. The bruises were seen once and {name} went home; no "
            "sign that he is in danger tonight. A home visit is planned this week.", worker, worker)
    yield cast.at(5, 10, 35)
    _move(case, worker, Case.ASSESSED, due=cast.day(2))


def wedding_after_harvest(cast):
    """Action taken: a child marriage talked down (anonymous report)."""
    yield cast.at(21, 20, 40)
    hamlet = cast.hamlet()
    case = _anonymous(CHILD_MARRIAGE, f"Girl, about 15, from {hamlet}", hamlet,
                      "People say her family is arranging her marriage after the harvest. She has stopped going to "
                      "school this month.")
    worker = cast.users["caseworker"]
    yield cast.at(20, 9, 15)
    _triage(case, Case.HIGH, "Checked with the school: the girl is 15 and still enrolled.", worker, worker)
    yield cast.at(19, 16, 0)
    add_action(case, "Visited the family with the village council member. Explained that marrying a girl under "
               "18 is against the law and harms her health and her schooling. The father says no date is fixed "
               "yet.", worker)
    yield cast.at(19, 16, 10)
    _move(case, worker, Case.ACTION_TAKEN, due=cast.day(3))
    yield cast.at(12, 13, 0)
    add_action(case, "Met the girl at school with her teacher. She wants to finish school. The teacher will tell "
               "us at once if she stops coming.", worker)


def roadside_eatery(cast):
    """Referred with the guardian's consent; the service acknowledged it."""
    yield cast.at(16, 16, 50)
    case, name = _named(cast, CHILD_LABOUR, "male", (13, 17),
                        "{name} has stopped coming to the group. His mother says a contractor took him to town, where "
                        "he washes dishes at a roadside eatery until late at night.")
    worker = cast.users["caseworker"]
    yield cast.at(15, 10, 20)
    _triage(case, Case.HIGH, "He works at night, far from home; he must be brought back soon.", worker, worker)
    yield cast.at(14, 11, 0)
    record_consent(case, Case.GUARDIAN, clock.today(), worker, clock.today())
    add_action(case, f"Met the mother. She agreed that {name}'s details may be shared with the child protection "
               "unit, so that he is brought home and back to school.", worker)
    yield cast.at(13, 10, 0)
    referral = _refer(cast, case, DISTRICT_CPU, "Bring the boy home from work at a roadside eatery and back to school",
                      "Name, age and photo of the boy; the eatery's name and the contractor's phone number, as given "
                      "by his mother", details=True)
    yield cast.at(9, 12, 0)
    _answer(referral, Referral.ACKNOWLEDGED, "The unit visited the eatery with the labour inspector. A rescue is "
            "planned for this week.", worker)
    _move(case, worker, Case.REFERRED, due=cast.day(6))


def missing_overnight(cast):
    """Referred at once on the documented exception of immediate danger; the boy was found."""
    yield cast.at(9, 6, 40)
    case = _anonymous(MISSING_CHILD, f"Boy, about 13, from {cast.hamlet()}", "Main road, near the tea stall",
                      "He did not come home last night. His mother has searched the fields and the river bank. Some "
                      "boys say a truck driver offered him a ride to the city.", in_danger=True)
    worker = cast.users["caseworker"]
    yield cast.at(9, 7, 10)
    _triage(case, Case.IMMEDIATE, "Called the mother: he is still missing. Referring at once.", worker, worker)
    yield cast.at(9, 7, 30)
    police = _refer(cast, case, POLICE, "Missing since last evening; he may have been taken to the city by a truck "
                    "driver", "Name, age, photo and the clothes he wore, from his mother; what the boys saw",
                    details=True)
    yield cast.at(9, 7, 35)
    helpline = _refer(cast, case, CHILD_HELPLINE, "Search for a missing child and his safe return",
                      "The same as shared with the police", details=True)
    yield cast.at(8, 10, 0)
    _answer(police, Referral.SERVICE_GIVEN, "The police found him at the district bus station and brought him home "
            "the same day.", worker)
    _answer(helpline, Referral.CLOSED, "Closed by the helpline once the boy was found.", worker)
    yield cast.at(8, 15, 0)
    add_action(case, "The boy is home. He says the driver promised him work in the city. His mother will keep him "
               "close, and he will join the children's group.", worker)
    _move(case, worker, Case.REFERRED, due=cast.day(1))


def hand_pump(cast):
    """Referred to the police and the health centre with the guardian's consent."""
    yield cast.at(11, 17, 20)
    case, name = _named(cast, SEXUAL_ABUSE, "female", (9, 12),
                        "{name} told me after the session that a neighbour touches her when she goes alone to fetch "
                        "water, and told her to keep it secret. She is scared to go to the hand pump.")
    worker = cast.users["caseworker"]
    yield cast.at(11, 18, 30)
    _triage(case, Case.HIGH, f"Spoke with {name} and her mother, the facilitator present. Her mother will go with "
            "her to fetch water, so she is not alone near the neighbour.", worker, worker)
    yield cast.at(10, 9, 30)
    record_consent(case, Case.GUARDIAN, clock.today(), worker, clock.today())
    _refer(cast, case, POLICE, "Sexual abuse of a child by a neighbour, to be investigated",
           "Name and age of the child, what she said, the neighbour's name and house", details=True)
    health = _refer(cast, case, HEALTH, "Medical check and counselling for the child",
                    "Name and age of the child, and that she reported abuse by a neighbour", details=True)
    yield cast.at(8, 14, 0)
    _answer(health, Referral.SERVICE_GIVEN, "Examined by the medical officer; a counsellor will see her every "
            "week.", worker)
    _move(case, worker, Case.REFERRED, due=cast.day(4))


def back_to_school(cast):
    """Follow-up: the demo case worker's next visit is overdue (the home page shows it)."""
    yield cast.at(45, 17, 10)
    case, name = _named(cast, SCHOOL_DROPOUT, "female", (13, 17),
                        "{name} has not been to school for a month. She says she is needed at home since her father "
                        "went to work in the city, and she cooks for her younger brothers.")
    worker = cast.users["caseworker"]
    yield cast.at(44, 11, 0)
    _triage(case, Case.LOW, "No sign of danger. A home visit with the teacher is planned.", worker, worker)
    yield cast.at(42, 15, 0)
    add_action(case, f"Visited the family with the head teacher. The mother agreed that {name} will go back to "
               "school on Monday; the teacher will help her catch up on the lessons she missed.", worker)
    _move(case, worker, Case.FOLLOW_UP, due=cast.day(-30))
    yield cast.at(30, 16, 0)
    add_follow_up(case, clock.today(), f"{name} is back at school and goes most days. Her mother is worried about "
                  "the exam fees.", cast.day(-4), worker, clock.today())


def glue_at_the_market(cast):
    """Follow-up held by the coordinator, after a referral to an NGO that shares no child's details."""
    yield cast.at(35, 19, 0)
    case = _anonymous(SUBSTANCE_ABUSE, "Four or five boys, about 14 to 16", "Behind the market",
                      "In the evenings a group of boys sniff glue behind the market. One of them fell and hurt his "
                      "head last week.", user=cast.users["member"])
    coordinator = cast.users["coordinator"]
    yield cast.at(34, 10, 0)
    _triage(case, Case.MEDIUM, "Not one child in danger: the group needs sessions, and the shop must stop selling "
            "glue to children.", coordinator, coordinator)
    yield cast.at(33, 11, 0)
    ngo = _refer(cast, case, NGO, "Sessions on the harm of sniffing glue, for the boys and their parents",
                 "That a group of boys sniff glue behind the market; no names", user=coordinator)
    yield cast.at(30, 17, 0)
    add_action(case, "Spoke with the shopkeeper who sells the glue. He agreed not to sell it to children.",
               coordinator)
    yield cast.at(20, 12, 0)
    _answer(ngo, Referral.SERVICE_GIVEN, "Two sessions held at the community hall: nine boys and six parents came.",
            coordinator)
    yield cast.at(19, 9, 0)
    _move(case, coordinator, Case.FOLLOW_UP, due=cast.day(-5))
    yield cast.at(6, 16, 0)
    _answer(ngo, Referral.CLOSED, "The NGO will come back after the exams.", coordinator)
    yield cast.at(5, 18, 30)
    add_follow_up(case, clock.today(), "Saw the market in the evening: fewer boys there and no glue seen. Two of "
                  "them now play football with the youth forum.", cast.day(10), coordinator, clock.today())


def home_safe(cast):
    """Closed at once: not a concern."""
    yield cast.at(26, 21, 15)
    case = _anonymous(MISSING_CHILD, f"Boy, about 9, from {cast.hamlet()}", "",
                      "He has not been seen since the afternoon and his mother is looking for him.")
    yield cast.at(25, 8, 0)
    _move(case, cast.users["caseworker"], Case.CLOSED,
          closed_reason="Not a concern: the boy was at his aunt's house in the next village, and his mother "
          "confirmed he came home the same night.")


def wedding_stopped(cast):
    """Closed after a coordinator's override, a court order and two follow-up visits."""
    yield cast.at(95, 16, 45)
    case, name = _named(cast, CHILD_MARRIAGE, "female", (14, 17),
                        "{name}'s family has fixed her wedding for next month, to a man of 24 from another district. "
                        "She told her friends in the group that she wants to finish school.")
    worker, coordinator = cast.users["caseworker"], cast.users["coordinator"]
    yield cast.at(94, 10, 0)
    _triage(case, Case.HIGH, "Urgent: the wedding date is close.", coordinator, worker)
    yield cast.at(94, 15, 30)
    add_action(case, f"Visited the family with the village council member. The father refused to call off the "
               f"wedding and would not agree to share {name}'s details with anyone.", worker)
    yield cast.at(93, 11, 0)
    legal = _refer(cast, case, LEGAL_SERVICES, "Legal action to stop a child marriage fixed for next month",
                   "Name and age of the girl, the date and place of the wedding, the groom's village", details=True,
                   user=coordinator, override_reason="The father refused consent and the wedding is in four weeks: "
                   "the authority needs the girl's name and age to ask for an order stopping it.")
    yield cast.at(93, 11, 10)
    council = _refer(cast, case, VILLAGE_COUNCIL, "Ask the council to speak to both families")
    yield cast.at(86, 12, 0)
    _answer(legal, Referral.SERVICE_GIVEN, "An order stopping the marriage was served on both families.", worker)
    _answer(council, Referral.WITHDRAWN, "Not needed after the order.", worker)
    yield cast.at(85, 10, 0)
    _move(case, worker, Case.FOLLOW_UP, due=cast.day(-60))
    yield cast.at(60, 16, 0)
    add_follow_up(case, clock.today(), f"{name} is at school every day. The family is angry with the council but "
                  "keeps to the order.", cast.day(-30), worker, clock.today())
    yield cast.at(30, 16, 30)
    add_follow_up(case, clock.today(), f"{name} passed her exams and is enrolled for the next year. No new wedding "
                  "plans heard of.", None, worker, clock.today())
    yield cast.at(28, 11, 0)
    _move(case, worker, Case.CLOSED, closed_reason=f"The marriage was stopped by a court order. {name} is back in "
          "school, and two visits found no further risk.")


STORIES = (in_danger_now, missed_sessions, brick_kiln, bruises, wedding_after_harvest, roadside_eatery,
           missing_overnight, hand_pump, back_to_school, glue_at_the_market, home_safe, wedding_stopped)
