"""The curriculum: shipped topics, their words per language, the coordinator's topics, volunteers' training."""

import html
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape

from hub import clock
from hub.audit.models import AuditEvent
from hub.auth.models import User
from hub.curriculum.models import Topic, TopicText, VolunteerSkill
from hub.curriculum.service import (
    SHIPPED,
    CurriculumError,
    active_topics,
    create_topic,
    record_training,
    topic_description,
    topic_name,
    trained_topics,
    untrained_topics,
    update_topic,
)
from hub.db import database
from tests.conftest import csrf_token
from tests.factories import make_group, make_meeting
from tests.markup import executable_markup
from tests.pages import field_errors

CODES = ["child_rights", "sexual_abuse", "trafficking", "street_safety", "substance_abuse", "leadership",
         "school_management", "life_skills", "parenting"]
TOMORROW = clock.today() + timedelta(days=1)


def text(response):
    return html.unescape(response.get_data(as_text=True))


def topic(code):
    return Topic.get(Topic.code == code)


def user(username):
    return User.get(User.username == username)


# Shipped topics and their words.

def test_shipped__the_migration_makes_the_topics_in_curriculum_order(app_context):
    assert [(t.code, t.position, t.archived) for t in active_topics()] == [
        (code, position, False) for position, code in enumerate(CODES, start=1)]
    assert list(SHIPPED) == CODES
    assert TopicText.select().count() == 0  # names and descriptions come from the catalogs


def test_shipped__names_and_descriptions_come_from_gettext(app):
    with app.test_request_context():
        assert topic_name(topic("sexual_abuse")) == "Protection from sexual abuse and exploitation"
        assert topic_description(topic("trafficking")).startswith("How traffickers lure")
        with force_locale("es"):  # whatever the Spanish catalog says for the shipped words
            assert topic_name(topic("child_rights")) == _("Child rights")
            assert topic_description(topic("parenting")) == _(
                "Positive discipline, talking with children, and keeping them safe at home.")


def test_topics__listed_with_descriptions_for_every_role_that_may(app, login_as):
    page = text(login_as("facilitator").get("/topics"))
    for code in CODES:
        name, description = (str(words) for words in SHIPPED[code])
        assert name in page and description in page
    assert page.index("Child rights") < page.index("Parenting")
    assert "Add a topic" not in page and "/topics/1" not in page
    assert login_as("member").get("/topics").status_code == 403


def test_words__the_coordinators_words_win_in_their_language_only(app, login_as):
    coordinator = login_as("coordinator")
    rights = topic("child_rights")
    response = coordinator.post(f"/topics/{rights.id}", data={
        "language": "es", "name": "Derechos de la niñez", "description": "Los derechos de cada niña y niño.",
        "state": "active", "csrf_token": csrf_token(coordinator)})
    assert response.headers["Location"] == "/topics"
    assert TopicText.get(TopicText.topic == rights).language == "es"
    coordinator.post("/language/es", data={"next": "/topics", "csrf_token": csrf_token(coordinator)})
    spanish = text(coordinator.get("/topics"))
    assert "Derechos de la niñez" in spanish and "Los derechos de cada niña y niño." in spanish
    english = text(login_as("facilitator").get("/topics"))
    assert "Derechos de la niñez" not in english and "Child rights" in english
    event = AuditEvent.get(AuditEvent.action == "topic.updated")
    assert (event.username, event.object_id, event.detail) == ("coordinator", str(rights.id), "es")


def test_words__the_edit_page_shows_the_words_of_the_chosen_language(app, login_as):
    coordinator = login_as("coordinator")
    rights = topic("child_rights")
    with app.app_context(), database.connection_context():
        update_topic(rights, "hi", "बाल अधिकार", "हर बच्चे के अधिकार")
    hindi = text(coordinator.get(f"/topics/{rights.id}?language=hi"))
    assert 'value="बाल अधिकार"' in hindi and '<option selected value="hi">' in hindi
    english = text(coordinator.get(f"/topics/{rights.id}?language=en"))
    assert 'value="Child rights"' in english


def test_words__a_topic_added_in_one_language_shows_those_words_in_the_others(app):
    with app.test_request_context():
        added = create_topic("Bal vivah", "Child marriage and how to stop it.", "hi")
        with force_locale("en"):
            assert (topic_name(added), topic_description(added)) == ("Bal vivah", "Child marriage and how to stop it.")
        update_topic(added, "en", "Child marriage", "")
        with force_locale("en"):
            assert topic_name(added) == "Child marriage"
        with force_locale("es"):
            assert topic_name(added) == "Child marriage"  # English first among the words it has
        with force_locale("hi"):
            assert topic_name(added) == "Bal vivah"


# The coordinator's topics.

def test_new_topic__added_at_the_end_and_audited(app, login_as):
    coordinator = login_as("coordinator")
    response = coordinator.post("/topics/new", data={
        "language": "en", "name": "  Child   marriage ", "description": "Why it harms, and who to call.",
        "csrf_token": csrf_token(coordinator)})
    assert response.headers["Location"] == "/topics"
    added = Topic.get(Topic.code.is_null())
    assert (added.position, added.archived) == (10, False)
    words = TopicText.get(TopicText.topic == added)
    assert (words.language, words.name, words.description) == ("en", "Child marriage", "Why it harms, and who to call.")
    assert AuditEvent.get(AuditEvent.action == "topic.created").object_id == str(added.id)
    page = text(login_as("facilitator").get("/topics"))
    assert page.index("Parenting") < page.index("Child marriage")


def test_new_topic__a_double_tap_makes_one_topic(app, login_as):
    coordinator = login_as("coordinator")
    data = {"language": "en", "name": "Child marriage", "description": "", "csrf_token": csrf_token(coordinator)}
    assert coordinator.post("/topics/new", data=data).status_code == 302
    again = coordinator.post("/topics/new", data=data)
    assert field_errors(text(again), "name") == ["There is already a topic called Child marriage."]
    assert Topic.select().where(Topic.code.is_null()).count() == 1


@pytest.mark.parametrize("data, field, message", [
    ({"name": ""}, "name", "Please fill this in."),
    ({"name": "n" * 81}, "name", "Please use at most 80 characters."),
    ({"name": "child RIGHTS"}, "name", "There is already a topic called child RIGHTS."),
    ({"name": "Trafficking"}, "name", "There is already a topic called Trafficking."),
    ({"description": "d" * 301}, "description", "Please use at most 300 characters."),
    ({"language": "fr"}, "language", "Not a valid choice"),
])
def test_new_topic__bad_input_refused_beside_the_field(app, login_as, data, field, message):
    coordinator = login_as("coordinator")
    response = coordinator.post("/topics/new", data={
        "language": "en", "name": "Child marriage", "description": "", **data, "csrf_token": csrf_token(coordinator)})
    assert any(error.startswith(message) for error in field_errors(text(response), field))
    assert Topic.select().count() == len(CODES) and TopicText.select().count() == 0


def test_edit_topic__a_name_taken_in_that_language_is_refused(app, login_as):
    coordinator = login_as("coordinator")
    leadership = topic("leadership")
    response = coordinator.post(f"/topics/{leadership.id}", data={
        "language": "en", "name": "Parenting", "description": "", "state": "active",
        "csrf_token": csrf_token(coordinator)})
    assert field_errors(text(response), "name") == ["There is already a topic called Parenting."]
    assert TopicText.select().count() == 0 and not AuditEvent.select().where(
        AuditEvent.action == "topic.updated").exists()


def test_edit_topic__archive_and_bring_back(app, login_as):
    coordinator = login_as("coordinator")
    streets = topic("street_safety")

    def save(state):
        return coordinator.post(f"/topics/{streets.id}", data={
            "language": "en", "name": "Keeping safe on the streets", "description": "Roads and routes.",
            "state": state, "csrf_token": csrf_token(coordinator)})

    save("archived")
    assert Topic.get_by_id(streets.id).archived
    assert streets.id not in [t.id for t in active_topics()]
    assert "Keeping safe on the streets" not in text(login_as("facilitator").get("/topics"))
    assert "Archived" in text(coordinator.get("/topics"))
    save("active")
    assert not Topic.get_by_id(streets.id).archived
    assert save("gone").status_code == 200 and field_errors(text(save("gone")), "state")


def test_edit_topic__unknown_topic_and_access(app, login_as):
    assert login_as("coordinator").get("/topics/999").status_code == 404
    for role in ("case_worker", "facilitator"):
        client = login_as(role)
        assert client.get("/topics/new").status_code == 403
        assert client.get("/topics/1").status_code == 403


def test_service__refuses_an_unknown_language(app_context):
    with pytest.raises(CurriculumError) as refused:
        create_topic("Child marriage", "", "fr")
    assert refused.value.field == "language"


# Volunteers' training.

@pytest.fixture
def training_day():
    return clock.today() - timedelta(days=30)


def train(client, user_id, **data):
    return client.post(f"/volunteers/{user_id}/train", data={**data, "csrf_token": csrf_token(client)})


def test_train__recorded_shown_and_idempotent(app, login_as, training_day):
    coordinator = login_as("coordinator")
    volunteer = user("facilitator")
    ids = [str(topic(code).id) for code in ("child_rights", "trafficking")]
    response = train(coordinator, volunteer.id, topics=ids, trained_on=training_day.isoformat())
    assert response.headers["Location"] == f"/volunteers/{volunteer.id}"
    assert "Training on 2 topics recorded." in text(coordinator.get(f"/volunteers/{volunteer.id}"))
    again = train(coordinator, volunteer.id, topics=ids, trained_on=training_day.isoformat())
    assert again.status_code == 302
    assert "This training was already recorded." in text(coordinator.get(f"/volunteers/{volunteer.id}"))
    assert VolunteerSkill.select().count() == 2
    assert AuditEvent.select().where(AuditEvent.action == "skill.recorded").count() == 2
    train(coordinator, volunteer.id, topics=ids[:1], trained_on=(training_day + timedelta(days=7)).isoformat())
    assert VolunteerSkill.select().count() == 3
    page = text(login_as("facilitator").get(f"/volunteers/{volunteer.id}"))
    assert "Child rights" in page and "Trafficking" in page and "Parenting" not in page
    assert "Record a training" not in page  # only the coordinator records training
    with app.app_context(), database.connection_context():
        assert [t.code for t in trained_topics(volunteer)] == ["child_rights", "trafficking"]
        assert [t.code for t in untrained_topics([volunteer, user("member")], active_topics())] == [
            code for code in CODES if code not in ("child_rights", "trafficking")]


def test_train__an_archived_topic_is_no_longer_one_they_may_deliver(app_context, training_day):
    volunteer = user("facilitator")
    record_training(volunteer, [topic("leadership"), topic("parenting")], training_day)
    update_topic(topic("leadership"), "en", "Leadership", "", archived=True)
    assert [t.code for t in trained_topics(volunteer)] == ["parenting"]
    with pytest.raises(CurriculumError):
        record_training(volunteer, [topic("leadership")], training_day)


def test_train__linked_to_a_volunteer_training_session(app, login_as, training_day):
    with app.app_context(), database.connection_context():
        forum = make_group(name="Youth forum", kind="youth_forum")
        when = datetime.combine(training_day, datetime.min.time()).replace(hour=10)
        session = make_meeting(forum, when, kind="volunteer_training")
        other = make_meeting(forum, when, kind="life_skills")
    coordinator = login_as("coordinator")
    volunteer = user("facilitator")
    rights = str(topic("child_rights").id)
    refused = train(coordinator, volunteer.id, topics=[rights], trained_on=training_day.isoformat(),
                    meeting_id=str(other.id))
    assert field_errors(text(refused), "meeting_id") == ["There is no volunteer training session with this number."]
    refused = train(coordinator, volunteer.id, topics=[rights],
                    trained_on=(training_day - timedelta(days=1)).isoformat(), meeting_id=str(session.id))
    assert field_errors(text(refused), "trained_on") == [
        f"That training session was on {training_day:%b} {training_day.day}, {training_day.year}."]
    assert VolunteerSkill.select().count() == 0
    train(coordinator, volunteer.id, topics=[rights], trained_on=training_day.isoformat(), meeting_id=str(session.id))
    assert VolunteerSkill.get().meeting_id == session.id


@pytest.mark.parametrize("data, field, message", [
    ({"topics": []}, "topics", "Choose at least one topic."),
    ({"topics": ["999"]}, "topics", "'999' is not a valid choice"),
    ({"topics": ["one"]}, "topics", "Invalid choice(s)"),
    ({"trained_on": ""}, "trained_on", "Please fill this in."),
    ({"trained_on": "last week"}, "trained_on", "Please give a date as year-month-day."),
    ({"trained_on": TOMORROW.isoformat()}, "trained_on", "This date is after today"),
    ({"trained_on": "1899-05-01"}, "trained_on", "This date is before Jan 1, 1900."),
    ({"meeting_id": "first"}, "meeting_id", "Please give a number."),
    ({"meeting_id": "0"}, "meeting_id", "Please give a number."),
    ({"meeting_id": "999"}, "meeting_id", "There is no volunteer training session with this number."),
])
def test_train__bad_input_refused_beside_the_field_and_nothing_saved(app, login_as, training_day, data, field,
                                                                      message):
    coordinator = login_as("coordinator")
    values = {"topics": [str(topic("child_rights").id)], "trained_on": training_day.isoformat(), **data}
    response = train(coordinator, user("facilitator").id, **values)
    assert response.status_code == 400
    assert any(error.startswith(message) for error in field_errors(text(response), field)), (
        field_errors(text(response), field))
    assert VolunteerSkill.select().count() == 0


def test_volunteer__need_to_know(app, login_as):
    facilitator = login_as("facilitator")
    own, other = user("facilitator"), user("coordinator")
    assert facilitator.get(f"/volunteers/{own.id}").status_code == 200
    assert facilitator.get(f"/volunteers/{other.id}").status_code == 404
    assert train(facilitator, own.id, topics=["1"], trained_on="2025-01-01").status_code == 403
    assert login_as("case_worker").get(f"/volunteers/{own.id}").status_code == 200
    assert login_as("member").get(f"/volunteers/{own.id}").status_code == 403
    coordinator = login_as("coordinator")
    assert coordinator.get("/volunteers/999").status_code == 404
    assert "Record a training" in text(coordinator.get(f"/volunteers/{own.id}"))
    assert "Facilitator" in text(coordinator.get("/topics"))  # the volunteers' pages are listed there


# Untrusted text: topic names and descriptions through every page that shows them.

PAYLOADS = [line for line in (Path(__file__).parent / "data" / "xss.txt").read_text().splitlines() if line]


def test_xss__payloads_in_topic_words_on_every_page(app, login_as, training_day):
    coordinator = login_as("coordinator")
    token = csrf_token(coordinator)
    volunteer = user("facilitator")
    rights = topic("child_rights")
    for index, payload in enumerate(PAYLOADS):
        words = {"name": f"{index} {payload}"[:80], "description": payload[:300]}
        response = coordinator.post("/topics/new", data={"language": "en", **words, "csrf_token": token})
        assert executable_markup(response.get_data(as_text=True)) == [], payload
        added = Topic.select().order_by(Topic.id.desc()).first()
        saved = coordinator.post(f"/topics/{added.id}", data={
            "language": "hi", **words, "state": "active", "csrf_token": token})
        assert saved.status_code == 302, payload
        refused = coordinator.post(f"/topics/{rights.id}", data={  # the name of the topic just added
            "language": "en", **words, "state": "active", "csrf_token": token})
        assert refused.status_code == 200 and executable_markup(refused.get_data(as_text=True)) == [], payload
        train(coordinator, volunteer.id, topics=[str(added.id)], trained_on=training_day.isoformat())
        shown = str(escape(" ".join(words["name"].split())))
        for path in ("/topics", f"/topics/{added.id}", f"/topics/{added.id}?language=hi",
                     f"/volunteers/{volunteer.id}"):
            page = coordinator.get(path).get_data(as_text=True)
            assert shown in page, (payload, path)
            assert executable_markup(page) == [], (payload, path)
    assert VolunteerSkill.select().count() == len(PAYLOADS)
    for client in (coordinator, login_as("facilitator")):
        for path in ("/topics", f"/volunteers/{volunteer.id}"):
            assert executable_markup(client.get(path).get_data(as_text=True)) == [], path
