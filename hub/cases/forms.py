"""Forms of concerns, cases and referrals. They check shape (present, length, a date that parses); the
services check the rules (the state machine, dates against the report, consent, known services) and their
errors are shown beside the field they name."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from hub.cases.concerns import MAX_SHORT, MAX_TEXT, Report
from hub.cases.models import CATEGORIES, Case
from hub.cases.referrals import MAX_OUTCOME, MAX_REASON, MAX_SHARED, ReferralPlan
from hub.cases.service import (
    CATEGORY_LABELS,
    CONSENT_LABELS,
    RISK_LABELS,
    case_status_label,
    referral_status_label,
)
from hub.cases.transitions import MAX_NOTE, Change, Triage
from hub.cases.transitions import MAX_REASON as MAX_CLOSED_REASON
from hub.forms import at_most, required
from hub.people.forms import NOT_A_DATE, explain_formats
from hub.people.picker import choices

CATEGORY_CHOICES = [SelectChoice(category, CATEGORY_LABELS[category]) for category in CATEGORIES]
RISK_CHOICES = [SelectChoice(risk, RISK_LABELS[risk]) for risk in Case.RISKS]
YES, NO = "yes", "no"


def filled_in():
    """Required, judged on what was typed (a date that does not parse gets its own message)."""
    return InputRequired(message=_l("Please fill this in."))


def _as_id(value):
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


class DatedForm(FlaskForm):
    """A form whose date fields explain the format they want when what was typed does not parse."""

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        explain_formats([(field, NOT_A_DATE) for field in self if isinstance(field, DateField)])
        return ok


class ConcernForm(FlaskForm):
    in_danger = RadioField(_l("Is the child in danger right now?"),
                           choices=[SelectChoice(YES, _l("Yes, in danger now")), SelectChoice(NO, _l("No"))],
                           invalid_choice_message=_l("Please choose yes or no."))
    category = SelectField(_l("What is the concern about?"),
                           choices=[SelectChoice("", _l("Choose one"))] + CATEGORY_CHOICES,
                           validators=[InputRequired(message=_l("Choose what the concern is about."))],
                           invalid_choice_message=_l("Choose what the concern is about."))
    child = SelectField(_l("The child, from the register"), choices=[], validate_choice=False)
    child_description = StringField(_l("Which child?"), validators=[at_most(MAX_SHORT)],
                                    render_kw={"autocomplete": "off"})
    place = StringField(_l("Where?"), validators=[at_most(MAX_SHORT)], render_kw={"autocomplete": "off"})
    what_happened = TextAreaField(_l("What happened?"), validators=[required(), at_most(MAX_TEXT)],
                                  render_kw={"rows": 6})

    def offer_children(self, people):
        """Let the reporter choose among these people of the register (or nobody: a description)."""
        self.child.choices = choices(people, _l("Not in the register: I describe the child below"))
        return self

    def prefill(self, args):
        """Fill the form from what another area knows, such as a minor's departure in the migration register
        ({category, child, child_description, place, what_happened}): unknown categories are dropped, long
        text cut."""
        if args.get("category", "") in CATEGORIES:
            self.category.data = args["category"]
        for field, limit in ((self.child_description, MAX_SHORT), (self.place, MAX_SHORT),
                             (self.what_happened, MAX_TEXT)):
            if args.get(field.name):
                field.data = args[field.name][:limit]
        if str(args.get("child", "")).isdigit():
            self.child.data = str(args["child"])  # offered only when this account may see the person (the view)
        return self

    def report(self):
        """The Report the form holds."""
        return Report(category=self.category.data, what_happened=self.what_happened.data or "",
                      in_danger=self.in_danger.data == YES, child_id=_as_id(self.child.data),
                      child_description=self.child_description.data or "", place=self.place.data or "")


def offer_staff(field, staff, nobody=None):
    """Let field choose among these accounts (and "nobody" first, when its label is given)."""
    field.choices = ([SelectChoice("", nobody)] if nobody else []) + [
        SelectChoice(str(user.id), user.display_name) for user in staff]


class TriageForm(FlaskForm):
    category = SelectField(_l("What is the concern about?"), choices=CATEGORY_CHOICES)
    risk = RadioField(_l("Risk to the child"), choices=RISK_CHOICES, invalid_choice_message=_l("Choose a risk level."))
    assigned_to = SelectField(_l("Case worker who holds the case"), choices=[], validate_choice=False)
    note = TextAreaField(_l("What you found (a note for the case's log)"), validators=[at_most(MAX_NOTE)],
                         render_kw={"rows": 4})
    version = HiddenField()

    def triage(self):
        """The Triage the form holds."""
        return Triage(category=self.category.data, risk=self.risk.data or "",
                      assigned_id=_as_id(self.assigned_to.data), note=self.note.data or "")


class CaseForm(DatedForm):
    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    closed_reason = TextAreaField(_l("Why the case is closed"), validators=[at_most(MAX_CLOSED_REASON)],
                                  render_kw={"rows": 3})
    category = SelectField(_l("What is the concern about?"), choices=CATEGORY_CHOICES, validate_choice=False)
    risk = SelectField(_l("Risk to the child"), choices=[], validate_choice=False)
    assigned_to = SelectField(_l("Case worker who holds the case"), choices=[], validate_choice=False)
    next_follow_up = DateField(_l("Next follow-up visit"), validators=[Optional()])
    close_anyway = BooleanField(_l("Close it anyway: the work listed above is no longer needed"))
    version = HiddenField()

    def offer(self, statuses, staff, case):
        """Offer these statuses, these accounts, and "not assessed" or "nobody" while the case has none."""
        self.status.choices = [SelectChoice(status, case_status_label(status)) for status in statuses]
        self.risk.choices = ([SelectChoice("", RISK_LABELS[""])] if not case.risk else []) + RISK_CHOICES
        offer_staff(self.assigned_to, staff, _l("Nobody yet") if case.assigned_to_id is None else None)
        return self

    def change(self):
        """The Change the form holds."""
        return Change(status=self.status.data, category=self.category.data, risk=self.risk.data or "",
                      assigned_id=_as_id(self.assigned_to.data), next_follow_up=self.next_follow_up.data,
                      closed_reason=self.closed_reason.data or "", close_anyway=bool(self.close_anyway.data))


class ChildForm(FlaskForm):
    child = SelectField(_l("The child, from the register"), choices=[], validate_choice=False)

    def offer(self, people):
        """Let the case worker choose among these people of the register."""
        self.child.choices = choices(people, _l("Choose the child"))
        return self

    def person_id(self):
        """The id of the person chosen, or None."""
        return _as_id(self.child.data)


class ActionForm(FlaskForm):
    note = TextAreaField(_l("What was done"), validators=[required(), at_most(MAX_NOTE)], render_kw={"rows": 3})


class FollowUpForm(DatedForm):
    visited_on = DateField(_l("Day of the visit"), validators=[filled_in()])
    progress = TextAreaField(_l("Progress notes"), validators=[required(), at_most(MAX_NOTE)], render_kw={"rows": 4})
    next_visit = DateField(_l("Next visit (if one is needed)"), validators=[Optional()])


class ConsentForm(DatedForm):
    given_by = RadioField(_l("Who consented to sharing the child's details with services?"),
                          choices=[SelectChoice(who, CONSENT_LABELS[who]) for who in (Case.GUARDIAN, Case.CHILD)],
                          invalid_choice_message=_l("Choose who gave consent."))
    given_on = DateField(_l("Day consent was given"), validators=[filled_in()])


class ReferralForm(DatedForm):
    service = SelectField(_l("Service"), choices=[], validate_choice=False)
    referred_on = DateField(_l("Day of the referral"), validators=[filled_in()])
    reason = TextAreaField(_l("Why the case is referred"), validators=[required(), at_most(MAX_REASON)],
                           render_kw={"rows": 3})
    information_shared = TextAreaField(_l("Information shared with the service"), validators=[at_most(MAX_SHARED)],
                                       render_kw={"rows": 4})
    shares_child_details = BooleanField(_l("This referral shares the child's details (name, where they live)"))
    override = BooleanField(_l("Share them without consent (coordinator's override)"))
    override_reason = TextAreaField(_l("Why they are shared without consent"), validators=[at_most(MAX_REASON)],
                                    render_kw={"rows": 3})

    def offer(self, handling, others):
        """Offer the services that handle the case's category first, then the others."""
        self.service.choices = [SelectChoice("", _l("Choose a service"))] + [
            SelectChoice(str(service.id), f"{service.name} · {service.phone}" if service.phone else service.name,
                         optgroup=group)
            for services, group in ((handling, _l("Handle this kind of concern")), (others, _l("Other services")))
            for service in services]
        return self

    def plan(self):
        """The ReferralPlan the form holds."""
        return ReferralPlan(service_id=_as_id(self.service.data), referred_on=self.referred_on.data,
                            reason=self.reason.data or "", information_shared=self.information_shared.data or "",
                            shares_child_details=bool(self.shares_child_details.data),
                            override=bool(self.override.data), override_reason=self.override_reason.data or "")


class ReferralUpdateForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    outcome = TextAreaField(_l("Outcome"), validators=[at_most(MAX_OUTCOME)], render_kw={"rows": 4})
    version = HiddenField()

    def offer(self, statuses):
        """Offer these statuses of a referral."""
        self.status.choices = [SelectChoice(status, referral_status_label(status)) for status in statuses]
        return self


class ReferenceForm(FlaskForm):
    """The reference a reporter was given, to see what became of that report."""

    reference = StringField(_l("Your reference"), validators=[required(), at_most(20)],
                            render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                                       "maxlength": 20})
