"""Action plan forms: a plan (goal, criteria, services involved) and an action. They check shape (length, a
date that parses); hub.plans.service checks the rules and its errors are shown beside their field."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from hub.forms import CheckboxesField, at_most, required
from hub.people.forms import NOT_A_DATE, explain_formats
from hub.plans.models import STATUSES
from hub.plans.service import (
    MAX_ACTION,
    MAX_GOAL,
    MAX_NAME,
    MAX_TEXT,
    STATUS_LABELS,
    ActionDraft,
    PlanDraft,
)
from hub.services.service import service_kind_label

STATUS_CHOICES = [SelectChoice(status, STATUS_LABELS[status]) for status in STATUSES]


def filled_in():
    """Required, judged on what was typed (a date that does not parse gets its own message)."""
    return InputRequired(message=_l("Please fill this in."))


def _long_text(label):
    return TextAreaField(label, validators=[at_most(MAX_TEXT)], render_kw={"rows": 3})


class PlanForm(FlaskForm):
    goal = StringField(_l("Goal the community chose"), validators=[required(), at_most(MAX_GOAL)])
    agreed_on = DateField(_l("Day it was chosen"), validators=[filled_in()])
    criteria = _long_text(_l("How the community will know it is met"))
    formal_link = _long_text(_l("Link with a formal actor"))
    sustainability = _long_text(_l("How it lasts without outside help"))
    services = CheckboxesField(_l("Formal actors involved"), choices=[], validate_choice=False)

    def offer(self, services):
        """Offer these services of the directory."""
        self.services.choices = [SelectChoice(str(service.id), f"{service.name} ({service_kind_label(service.kind)})")
                                 for service in services]
        return self

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        explain_formats(((self.agreed_on, NOT_A_DATE),))
        return ok

    def draft(self):
        """The PlanDraft the form holds."""
        return PlanDraft(goal=self.goal.data or "", agreed_on=self.agreed_on.data, criteria=self.criteria.data or "",
                         formal_link=self.formal_link.data or "", sustainability=self.sustainability.data or "",
                         services=tuple(self.services.data or ()))


class ActionForm(FlaskForm):
    description = StringField(_l("What is to be done"), validators=[required(), at_most(MAX_ACTION)])
    owner = SelectField(_l("Who does it: an account"), choices=[], validate_choice=False)
    owner_name = StringField(_l("or a name, for someone without an account"), validators=[at_most(MAX_NAME)],
                             render_kw={"autocomplete": "off"})
    due_on = DateField(_l("Due on"), validators=[filled_in()])
    status = SelectField(_l("Status"), choices=STATUS_CHOICES,
                         invalid_choice_message=_l("Choose a status from the list."))

    def offer(self, accounts):
        """Offer these accounts as owners (or none: a name)."""
        self.owner.choices = [SelectChoice("", _l("Someone without an account: I write the name"))] + [
            SelectChoice(str(account.id), account.display_name) for account in accounts]
        return self

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        explain_formats(((self.due_on, NOT_A_DATE),))
        return ok

    def draft(self):
        """The ActionDraft the form holds."""
        return ActionDraft(description=self.description.data or "", due_on=self.due_on.data,
                           owner=self.owner.data or "", owner_name=self.owner_name.data or "",
                           status=self.status.data)
