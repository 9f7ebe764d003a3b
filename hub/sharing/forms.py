"""Sharing forms: the enrolment form (the aggregator's address and the district's one-time code), and the
transfer page's USB stick and typed address. They check shape; hub.sharing.service checks the rest (the
address answers, the code is accepted)."""

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, ValidationError

from hub.forms import at_most, required
from hub.sharing.service import MAX_CODE, MAX_URL


class EnrolForm(FlaskForm):
    aggregator_url = StringField(_l("The district aggregator's address"),
                                 validators=[required(), at_most(MAX_URL)],
                                 render_kw={"autocomplete": "off", "inputmode": "url",
                                            "placeholder": "http://192.168.1.20:8090"})
    code = StringField(_l("Enrolment code"), validators=[required(), at_most(MAX_CODE)],
                       render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})


class StickForm(FlaskForm):
    stick = RadioField(_l("USB stick"), validate_choice=True)


MAX_TYPED_URL = 200


def _laptop_address(form, field):
    url = (field.data or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname or len(url) > MAX_TYPED_URL:
        raise ValidationError(_l("Type the address as the district gave it, starting with http:// "
                                 "(for example http://10.42.0.20:8090)."))
    field.data = url


class AddressForm(FlaskForm):
    """The district laptop's address typed by hand, when discovery finds nothing (multicast blocked)."""

    url = StringField(_l("The district laptop's address"), validators=[_laptop_address],
                      render_kw={"autocomplete": "off", "inputmode": "url",
                                 "placeholder": "http://10.42.0.20:8090"})
