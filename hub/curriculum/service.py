"""Rules for the curriculum: topics and their words in each language, and which volunteer is trained on what.

A shipped topic (with a code) takes its name and description from the gettext strings below, so the
catalogs translate it; the coordinator may write a topic's words for one language (TopicText), which
win for that language. Topics the coordinator adds have only TopicText. The only writer of these tables.
"""

from dataclasses import dataclass
from datetime import date

from flask import g, has_app_context
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import fn

from hub import clock
from hub.audit.service import record
from hub.curriculum.models import Topic, TopicText, VolunteerSkill
from hub.db import database
from hub.i18n import LANGUAGES, when
from hub.validation import FieldError, Problems

# The topics every hub starts with (rows made by migration 0006), in curriculum order.
SHIPPED = {
    "child_rights": (_l("Child rights"),
                     _l("What rights every child has, and who must protect them.")),
    "sexual_abuse": (_l("Protection from sexual abuse and exploitation"),
                     _l("Safe and unsafe touch, saying no, and telling a trusted adult.")),
    "trafficking": (_l("Trafficking"),
                    _l("How traffickers lure children and young people with promises of work or marriage.")),
    "street_safety": (_l("Keeping safe on the streets"),
                      _l("Road safety, safe routes to school, and what to do when lost or followed.")),
    "substance_abuse": (_l("Substance abuse"),
                        _l("Alcohol, tobacco and drugs: the harm they do and how to refuse them.")),
    "leadership": (_l("Leadership"),
                   _l("Speaking up, running a meeting, and leading a children's group.")),
    "school_management": (_l("School management"),
                          _l("How the school is run, the school committee, and children's voices in it.")),
    "life_skills": (_l("Life skills"),
                    _l("Decisions, feelings, friendships and solving problems together.")),
    "parenting": (_l("Parenting"),
                  _l("Positive discipline, talking with children, and keeping them safe at home.")),
}
EARLIEST = date(1900, 1, 1)


class CurriculumError(FieldError):
    """A curriculum change the hub refuses; str() says why, field names the form field."""


def _texts():
    """{topic id: {language: TopicText}}, read once per request (and again after any commit)."""
    if not has_app_context():
        return _load_texts()
    cached = g.get("_topic_texts")
    if cached is None or cached[0] != database.generation:
        cached = g._topic_texts = (database.generation, _load_texts())
    return cached[1]


def _load_texts():
    texts = {}
    for text in TopicText.select().order_by(TopicText.id):
        texts.setdefault(text.topic_id, {})[text.language] = text
    return texts


def _language():
    return str(get_locale() or "en") if has_app_context() else "en"


def _resolve(topic, index, language=None):
    """Word `index` (0 the name, 1 the description) of the topic for a reader of language."""
    language = language or _language()
    texts = _texts().get(topic.id, {})
    if language in texts:
        return (texts[language].name, texts[language].description)[index]
    if topic.code in SHIPPED:
        return str(SHIPPED[topic.code][index])
    if not texts:
        return ""
    # A topic added in another language: the words it has, English first.
    text = min(texts.values(), key=lambda text: (text.language != "en", text.id))
    return (text.name, text.description)[index]


def topic_name(topic):
    """The topic's name in the reader's language: the coordinator's words for it, else the shipped
    (translated) name, else the words written for another language."""
    return _resolve(topic, 0)


def topic_description(topic):
    """The topic's description in the reader's language, found as topic_name finds the name."""
    return _resolve(topic, 1)


def words_in(topic, language):
    """(name, description) of the topic as a reader of `language` sees them (for the edit form)."""
    with force_locale(language):
        return _resolve(topic, 0, language), _resolve(topic, 1, language)


def active_topics():
    """Topics offered for new sessions, in curriculum order."""
    return list(Topic.active())


def all_topics():
    """Every topic, archived ones last."""
    return list(Topic.select().order_by(Topic.archived, Topic.position, Topic.id))


def check_topic(language, name, topic=None):
    """The tidy name, or CurriculumError naming every field that is wrong."""
    problems = Problems(CurriculumError)
    if language not in LANGUAGES:
        problems.add(_("Choose a language from the list."), "language")
    name = " ".join((name or "").split())
    if not name:
        problems.add(_("Please fill this in."), "name")
    elif language in LANGUAGES:  # a name is taken in one language
        others = Topic.select().where(~Topic.archived)
        if topic is not None:
            others = others.where(Topic.id != topic.id)
        with force_locale(language):
            taken = any(_resolve(other, 0, language).casefold() == name.casefold() for other in others)
        if taken:
            problems.add(_("There is already a topic called %(name)s.", name=name), "name")
    problems.done()
    return name


def create_topic(name, description, language):
    """Add a topic with its words in one language, at the end of the curriculum; return the Topic."""
    with database.atomic():  # checked under the write lock: a double tap makes one topic
        name = check_topic(language, name)
        position = (Topic.select(fn.MAX(Topic.position)).scalar() or 0) + 1
        topic = Topic.create(code=None, position=position)
        TopicText.create(topic=topic, language=language, name=name,
                         description=" ".join((description or "").split()))
        record("topic.created", topic, detail=language)
    return topic


def update_topic(topic, language, name, description, archived=False):
    """Write the topic's words for one language, and archive it or bring it back; return the Topic."""
    description = " ".join((description or "").split())
    with database.atomic():
        name = check_topic(language, name, topic)
        text = TopicText.get_or_none((TopicText.topic == topic) & (TopicText.language == language))
        if text is None:
            TopicText.create(topic=topic, language=language, name=name, description=description)
        else:
            text.name, text.description = name, description
            text.save()
        topic.archived = bool(archived)
        topic.save()
        record("topic.updated", topic, detail=language + (", archived" if archived else ""))
    return topic


@dataclass(frozen=True)
class Training:
    topic: Topic
    dates: list  # the days the volunteer was trained on the topic, newest first


def training_of(user):
    """What a volunteer was trained on, in curriculum order, with the dates (archived topics left out)."""
    rows = (VolunteerSkill.select(VolunteerSkill, Topic).join(Topic)
            .where((VolunteerSkill.user == user) & ~Topic.archived)
            .order_by(Topic.position, Topic.id, VolunteerSkill.trained_on.desc()))
    found = {}
    for row in rows:
        found.setdefault(row.topic.id, Training(row.topic, []))
        found[row.topic.id].dates.append(row.trained_on)
    return list(found.values())


def trained_topics(user):
    """The active topics a volunteer may deliver (trained on at least once), in curriculum order."""
    return [training.topic for training in training_of(user)]


def untrained_topics(users, topics):
    """Of these topics, those none of these users has been trained on (to warn when a session is planned)."""
    ids = [topic.id for topic in topics]
    if not ids:
        return []
    trained = {row.topic_id for row in VolunteerSkill.select(VolunteerSkill.topic)
               .where(VolunteerSkill.user.in_([user.id for user in users]) & VolunteerSkill.topic.in_(ids))}
    return [topic for topic in topics if topic.id not in trained]


def _check_meeting(meeting_id, trained_on):
    from hub.sessions.models import Meeting  # sessions build on the curriculum, not the other way round

    meeting = Meeting.get_or_none(Meeting.id == meeting_id)
    if meeting is None or meeting.kind != Meeting.VOLUNTEER_TRAINING or meeting.status == Meeting.CANCELLED:
        raise CurriculumError(_("There is no volunteer training session with this number."), "meeting_id")
    if trained_on is not None and meeting.starts_at.date() != trained_on:
        raise CurriculumError(_("That training session was on %(day)s.", day=when(meeting.starts_at.date())),
                              "trained_on")


def _trained_on(day):
    if day is None:
        raise CurriculumError(_("Please fill this in."), "trained_on")
    if day > clock.today():
        raise CurriculumError(_("This date is after today (%(today)s on the hub's clock).",
                                today=when(clock.today())), "trained_on")
    if day < EARLIEST:
        raise CurriculumError(_("This date is before %(earliest)s.", earliest=when(EARLIEST)), "trained_on")
    return day


def check_training(topics, trained_on, meeting_id=None):
    """Raise CurriculumError naming every field of a training record that is wrong."""
    problems = Problems(CurriculumError)
    if not topics:
        problems.add(_("Choose at least one topic."), "topics")
    elif any(topic.archived for topic in topics):
        problems.add(_("Choose topics from the list."), "topics")
    trained_on = problems.check(_trained_on, trained_on)
    if meeting_id is not None:
        problems.check(_check_meeting, meeting_id, trained_on)
    problems.done()


def record_training(user, topics, trained_on, meeting_id=None):
    """Record that a volunteer was trained on topics on a day; a topic already recorded for that day is
    left as it is. Return the number of new records."""
    check_training(topics, trained_on, meeting_id)
    added = 0
    with database.atomic():
        for topic in topics:
            skill = VolunteerSkill.get_or_none((VolunteerSkill.user == user) & (VolunteerSkill.topic == topic)
                                               & (VolunteerSkill.trained_on == trained_on))
            if skill is None:
                VolunteerSkill.create(user=user, topic=topic, trained_on=trained_on, meeting_id=meeting_id)
                record("skill.recorded", user, detail=f"topic {topic.id}, {trained_on.isoformat()}")
                added += 1
            elif skill.meeting_id is None and meeting_id is not None:
                skill.meeting_id = meeting_id  # the same training, now linked to its session
                skill.save()
    return added
