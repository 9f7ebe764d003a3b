"""Forms for first-run set-up and the village profile."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo

from hub.forms import CheckboxesField, at_most, required
from hub.i18n import LANGUAGES
from hub.village.service import COUNTRIES

COUNTRY_CHOICES = [SelectChoice(code, name) for code, (name, _) in COUNTRIES.items()]
LANGUAGE_CHOICES = [SelectChoice(code, native) for code, native in LANGUAGES.items()]


class VillageForm(FlaskForm):
    name = StringField(_l("Village name"), validators=[required(), at_most(80)])
    district = StringField(_l("District"), validators=[at_most(80)])
    country = SelectField(_l("Country"), choices=COUNTRY_CHOICES)
    languages = CheckboxesField(_l("Languages used in the village"), choices=LANGUAGE_CHOICES,
                                validators=[required()])
    numbers = TextAreaField(_l("Emergency numbers"), validators=[at_most(2000)],
                            render_kw={"rows": 6})


class SetupForm(VillageForm):
    setup_code = StringField(_l("Set-up code"), validators=[required(), at_most(40)],
                             render_kw={"autocomplete": "off", "inputmode": "numeric"})
    display_name = StringField(_l("Your name"), validators=[required(), at_most(80)])
    username = StringField(_l("Your username"), validators=[required(), at_most(32)],
                           render_kw={"autocapitalize": "none", "autocomplete": "username"})
    password = PasswordField(_l("Your password"), validators=[required(), at_most(200)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Your password again"),
                            validators=[required(), EqualTo("password", message=_l("The two entries differ."))],
                            render_kw={"autocomplete": "new-password"})
