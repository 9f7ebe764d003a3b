"""Need to know: one table maps every endpoint to who may use it, and one hook enforces it.

A route missing from the table is refused to everyone (and fails tests/test_access.py), so a new
page is private until someone decides who needs it.
"""

from flask import abort, g, redirect, request, url_for

from hub.auth import kept
from hub.auth.models import User

EVERYONE = "everyone"      # no account needed
SIGNED_IN = "signed-in"    # any role
COORDINATOR, CASE_WORKER, FACILITATOR, MEMBER = User.ROLES
FACILITATORS, CASE_STAFF = User.FACILITATORS, User.CASE_STAFF  # the role groups, named for the table

ACCESS = {
    "static": EVERYONE,
    "home.index": EVERYONE,
    "home.language": EVERYONE,
    "home.healthz": EVERYONE,
    "home.connectivity_check": EVERYONE,   # phones' captive-portal checks: a redirect to the hub
    "village.setup": EVERYONE,          # only until a coordinator exists, and only with the set-up code
    "village.edit": (COORDINATOR,),
    "auth.login": EVERYONE,
    "auth.logout": SIGNED_IN,
    "auth.change_secret": SIGNED_IN,
    "auth.kept_form": SIGNED_IN,        # a form kept through signing in again: only its own account's
    "auth.accounts": (COORDINATOR,),
    "auth.account_new": (COORDINATOR,),
    "auth.account_edit": (COORDINATOR,),
    "auth.account_reset": (COORDINATOR,),
    "auth.account_active": (COORDINATOR,),
    "audit.events": (COORDINATOR,),
    "groups.list": SIGNED_IN,           # each sees the groups they belong to (coordinators: all)
    "groups.view": SIGNED_IN,           # and get_group_or_404 refuses a group they are not in
    "groups.new": (COORDINATOR,),
    "groups.edit": (COORDINATOR,),
    "groups.archive": (COORDINATOR,),
    # People: facilitators see the people of their groups (service: people_visible_to / get_person_or_404).
    "people.list": FACILITATORS,
    "people.new": FACILITATORS,
    "people.view": FACILITATORS,
    "people.edit": FACILITATORS,
    "people.members": FACILITATORS,     # a group's members: add a person with a role
    "people.leave": FACILITATORS,
    # Curriculum and volunteers' skills.
    "curriculum.topics": FACILITATORS,
    "curriculum.topic_new": (COORDINATOR,),
    "curriculum.topic_edit": (COORDINATOR,),
    "curriculum.volunteer": FACILITATORS,  # a volunteer's trained topics (a facilitator: their own)
    "curriculum.train": (COORDINATOR,),
    # Sessions and meetings: members read their group's; facilitators plan, record and take attendance.
    "sessions.list": SIGNED_IN,
    "sessions.view": SIGNED_IN,
    "sessions.new": FACILITATORS,
    "sessions.edit": FACILITATORS,
    "sessions.cancel": FACILITATORS,
    "sessions.roster": FACILITATORS,
    "sessions.sheet": FACILITATORS,
    "sessions.paper": FACILITATORS,
    # What people want to see.
    "reports.catch_up": FACILITATORS,
    "reports.my_record": FACILITATORS,
    # Concerns and cases: anyone reports; the reporter sees only the status; case data is need to know.
    "concerns.new": EVERYONE,
    # Away from the hub (hub.offline): the installable app, the outbox's fresh token and its three senders,
    # each open to those who may post the page's own form (the areas' need-to-know checks run again).
    "offline.manifest": EVERYONE,
    "offline.worker": EVERYONE,
    "offline.plan": EVERYONE,           # a person without an account gets the concern form only
    "offline.token": EVERYONE,
    "offline.outbox": EVERYONE,
    "offline.send_concern": EVERYONE,
    "offline.send_roster": FACILITATORS,
    "offline.send_visit": CASE_STAFF,
    "offline.visit": CASE_STAFF,        # the follow-up visit form alone, without the case's narrative
    "offline.settings": (COORDINATOR,),
    "concerns.mine": SIGNED_IN,
    "concerns.status": EVERYONE,
    "cases.list": CASE_STAFF,
    "cases.view": CASE_STAFF,          # every view is audited
    "cases.triage": CASE_STAFF,
    "cases.update": CASE_STAFF,        # status (state machine), risk, assignment, next follow-up; versioned
    "cases.action": CASE_STAFF,
    "cases.follow_up": CASE_STAFF,
    "cases.consent": CASE_STAFF,
    "cases.child": CASE_STAFF,         # link the case to the child's record in the register (audited)
    "cases.refer": CASE_STAFF,         # consent, or a coordinator's audited override, or immediate danger
    "cases.referral": CASE_STAFF,
    "cases.slip": CASE_STAFF,
    # The referral pathway: readable by every signed-in user, kept by the coordinator.
    "services.list": SIGNED_IN,
    "services.new": (COORDINATOR,),
    "services.edit": (COORDINATOR,),
    "protocols.list": SIGNED_IN,
    "protocols.view": SIGNED_IN,
    "protocols.edit": (COORDINATOR,),
    # The migration register: any signed-in account gets this far; hub.migration lets in only members of a
    # vigilance committee (their committee's departures), case workers and the coordinator (all of them).
    "migration.list": SIGNED_IN,
    "migration.new": SIGNED_IN,
    "migration.view": SIGNED_IN,
    "migration.edit": SIGNED_IN,
    "migration.call": SIGNED_IN,
    "migration.returned": SIGNED_IN,
    # School status: facilitators keep the records of the children they may see (hub.people's rule, checked in
    # hub.schools.service), case staff all; a school protection committee's members see its pupils.
    "schools.list": FACILITATORS,
    "schools.new": FACILITATORS,
    "schools.view": FACILITATORS,
    "schools.visit": FACILITATORS,
    "schools.reenrol": FACILITATORS,
    "schools.committees": SIGNED_IN,    # the committees the account is in (case staff: all)
    "schools.committee": SIGNED_IN,     # and get_committee_or_404 refuses a committee they are not in
    "schools.map": FACILITATORS,        # the vulnerability map: counts per hamlet, no names
    # Notices: every signed-in account reads those for it (hub.notices: the whole hub or its groups) and
    # acknowledges alerts; staff and facilitators write (facilitators to their own groups); the sender and
    # the coordinator see who has read a notice and may end it.
    "notices.list": SIGNED_IN,
    "notices.view": SIGNED_IN,
    "notices.acknowledge": SIGNED_IN,
    "notices.new": FACILITATORS,
    "notices.end": FACILITATORS,
    # Action plans: every signed-in account reads them; staff and facilitators record and change them.
    "plans.list": SIGNED_IN,
    "plans.view": SIGNED_IN,
    "plans.new": FACILITATORS,
    "plans.edit": FACILITATORS,
    "plans.action_new": FACILITATORS,
    "plans.action_edit": FACILITATORS,
    # Savings: any signed-in account gets this far; hub.savings lets in the accounts linked to a member of the
    # cycle (in its group): officers (chair, treasurer, secretary) see all and record, other members their own
    # passbook and the group totals. The coordinator sees and records all; case workers and facilitators
    # outside the group are refused.
    "savings.index": SIGNED_IN,
    "savings.cycle": SIGNED_IN,
    "savings.ledger": SIGNED_IN,
    "savings.passbook": SIGNED_IN,
    "savings.meeting": SIGNED_IN,
    "savings.record": SIGNED_IN,
    "savings.loan": SIGNED_IN,
    "savings.approve_entry": SIGNED_IN,  # officers only: the two-key rule
    "savings.reverse_entry": SIGNED_IN,
    "savings.share_out": SIGNED_IN,
    "savings.new_cycle": (COORDINATOR,),
    "savings.members": (COORDINATOR,),  # which account is which member
    "savings.add_members": (COORDINATOR,),
    "savings.plausible_range": (COORDINATOR,),  # the largest plausible amount of an entry
    # Sharing with the district (hub.sharing): enrolment, delivery, the months released and the village
    # report. Only the coordinator: the payload is anonymised, but enrolling binds the hub to a district.
    "poster.show": (COORDINATOR,),  # the printable poster: the Wi-Fi password is on it
    "sharing.index": (COORDINATOR,),
    "sharing.enrol": (COORDINATOR,),
    "sharing.send": (COORDINATOR,),
    "sharing.build": (COORDINATOR,),
    "sharing.bundle": (COORDINATOR,),
    "sharing.report": (COORDINATOR,),
    # Offline transfer (hub.sharing.transfer): USB sticks and what discovery saw, for the coordinator.
    "sharing.transfer": (COORDINATOR,),
    "sharing.transfer_export": (COORDINATOR,),
    "sharing.transfer_import": (COORDINATOR,),
    "sharing.transfer_send": (COORDINATOR,),
    # The hub's clock (hub.clockcheck): any signed-in phone may say its time; only the coordinator sets it.
    "clockcheck.report": SIGNED_IN,
    "clockcheck.show": (COORDINATOR,),
    "clockcheck.set": (COORDINATOR,),
    # Setting up a phone for https (hub.phone): the steps and the village CA, a public certificate.
    "phone.setup": SIGNED_IN,
    "phone.authority": SIGNED_IN,
}


def allowed(endpoint, user):
    """True when user (None for no account) may use endpoint."""
    rule = ACCESS.get(endpoint)
    if rule is None:
        return False
    if rule == EVERYONE:
        return True
    if user is None:
        return False
    return rule == SIGNED_IN or user.role in rule


def init_app(app):
    @app.before_request
    def enforce_access():
        if request.endpoint is None:  # no such route: the 404 handler answers
            return None
        if allowed(request.endpoint, g.user):
            return None
        if g.user is None and ACCESS.get(request.endpoint) is not None:
            target = request.full_path.rstrip("?")
            if request.endpoint.startswith("offline.send_"):  # the phone's outbox: it keeps the form itself
                abort(403)
            if request.method == "POST":  # what was typed is kept through signing in again
                token = kept.keep(g.get("signed_out_account"))
                target = url_for("auth.kept_form", token=token) if token else target
            return redirect(url_for("auth.login", next=target))
        abort(403)

    app.jinja_env.globals["can"] = can


def can(endpoint):
    """True when the signed-in account (or a visitor) may use endpoint: for templates, to show only usable links."""
    return allowed(endpoint, g.get("user"))
