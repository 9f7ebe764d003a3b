"""Notice forms: a notice or an urgent alert. They check shape; hub.notices.service checks the rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from hub.forms import at_most, required
from hub.notices.service import MAX_BODY, MAX_TITLE, WHOLE_HUB, Draft
from hub.people.forms import NOT_A_DATE, explain_formats


class NoticeForm(FlaskForm):
    audience = SelectField(_l("Who it is for"), choices=[], validate_choice=False)
    title = StringField(_l("Title"), validators=[required(), at_most(MAX_TITLE)], render_kw={"autocomplete": "off"})
    body = TextAreaField(_l("The notice"), validators=[required(), at_most(MAX_BODY)], render_kw={"rows": 5})
    urgent = BooleanField(_l("Urgent alert: keep it at the top of everyone's home page until they tap "
                             "\"I have read it\""))
    ends_on = DateField(_l("Last day to show it"), validators=[Optional()])

    def offer(self, groups, whole_hub):
        """Offer the whole hub (when allowed) and these groups."""
        self.audience.choices = ([SelectChoice(WHOLE_HUB, _l("Everyone on the hub"))] if whole_hub else []) + [
            SelectChoice(str(group.id), group.name) for group in groups]
        return self

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        explain_formats(((self.ends_on, NOT_A_DATE),))
        return ok

    def draft(self):
        """The Draft the form holds."""
        return Draft(audience=self.audience.data or "", title=self.title.data or "", body=self.body.data or "",
                     urgent=bool(self.urgent.data), ends_on=self.ends_on.data)
