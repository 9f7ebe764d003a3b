"""Session forms: plan or record a session, the roster, and the entry of a paper sheet.

The roster and paper forms share the headcount of guests: one small field per sex and age band, named
briefly (g_f0 ... g_o5) because the roster page has a size budget.
"""

import functools
from datetime import datetime, time
from typing import NamedTuple

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from hub.forms import CheckboxesField, at_most
from hub.people.models import AGE_BANDS, SEXES
from hub.sessions.attendance import MAX_GUESTS, SEX_LABELS, guest_field
from hub.sessions.models import Meeting
from hub.sessions.service import KIND_LABELS, MeetingPlan
from hub.sessions.topics import topic_name

KIND_CHOICES = [SelectChoice(kind, KIND_LABELS[kind]) for kind in Meeting.KINDS]
STATUS_CHOICES = [SelectChoice(Meeting.PLANNED, _l("Plan it: it is coming up")),
                  SelectChoice(Meeting.HELD, _l("Record it: it was held"))]
# (field name, sex, age band) of every headcount cell, in table order.
GUEST_FIELDS = [(guest_field(sex, band), sex, band) for band in AGE_BANDS for sex in SEXES]
# The same cells as a table: a column per sex, a row per age band of (field name, sex label) cells.
GUEST_COLUMNS = [SEX_LABELS[sex] for sex in SEXES]
GUEST_ROWS = [(band, [(guest_field(sex, band), SEX_LABELS[sex]) for sex in SEXES]) for band in AGE_BANDS]


def guest_table():
    """(GUEST_ROWS, GUEST_COLUMNS) with their labels in the page's language, each label translated once per
    language rather than once per cell and page (a lazy label is translated anew each time it is shown)."""
    return _guest_table(str(get_locale()))


@functools.lru_cache(maxsize=None)  # one per language
def _guest_table(language):
    rows = tuple((band, tuple((name, str(label)) for name, label in cells)) for band, cells in GUEST_ROWS)
    return rows, tuple(str(label) for label in GUEST_COLUMNS)


def filled_in():
    """Required, judged on what was typed (a date or time that does not parse gets its own message)."""
    return InputRequired(message=_l("Please fill this in."))


class MeetingForm(FlaskForm):
    status = RadioField(_l("This session"), choices=STATUS_CHOICES, default=Meeting.PLANNED)
    kind = SelectField(_l("Kind of session"), choices=KIND_CHOICES)
    day = DateField(_l("Date"), validators=[filled_in()])
    start = TimeField(_l("Time"), format=["%H:%M", "%H:%M:%S"], validators=[filled_in()])
    place = StringField(_l("Place"), validators=[at_most(120)])
    topics = CheckboxesField(_l("Topics"), coerce=int, choices=[])
    facilitators = CheckboxesField(_l("Facilitators"), coerce=int, choices=[])
    notes = TextAreaField(_l("Notes"), validators=[at_most(4000)], render_kw={"rows": 4})
    version = HiddenField()

    def offer(self, topics, facilitators):
        """Let the form choose among these topics and accounts."""
        self.topics.choices = [SelectChoice(topic.id, topic_name(topic)) for topic in topics]
        self.facilitators.choices = [SelectChoice(user.id, user.display_name) for user in facilitators]
        return self

    def plan(self):
        """The MeetingPlan the form holds (starts_at None while the day could not be read; midnight while the
        time could not: the form refuses that, and the day is still checked)."""
        starts_at = datetime.combine(self.day.data, self.start.data or time()) if self.day.data else None
        return MeetingPlan(kind=self.kind.data, starts_at=starts_at,
                           status=self.status.data, place=self.place.data or "", notes=self.notes.data or "",
                           topic_ids=tuple(self.topics.data or ()),
                           facilitator_ids=tuple(self.facilitators.data or ()))


def headcount(form, field):
    """A number of guests from 0 to MAX_GUESTS, or nothing (0)."""
    text = (field.data or "").strip()
    if text and not (text.isdecimal() and int(text) <= MAX_GUESTS):
        raise ValidationError(_l("Type a number from 0 to %(max)d.", max=MAX_GUESTS))


class GuestsForm(FlaskForm):
    """The headcount of unnamed guests (fields added below, one per sex and age band)."""

    confirm_guests = BooleanField(_l("Yes, this many guests came (the session is marked for review)"))

    def guests(self):
        """{(sex, age band): count} as typed (an empty cell is 0)."""
        return {(sex, band): int((getattr(self, name).data or "").strip() or 0) for name, sex, band in GUEST_FIELDS}

    def show_guests(self, guests):
        """Fill the cells from {(sex, age band): count}, leaving zeros empty."""
        for name, sex, band in GUEST_FIELDS:
            getattr(self, name).data = str(guests[(sex, band)]) if guests.get((sex, band)) else ""
        return self

    def guest_errors(self):
        """[(label, error)] of the headcount cells that were refused."""
        return [(f"{SEX_LABELS[sex]} {band}", error) for name, sex, band in GUEST_FIELDS
                for error in getattr(self, name).errors]


# The cells are labelled by the table's headings (GUEST_ROWS), never by their field's label: an empty label
# spares WTForms making and translating one per cell each time the roster is shown.
for _name, _sex, _band in GUEST_FIELDS:
    setattr(GuestsForm, _name, StringField("", validators=[headcount]))


class Shown(NamedTuple):
    """A field as a form shown on a GET has it: its value and no errors."""

    data: object = None
    errors: tuple = ()


class BlankRoster:
    """The roster form as a GET shows it (no errors; the guests counted so far), without WTForms: building a
    form of fifteen fields was a sixth of the roster page's CPU, and a GET never validates it."""

    form_errors = ()
    p = confirm_guests = Shown()

    def __init__(self, guests):
        self._cells = {name: Shown(str(guests[(sex, band)]) if guests.get((sex, band)) else "")
                       for name, sex, band in GUEST_FIELDS}

    def __getitem__(self, name):
        return self._cells[name]

    def guest_errors(self):
        return []


class RosterForm(GuestsForm):
    # Ticked person ids; the service checks each is on the roster, with a message a person can read.
    p = SelectMultipleField("", coerce=str, validate_choice=False)  # unlabelled: each checkbox has its name


class PaperForm(GuestsForm):
    absent = StringField(_l("Numbers of the people who were absent"), validators=[at_most(2000)],
                         render_kw={"inputmode": "numeric", "autocomplete": "off"})
    excused = StringField(_l("Numbers of the people who were excused"), validators=[at_most(2000)],
                          render_kw={"inputmode": "numeric", "autocomplete": "off"})
    order = HiddenField()  # the person ids in the order the page numbered them
