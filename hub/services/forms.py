"""Services directory forms: a service, its contacts and the categories it handles."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from hub.forms import CheckboxesField, at_most, required
from hub.protocols.service import CATEGORY_LABELS
from hub.services.models import KINDS
from hub.services.service import KIND_LABELS

KIND_CHOICES = [SelectChoice(kind, KIND_LABELS[kind]) for kind in KINDS]
CATEGORY_CHOICES = [SelectChoice(category, label) for category, label in CATEGORY_LABELS.items()]


class ServiceForm(FlaskForm):
    name = StringField(_l("Name"), validators=[required(), at_most(80)])
    kind = SelectField(_l("Kind of service"), choices=KIND_CHOICES)
    phone = StringField(_l("Phone"), validators=[at_most(30)], render_kw={"inputmode": "tel", "autocomplete": "off"})
    address = StringField(_l("Address"), validators=[at_most(200)])
    hours = StringField(_l("Opening hours"), validators=[at_most(80)])
    languages = StringField(_l("Languages spoken"), validators=[at_most(80)])
    categories = CheckboxesField(_l("Concerns it handles"), choices=CATEGORY_CHOICES)

    def values(self):
        """The fields as keyword arguments of hub.services.service.create_service."""
        return {name: getattr(self, name).data for name in (
            "name", "kind", "phone", "address", "hours", "languages", "categories")}


class EditServiceForm(ServiceForm):
    state = SelectField(_l("State"), choices=[SelectChoice("active", _l("In the directory")),
                                              SelectChoice("archived", _l("Archived: no longer offered"))])
