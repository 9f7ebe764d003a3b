"""Curriculum forms: a topic's words in one language, and a volunteer's training."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from hub.curriculum.service import topic_name
from hub.forms import CheckboxesField, at_most, required
from hub.i18n import LANGUAGES

LANGUAGE_CHOICES = [SelectChoice(code, native) for code, native in LANGUAGES.items()]
NOT_A_DATE = _l("Please give a date as year-month-day.")


class TopicForm(FlaskForm):
    language = SelectField(_l("Language of these words"), choices=LANGUAGE_CHOICES)
    name = StringField(_l("Name"), validators=[required(), at_most(80)])
    description = TextAreaField(_l("What the session covers"), validators=[at_most(300)], render_kw={"rows": 3})


class EditTopicForm(TopicForm):
    state = SelectField(_l("State"), choices=[SelectChoice("active", _l("Offered for new sessions")),
                                              SelectChoice("archived", _l("Archived: not offered any more"))])


class TrainingForm(FlaskForm):
    topics = CheckboxesField(_l("Topics"), coerce=int, choices=[])
    trained_on = DateField(_l("Trained on"), validators=[InputRequired(_l("Please fill this in."))])
    meeting_id = IntegerField(_l("Number of the training session, if there was one"),
                              validators=[Optional(), NumberRange(min=1, message=_l("Please give a number."))],
                              render_kw={"inputmode": "numeric"})

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        # WTForms' own words for a bad date or number do not say what to type.
        for field, message in ((self.trained_on, NOT_A_DATE), (self.meeting_id, _l("Please give a number."))):
            if field.process_errors and field.raw_data and field.raw_data[0].strip():
                field.errors = [str(message)]
        return ok


def offer_topics(form, topics):
    """Let the training form choose among these topics (their names in the reader's language)."""
    form.topics.choices = [SelectChoice(topic.id, topic_name(topic)) for topic in topics]
    return form
