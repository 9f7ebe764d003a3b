"""Referrals: a case sent to a service of the directory, what was shared and on which basis, what came of
it, and the printable slip.

Sharing the child's details needs one basis, checked in this order: consent recorded on the case; the
documented exception of immediate danger, as the case worker assesses the risk now (only a concern not yet
assessed goes by the reporter's "in danger now"); or a coordinator's override with a written reason (audited as
referral.override). The risk as assessed when the referral was made is kept with it.
"""

from dataclasses import dataclass

from flask_babel import gettext as _

from hub import clock
from hub.audit.service import record
from hub.auth.models import User
from hub.cases.models import Case, CaseAction, Referral
from hub.cases.service import (
    REFERRAL,
    CaseError,
    StaleRecord,
    as_version,
    check_day,
    in_immediate_danger,
    last_change,
    referral_status_label,
    refuse_if_closed,
    reported_on,
)
from hub.cases.transitions import REFERRAL_STEPS, may_move, may_step
from hub.db import database
from hub.prepared import Prepared
from hub.services.models import Service, ServiceCategory
from hub.validation import Problems

MAX_REASON = 500
MAX_SHARED = 2000
MAX_OUTCOME = 2000


@dataclass(frozen=True)
class ReferralPlan:
    """What a case worker typed on the referral form."""

    service_id: int | None
    referred_on: object  # a date
    reason: str
    information_shared: str = ""
    shares_child_details: bool = False
    override: bool = False
    override_reason: str = ""


def services_for(category):
    """(those handling the category, the other active services): the directory's active services, each
    list by kind and name."""
    handling = ServiceCategory.select(ServiceCategory.service).where(ServiceCategory.category == category)
    services = list(Service.active())
    ids = {row.service_id for row in handling}
    return [s for s in services if s.id in ids], [s for s in services if s.id not in ids]


def _limit(text, limit, field):
    if len(text or "") > limit:
        raise CaseError(_("Please use at most %(count)d characters.", count=limit), field)
    return (text or "").strip()


def basis_for(case, plan, user):
    """The basis on which this referral shares the child's details ("" when it shares none); refuses a
    referral that has none."""
    if not plan.shares_child_details:
        return ""
    if case.consent_by:
        return Referral.CONSENT
    if in_immediate_danger(case):
        return Referral.IMMEDIATE_DANGER
    if not plan.override:
        raise CaseError(_("This referral shares the child's details, but no consent is recorded on the case. "
                          "Record the consent of the guardian or the child first, or ask the coordinator."),
                        "shares_child_details")
    if user.role != User.COORDINATOR:
        raise CaseError(_("Only the coordinator may share a child's details without consent."), "override")
    if not plan.override_reason.strip():
        raise CaseError(_("Write why the child's details are shared without consent."), "override_reason")
    return Referral.OVERRIDE


def _reason(text):
    reason = _limit(text, MAX_REASON, "reason")
    if not reason:
        raise CaseError(_("Say why the case is referred."), "reason")
    return reason


def check_referral(case, plan, user, today):
    """Refuse a referral plan, every problem at once (a value the form could not read is None: left to it).
    Return (service, reason, information shared, basis, override reason)."""
    refuse_if_closed(case)
    problems = Problems(CaseError)
    service = Service.get_or_none((Service.id == plan.service_id) & ~Service.archived) \
        if plan.service_id is not None else None
    if service is None:
        problems.add(_("Choose a service from the directory."), "service")
    if plan.referred_on is not None:
        problems.check(check_day, case, plan.referred_on, today, "referred_on")
    reason = problems.check(_reason, plan.reason)
    shared = problems.check(_limit, plan.information_shared, MAX_SHARED, "information_shared")
    basis = problems.check(basis_for, case, plan, user)
    override_reason = problems.check(_limit, plan.override_reason, MAX_REASON, "override_reason") \
        if basis == Referral.OVERRIDE else ""
    problems.done()
    return service, reason, shared, basis, override_reason


def refer(case, plan, user, today):
    """Refer the case to an active service; the case becomes "referred" when its state machine allows.
    Return the Referral."""
    with database.atomic():
        current = Case.get_by_id(case.id)
        service, reason, shared, basis, override_reason = check_referral(current, plan, user, today)
        referral = Referral.create(
            case=current, service=service, referred_on=plan.referred_on, reason=reason, information_shared=shared,
            shares_child_details=plan.shares_child_details, basis=basis, override_reason=override_reason,
            status=Referral.SENT, risk_at_referral=current.risk,
            days_from_report=(plan.referred_on - reported_on(current)).days, created_by=user)
        CaseAction.create(case=current, done_at=clock.now(), user=user, kind=REFERRAL)
        if may_move(current.status, Case.REFERRED):
            Case.update(status=Case.REFERRED, version=Case.version + 1, updated_by=user,
                        updated_at=clock.now()).where(Case.id == current.id).execute()
        record("referral.created", referral, user=user,
               detail=f"case {current.id}, {service.kind}, {basis or 'no details'}")
        if basis == Referral.OVERRIDE:
            record("referral.override", referral, detail=f"case {current.id}", user=user)
    return referral


def check_referral_update(current, status, outcome):
    """The outcome tidied, or CaseError naming every field of a referral's update that is wrong (one whose case
    notes were erased cannot change at all)."""
    if current.case.narrative_erased_on is not None:
        raise CaseError(_("This case's notes were erased under the retention rule: it can no longer change."))
    problems = Problems(CaseError)
    if status != current.status and not may_step(current.status, status):
        allowed = ", ".join(str(referral_status_label(step)) for step in REFERRAL_STEPS.get(current.status, ()))
        problems.add(_("A referral that is “%(old)s” cannot become “%(new)s”. It can become: %(allowed)s.",
                       old=referral_status_label(current.status), new=referral_status_label(status),
                       allowed=allowed or "-"), "status")
    outcome = problems.check(_limit, outcome, MAX_OUTCOME, "outcome")
    problems.done()
    return outcome


def update_referral(referral, version, status, outcome, user):
    """Move a referral on (sent, acknowledged, service given, closed, or withdrawn) and record its outcome,
    unless someone saved it since the form was opened. Return the Referral as saved."""
    with database.atomic():
        current = Referral.get_by_id(referral.id)
        if current.version != as_version(version):
            name, at = last_change("referral", current.id, ("referral.updated", "referral.created"))
            raise StaleRecord(current, name, at)
        outcome = check_referral_update(current, status, outcome)
        if status == current.status and outcome == current.outcome:
            return current
        Referral.update(status=status, outcome=outcome, version=Referral.version + 1).where(
            Referral.id == current.id).execute()
        saved = Referral.get_by_id(current.id)
        record("referral.updated", saved, user=user, detail=f"{current.status} -> {status}" if status != current.status
               else "outcome")
    return saved


_REFERRALS = Prepared(lambda case_id: Referral.select(Referral, Service).join(Service).where(Referral.case == case_id)
                      .order_by(Referral.id.desc()), int)


def referrals_of(case):
    """The case's referrals, newest first (by sequence)."""
    return _REFERRALS.rows(case.id)


def open_slip(referral):
    """Record that the referral slip was opened to be printed."""
    with database.atomic():
        record("referral.slip_printed", referral, detail=f"case {referral.case_id}")
