"""Forms of the district's pages (Flask-WTF: each carries its CSRF token in `csrf_token`)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from hub.forms import at_most, required


class EnrolCodeForm(FlaskForm):
    hub_name = StringField(_l("Name of the hub (its village)"), validators=[required(), at_most(200)])
