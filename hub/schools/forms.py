"""School status forms: a child out of school, an outreach visit, the re-enrolment. They check shape (a date
that parses, a length); hub.schools.service checks the rules and its errors are shown beside their field."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from hub.forms import at_most
from hub.people.forms import NOT_A_DATE, explain_formats
from hub.people.picker import choices
from hub.schools.models import REASONS
from hub.schools.service import (
    MAX_DETAILS,
    MAX_NAMES,
    MAX_RESULT,
    MAX_SCHOOL,
    REASON_LABELS,
)

REASON_CHOICES = [SelectChoice("", _l("Choose a reason"))] + [
    SelectChoice(reason, REASON_LABELS[reason]) for reason in REASONS]


def _day(label):
    return DateField(label, validators=[InputRequired(message=_l("Please fill this in."))])


def _as_id(value):
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


class DropoutForm(FlaskForm):
    # Choices are offered by the view (the children found); the service says when the choice is wrong.
    child = SelectField(_l("Child"), choices=[], validate_choice=False)
    left_on = _day(_l("Stopped going to school on"))
    reason = SelectField(_l("Why"), choices=REASON_CHOICES, validate_choice=False)
    details = TextAreaField(_l("More about the reason"), validators=[at_most(MAX_DETAILS)])
    school = StringField(_l("School the child left"), validators=[at_most(MAX_SCHOOL)])

    def offer(self, children):
        """Offer these children of the register."""
        self.child.choices = choices(children, _l("Choose a child"))
        return self

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        explain_formats(((self.left_on, NOT_A_DATE),))
        return ok

    def values(self):
        """The fields as keyword arguments of hub.schools.service.record_dropout."""
        return {"child_id": _as_id(self.child.data), "left_on": self.left_on.data, "reason": self.reason.data,
                "details": self.details.data, "school": self.school.data}


class VisitForm(FlaskForm):
    visited_on = _day(_l("Day of the visit"))
    visited_by = StringField(_l("Who visited"), validators=[at_most(MAX_NAMES)])
    result = TextAreaField(_l("What came of it"), validators=[at_most(MAX_RESULT)])
    next_step = TextAreaField(_l("Next step"), validators=[at_most(MAX_RESULT)])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        explain_formats(((self.visited_on, NOT_A_DATE),))
        return ok


class ReenrolForm(FlaskForm):
    reenrolled_on = _day(_l("Back in school on"))
    reenrolled_school = StringField(_l("School"), validators=[at_most(MAX_SCHOOL)])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        explain_formats(((self.reenrolled_on, NOT_A_DATE),))
        return ok
