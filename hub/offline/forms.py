"""The coordinator's form for work away from the hub."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from hub.offline.service import MAX_KEEP_DAYS


class PolicyForm(FlaskForm):
    keep_days = IntegerField(_l("Days a phone keeps a form it could not send"),
                             validators=[InputRequired(message=_l("Please fill this in.")),
                                         NumberRange(min=1, max=MAX_KEEP_DAYS,
                                                     message=_l("Choose a number of days from 1 to %(max)d.",
                                                                max=MAX_KEEP_DAYS))],
                             render_kw={"inputmode": "numeric"})
