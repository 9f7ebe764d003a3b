"""Savings forms. They check shape (a date that parses, a choice, a length); amounts stay text until
hub.savings.service parses them, so a wrong amount gets a message saying what to type, beside its field."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from hub.forms import at_most, required
from hub.people.forms import NOT_A_DATE, explain_formats
from hub.people.picker import label
from hub.savings.service import KIND_LABELS, MAX_NOTE, RECORDED_KINDS

MONEY = {"inputmode": "decimal", "autocomplete": "off"}


def filled_in():
    return InputRequired(message=_l("Please fill this in."))


class _Dated(FlaskForm):
    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        explain_formats([(field, NOT_A_DATE) for field in self if isinstance(field, DateField)])
        return ok


def member_choices(members, empty=None):
    """Select choices for a cycle's members (SavingsMember with .person)."""
    first = [SelectChoice("", empty)] if empty else []
    return first + [SelectChoice(str(member.id), label(member.person)) for member in members]


class CycleForm(_Dated):
    group = SelectField(_l("Group"), choices=[], validate_choice=False)
    name = StringField(_l("Name of the cycle"), validators=[required(), at_most(80)])
    starts_on = DateField(_l("Starts on"), validators=[filled_in()])
    ends_on = DateField(_l("Share-out planned on"), validators=[filled_in()])
    share_value = StringField(_l("Value of one share"), validators=[required()], render_kw=MONEY)
    social_amount = StringField(_l("Social fund at each meeting"), render_kw=MONEY)
    rate = StringField(_l("Loan interest, percent a month"), validators=[required()],
                       render_kw={"inputmode": "decimal", "autocomplete": "off"})


class EntryForm(_Dated):
    kind = SelectField(_l("What"), choices=[SelectChoice(kind, KIND_LABELS[kind]) for kind in RECORDED_KINDS],
                       invalid_choice_message=_l("Choose from the list."))
    member = SelectField(_l("Member"), choices=[], validate_choice=False)
    loan = SelectField(_l("Loan repaid"), choices=[], validate_choice=False)
    amount = StringField(_l("Amount"), render_kw=MONEY)
    confirm = BooleanField(_l("Yes, this is right (the entry is marked for review)"))
    on_day = DateField(_l("Day"), validators=[filled_in()])
    note = StringField(_l("Note"), validators=[at_most(MAX_NOTE)])


class LoanForm(_Dated):
    member = SelectField(_l("Borrower"), choices=[], validate_choice=False)
    amount = StringField(_l("Amount lent"), render_kw=MONEY)
    confirm = BooleanField(_l("Yes, this is right (the entry is marked for review)"))
    rate = StringField(_l("Interest, percent a month"), render_kw={"inputmode": "decimal", "autocomplete": "off"})
    months = StringField(_l("Repaid in how many months"), render_kw={"inputmode": "numeric", "autocomplete": "off"})
    on_day = DateField(_l("Day"), validators=[filled_in()])
    note = StringField(_l("Purpose of the loan"), validators=[at_most(MAX_NOTE)])


class RangeForm(FlaskForm):
    plausible_max = StringField(_l("Largest plausible amount of one entry"), render_kw=MONEY)


class MeetingForm(_Dated):
    held_on = DateField(_l("Day of the meeting"), validators=[filled_in()])


class ReverseForm(FlaskForm):
    reason = StringField(_l("Why it is wrong"), validators=[required(), at_most(MAX_NOTE)])


class LinkForm(FlaskForm):
    member = SelectField(_l("Member"), choices=[], validate_choice=False)
    account = SelectField(_l("Her account on the hub"), choices=[],
                          invalid_choice_message=_l("Choose an account that belongs to this group."))


class ShareOutForm(_Dated):
    on_day = DateField(_l("Day of the share-out"), validators=[filled_in()])
