"""Rules for protocols: the steps for each category of concern in the reader's language, and the
coordinator's own wording of them.

A protocol has four parts (who to call, what to do first, what not to do, where to refer), each a few
lines, one step a line. The shipped parts are gettext strings (hub.protocols.shipped), so the catalogs
translate them; the coordinator may rewrite any part for one language (ProtocolText), which wins for that
language only. A part stored empty follows the shipped wording. The only writer of ProtocolText.
"""

import re
from dataclasses import dataclass

from flask import g, has_app_context
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hub.audit.service import record
from hub.categories import CATEGORY_LABELS
from hub.db import database
from hub.i18n import LANGUAGES, translated
from hub.protocols.models import ProtocolText
from hub.protocols.shipped import SHIPPED
from hub.validation import FieldError, Problems

PARTS = ("who_to_call", "first_steps", "do_not", "refer_to")
PART_LABELS = {
    "who_to_call": _l("Who to call"),
    "first_steps": _l("What to do first"),
    "do_not": _l("What not to do"),
    "refer_to": _l("Where to refer"),
}
MAX_STEPS = 12
MAX_STEP_LENGTH = 300
BULLET = re.compile(r"^[-*•·]\s+")  # people type lists as lists; the page numbers or bullets them itself


class ProtocolError(FieldError):
    """A protocol change the hub refuses; str() says why, field names the form field."""


@dataclass(frozen=True)
class Protocol:
    """A category's protocol as a reader sees it: each part is text with one step a line."""

    category: str
    who_to_call: str
    first_steps: str
    do_not: str
    refer_to: str
    custom: tuple = ()  # the parts written by the coordinator for this language

    @property
    def label(self):
        return category_label(self.category)

    def lines(self, part):
        """The steps of one part (a name in PARTS), one string a step."""
        if part not in PARTS:
            raise ValueError(f"unknown protocol part {part!r}")
        return [line for line in getattr(self, part).splitlines() if line.strip()]


def category_label(category):
    """The localised name of a category of concern (a template global, as hub.cases.service's is: translated
    once per language)."""
    return translated(CATEGORY_LABELS).get(category, category)


def _language():
    return str(get_locale() or "en") if has_app_context() else "en"


def _texts():
    """{(category, language): ProtocolText}, read once per request (and again after any commit)."""
    if not has_app_context():
        return _load_texts()
    cached = g.get("_protocol_texts")
    if cached is None or cached[0] != database.generation:
        cached = g._protocol_texts = (database.generation, _load_texts())
    return cached[1]


def _load_texts():
    return {(text.category, text.language): text for text in ProtocolText.select()}


def _check_category(category):
    if category not in SHIPPED:
        raise ProtocolError(_("Choose a category from the list."), "category")


def _shipped_parts(category):
    return {part: "\n".join(str(line) for line in SHIPPED[category][part]) for part in PARTS}


def shipped(category):
    """The protocol the hub ships for a category, in the reader's language (the catalogs' translation)."""
    _check_category(category)
    return Protocol(category, **_shipped_parts(category))


def protocol_for(category, language=None):
    """The protocol of a category for a reader of `language` (default: the page's): the coordinator's
    wording of each part for that language, else the shipped (translated) wording."""
    _check_category(category)
    language = language or _language()
    if language == _language():
        parts = _shipped_parts(category)
    else:
        with force_locale(language):
            parts = _shipped_parts(category)
    text = _texts().get((category, language))
    custom = tuple(part for part in PARTS if text is not None and getattr(text, part))
    parts.update({part: getattr(text, part) for part in custom})
    return Protocol(category, custom=custom, **parts)


def all_protocols():
    """Every category's protocol in the reader's language, in the order of the categories."""
    return [protocol_for(category) for category in CATEGORY_LABELS]


def _steps(text, part):
    """The part as stored: one tidy step a line, empty lines dropped."""
    steps = [BULLET.sub("", " ".join(line.split())) for line in (text or "").splitlines()]
    steps = [step for step in steps if step]
    if len(steps) > MAX_STEPS:
        raise ProtocolError(_("Please write at most %(count)d steps, one a line.", count=MAX_STEPS), part)
    if any(len(step) > MAX_STEP_LENGTH for step in steps):
        raise ProtocolError(_("Please keep each step to at most %(count)d characters.", count=MAX_STEP_LENGTH),
                            part)
    return "\n".join(steps)


def check_protocol(who_to_call="", first_steps="", do_not="", refer_to=""):
    """{part: its steps as stored}, or ProtocolError naming every part that is wrong."""
    problems = Problems(ProtocolError)
    given = {"who_to_call": who_to_call, "first_steps": first_steps, "do_not": do_not, "refer_to": refer_to}
    words = {part: problems.check(_steps, given[part], part) for part in PARTS}
    problems.done()
    return words


def save_protocol(category, language, who_to_call="", first_steps="", do_not="", refer_to=""):
    """Write the coordinator's wording of a category's protocol for one language; a part left empty, or
    worded as the hub ships it, follows the shipped wording (all empty: back to the hub's protocol).
    Return the Protocol as a reader of that language now sees it."""
    _check_category(category)
    if language not in LANGUAGES:
        raise ProtocolError(_("Choose a language from the list."), "language")
    words = check_protocol(who_to_call, first_steps, do_not, refer_to)
    with force_locale(language):
        hub_words = _shipped_parts(category)
    # Storing the shipped wording would freeze today's translation of it: keep only what differs.
    words = {part: "" if words[part] == hub_words[part] else words[part] for part in PARTS}
    with database.atomic():
        text = ProtocolText.get_or_none((ProtocolText.category == category) & (ProtocolText.language == language))
        if not any(words.values()):
            if text is not None:
                text.delete_instance()
        elif text is None:
            ProtocolText.create(category=category, language=language, **words)
        else:
            ProtocolText.update(**words).where(ProtocolText.id == text.id).execute()
        changed = ", ".join(part for part in PARTS if words[part]) or "shipped wording"
        record("protocol.updated", detail=f"{category}, {language}: {changed}")
    return protocol_for(category, language)
