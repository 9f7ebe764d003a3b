"""Forms of the people register: a person's record, a new person (with a first group), members of a group."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from hub.forms import at_most, required
from hub.people.models import AGE_BANDS, SCHOOL_STATUSES, SEXES, UNKNOWN, GroupMember
from hub.people.service import ROLE_LABELS, SCHOOL_LABELS, SEX_LABELS

SEX_CHOICES = [SelectChoice(sex, SEX_LABELS[sex]) for sex in SEXES]
BAND_CHOICES = [SelectChoice("", _l("Birth year known"))] + [SelectChoice(band, band) for band in AGE_BANDS]
SCHOOL_CHOICES = [SelectChoice(status, SCHOOL_LABELS[status]) for status in SCHOOL_STATUSES]
ROLE_CHOICES = [SelectChoice(role, ROLE_LABELS[role]) for role in GroupMember.ROLES]
NOT_A_DATE = _l("Please give a date as year-month-day.")
NOT_A_YEAR = _l("Please give a year in digits, such as 2015.")
CHOOSE_PERSON = _l("Choose a person from the list.")


def _day(label, *validators):
    return DateField(label, validators=list(validators) or [Optional()])


def explain_formats(messages):
    """Put a message that says what to type in place of WTForms' "Not a valid ... value"."""
    for field, message in messages:
        if field.process_errors and field.raw_data and field.raw_data[0].strip():
            field.errors = [str(message)]


class PersonForm(FlaskForm):
    name = StringField(_l("Name"), validators=[required(), at_most(80)], render_kw={"autocomplete": "off"})
    sex = RadioField(_l("Sex"), choices=SEX_CHOICES, invalid_choice_message=_l("Please choose one."))
    birth_year = IntegerField(_l("Birth year"), validators=[Optional()],
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})
    age_band = SelectField(_l("Age band, when the birth year is not known"), choices=BAND_CHOICES)
    school_status = SelectField(_l("School"), choices=SCHOOL_CHOICES, default=UNKNOWN)
    guardian = StringField(_l("Parent or guardian"), validators=[at_most(80)])
    contact = StringField(_l("Contact phone"), validators=[at_most(40)], render_kw={"inputmode": "tel"})
    hamlet = StringField(_l("Hamlet or neighbourhood"), validators=[at_most(80)])
    consent_by = StringField(_l("Consent given by"), validators=[at_most(80)])
    consent_on = _day(_l("Consent given on"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        explain_formats(((self.birth_year, NOT_A_YEAR), (self.consent_on, NOT_A_DATE)))
        return ok

    def values(self):
        """The fields as keyword arguments of hub.people.service.clean_person."""
        return {name: getattr(self, name).data for name in (
            "name", "sex", "birth_year", "age_band", "school_status", "guardian", "contact", "hamlet",
            "consent_by", "consent_on")}


class NewPersonForm(PersonForm):
    group = SelectField(_l("Put in a group"), choices=[])
    role = SelectField(_l("Role in the group"), choices=ROLE_CHOICES, default=GroupMember.MEMBER)
    joined_on = _day(_l("Joined the group on"))
    save_anyway = BooleanField()
    seen = HiddenField()  # ids of the likely duplicates shown, which "save anyway" sets aside

    def seen_ids(self):
        """The ids of the likely duplicates the person saw, when they chose to save anyway."""
        if not self.save_anyway.data:
            return ()
        return {int(part) for part in (self.seen.data or "").split(",") if part.strip().isdigit()}

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        explain_formats(((self.joined_on, NOT_A_DATE),))
        return ok


def offer_groups(form, groups):
    """Let the new person's form put them in one of these groups (or none)."""
    form.group.choices = [SelectChoice("", _l("No group for now"))] + [
        SelectChoice(str(group.id), group.name) for group in groups]
    return form


class AddMemberForm(FlaskForm):
    q = HiddenField()
    person = RadioField(_l("Person"), coerce=int, choices=[], invalid_choice_message=CHOOSE_PERSON)
    role = SelectField(_l("Role in the group"), choices=ROLE_CHOICES, default=GroupMember.MEMBER)
    joined_on = _day(_l("Joined the group on"), InputRequired(_l("Please fill this in.")))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        explain_formats(((self.joined_on, NOT_A_DATE),))
        if self.person.errors:  # nothing chosen reaches WTForms as a failed coercion of ""
            self.person.errors = [str(CHOOSE_PERSON)]
        return ok


class LeaveForm(FlaskForm):
    left_on = _day(_l("Left the group on"), InputRequired(_l("Please fill this in.")))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        explain_formats(((self.left_on, NOT_A_DATE),))
        return ok
