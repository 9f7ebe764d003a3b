"""Sharing forms: the enrolment form (the aggregator's address and the district's one-time code). They check
shape; hub.sharing.service checks the rest (the address answers, the code is accepted)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from hub.forms import at_most, required
from hub.sharing.service import MAX_CODE, MAX_URL


class EnrolForm(FlaskForm):
    aggregator_url = StringField(_l("The district aggregator's address"),
                                 validators=[required(), at_most(MAX_URL)],
                                 render_kw={"autocomplete": "off", "inputmode": "url",
                                            "placeholder": "http://192.168.1.20:8090"})
    code = StringField(_l("Enrolment code"), validators=[required(), at_most(MAX_CODE)],
                       render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
