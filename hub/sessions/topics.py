"""Topics as the session pages show them: names in the page's language (the curriculum's rule), and the
topics of a session that none of its facilitators has been trained to deliver (a warning, never a refusal)."""

from hub.auth.models import User
from hub.curriculum.models import Topic
from hub.curriculum.service import topic_name
from hub.curriculum.service import untrained_topics as untrained_by_curriculum
from hub.sessions.models import Meeting

__all__ = ["topic_name", "untrained_topics"]


def untrained_topics(kind, topic_ids, facilitator_ids):
    """The topics (in curriculum order) on which none of the facilitators has been trained.

    A volunteer training is where volunteers learn a topic, so nobody needs to be trained on it before.
    """
    if kind == Meeting.VOLUNTEER_TRAINING or not topic_ids:
        return []
    topics = list(Topic.select().where(Topic.id.in_(list(topic_ids))).order_by(Topic.position, Topic.id))
    return untrained_by_curriculum(list(User.select().where(User.id.in_(list(facilitator_ids)))), topics)
