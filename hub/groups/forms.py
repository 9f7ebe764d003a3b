"""Group forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from hub.forms import at_most, required
from hub.groups.models import Group
from hub.groups.service import KIND_LABELS

KIND_CHOICES = [SelectChoice(kind, KIND_LABELS[kind]) for kind in Group.KINDS]


class GroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[required(), at_most(80)])
    kind = SelectField(_l("Kind of group"), choices=KIND_CHOICES)
    description = TextAreaField(_l("What the group does"), validators=[at_most(500)], render_kw={"rows": 3})
