"""Migration register forms: a departure, a follow-up call, the return. They check shape (length, a date or a
number that parses); hub.migration.service checks the rules and its errors are shown beside their field."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from hub.forms import at_most, required
from hub.migration.models import PURPOSES
from hub.migration.service import MAX_CONTACT, MAX_NAME, MAX_PLACE, MAX_RESULT, PURPOSE_LABELS, Entry
from hub.people.forms import NOT_A_DATE, explain_formats
from hub.people.picker import choices

PURPOSE_CHOICES = [SelectChoice(purpose, PURPOSE_LABELS[purpose]) for purpose in PURPOSES]
NOT_AN_AGE = _l("Please give the age in years, in digits, such as 16.")


def filled_in():
    """Required, judged on what was typed (a date that does not parse gets its own message)."""
    return InputRequired(message=_l("Please fill this in."))


def _as_id(value):
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


class DepartureForm(FlaskForm):
    committee = SelectField(_l("Vigilance committee"), choices=[], validate_choice=False)
    person = SelectField(_l("The person, from the register"), choices=[], validate_choice=False)
    name = StringField(_l("Name"), validators=[at_most(MAX_NAME)], render_kw={"autocomplete": "off"})
    age = IntegerField(_l("Age on the day they left"), validators=[Optional()],
                       render_kw={"inputmode": "numeric", "autocomplete": "off"})
    hamlet = StringField(_l("Hamlet or neighbourhood"), validators=[at_most(MAX_NAME)])
    left_on = DateField(_l("Day they left"), validators=[filled_in()])
    destination = StringField(_l("Where they went"), validators=[required(), at_most(MAX_PLACE)])
    purpose = SelectField(_l("Why they went"), choices=PURPOSE_CHOICES,
                          invalid_choice_message=_l("Choose a purpose from the list."))
    agent = StringField(_l("Agent or contractor who arranged it"), validators=[at_most(MAX_PLACE)])
    expected_return = DateField(_l("Expected back on"), validators=[Optional()])
    contact = StringField(_l("Phone number at the destination"), validators=[at_most(MAX_CONTACT)],
                          render_kw={"inputmode": "tel", "autocomplete": "off"})

    def offer(self, committees, people):
        """Offer these committees and these people of the register (or nobody: a name and an age)."""
        self.committee.choices = [SelectChoice(str(group.id), group.name) for group in committees]
        self.person.choices = choices(people, _l("Not in the register: I write the name and age"))
        return self

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        explain_formats(((self.age, NOT_AN_AGE), (self.left_on, NOT_A_DATE), (self.expected_return, NOT_A_DATE)))
        return ok

    def entry(self):
        """The Entry the form holds."""
        return Entry(committee_id=_as_id(self.committee.data), person_id=_as_id(self.person.data),
                     name=self.name.data or "", age=self.age.data, hamlet=self.hamlet.data or "",
                     left_on=self.left_on.data, destination=self.destination.data or "", purpose=self.purpose.data,
                     agent=self.agent.data or "", expected_return=self.expected_return.data,
                     contact=self.contact.data or "")


class CallForm(FlaskForm):
    called_on = DateField(_l("Day of the call"), validators=[filled_in()])
    result = TextAreaField(_l("What came of it"), validators=[required(), at_most(MAX_RESULT)],
                           render_kw={"rows": 3})

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        explain_formats(((self.called_on, NOT_A_DATE),))
        return ok


class ReturnForm(FlaskForm):
    returned_on = DateField(_l("Day they came back"), validators=[filled_in()])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        explain_formats(((self.returned_on, NOT_A_DATE),))
        return ok

