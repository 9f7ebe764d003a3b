"""Curriculum pages: topics (list, add, edit per language, archive) and a volunteer's training."""

from flask import abort, g, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from hub import clock
from hub.auth.models import User
from hub.curriculum import bp
from hub.curriculum.forms import EditTopicForm, TopicForm, TrainingForm, offer_topics
from hub.curriculum.models import Topic
from hub.curriculum.service import (
    active_topics,
    all_topics,
    check_topic,
    check_training,
    create_topic,
    record_training,
    topic_name,
    training_of,
    update_topic,
    words_in,
)
from hub.forms import saved
from hub.i18n import LANGUAGES


@bp.get("/topics")
def topics():
    everyone = g.user.role in User.CASE_STAFF
    volunteers = (User.select().where(User.active & (User.role == User.FACILITATOR)).order_by(User.display_name)
                  if everyone else [g.user])
    return render_template("hub/curriculum/topics.html", volunteers=volunteers,
                           topics=all_topics() if g.user.role == User.COORDINATOR else active_topics())


@bp.route("/topics/new", methods=["GET", "POST"])
def topic_new():
    form = TopicForm(language=str(get_locale()))
    done = saved(
        form,
        lambda: create_topic(form.name.data, form.description.data, form.language.data),
        lambda topic: _("Topic %(name)s added.", name=topic_name(topic)),
        url_for("curriculum.topics"),
        check=lambda: check_topic(form.language.data, form.name.data),
    )
    if done:
        return done
    return render_template("hub/curriculum/topic_form.html", form=form, topic=None)


@bp.route("/topics/<int:topic_id>", methods=["GET", "POST"])
def topic_edit(topic_id):
    topic = Topic.get_or_none(Topic.id == topic_id) or abort(404)
    language = request.args.get("language")
    language = language if language in LANGUAGES else str(get_locale())
    name, description = words_in(topic, language)
    form = EditTopicForm(language=language, name=name, description=description,
                         state="archived" if topic.archived else "active")
    done = saved(
        form,
        lambda: update_topic(
            topic, form.language.data, form.name.data, form.description.data, archived=form.state.data == "archived"
        ),
        _("Topic %(name)s saved.", name=topic_name(topic)),
        url_for("curriculum.topics"),
        check=lambda: check_topic(form.language.data, form.name.data, topic),
    )
    if done:
        return done
    return render_template("hub/curriculum/topic_form.html", form=form, topic=topic)


def _volunteer_or_404(user_id):
    """The account, if this user may see its training: a facilitator only their own (404 either way)."""
    user = User.get_or_none(User.id == user_id)
    if user is None or (g.user.role == User.FACILITATOR and user.id != g.user.id):
        abort(404)
    return user


def _volunteer_page(user, form, status=200):
    return render_template("hub/curriculum/volunteer.html", volunteer=user, training=training_of(user),
                           form=form), status


@bp.get("/volunteers/<int:user_id>")
def volunteer(user_id):
    user = _volunteer_or_404(user_id)
    return _volunteer_page(user, offer_topics(TrainingForm(trained_on=clock.today()), active_topics()))


@bp.post("/volunteers/<int:user_id>/train")
def train(user_id):
    user = _volunteer_or_404(user_id)
    topics = {topic.id: topic for topic in active_topics()}
    form = offer_topics(TrainingForm(), topics.values())
    done = saved(
        form,
        lambda: record_training(
            user, [topics[topic_id] for topic_id in form.topics.data], form.trained_on.data, form.meeting_id.data
        ),
        lambda added: (
            ngettext("Training on %(num)d topic recorded.", "Training on %(num)d topics recorded.", added)
            if added
            else _("This training was already recorded.")
        ),
        url_for("curriculum.volunteer", user_id=user.id),
        check=lambda: check_training([topics[topic_id] for topic_id in form.topics.data or () if topic_id in topics],
                                     form.trained_on.data, form.meeting_id.data),
    )
    if done:
        return done
    return _volunteer_page(user, form, status=400)
