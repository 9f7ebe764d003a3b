"""Languages: every template string is marked for translation and every catalog has every message."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from hub.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
TRANSLATED = [code for code in LANGUAGES if code != "en"]
WORD = re.compile(r"[^\W\d_]{2,}")
TAG = re.compile(r"<[^>]*>", re.S)
TEXT_ATTRIBUTE = re.compile(r'\b(title|alt|placeholder|aria-label|value)="([^"{]*)"')


def unmarked_text(env, source):
    """Words in a template's literal text (outside tags, outside {% trans %}) that are not translated."""
    pieces, attributes, in_trans, previous = [], [], False, None
    for _, kind, value in env.lex(source):
        if kind == "name" and previous == "block_begin":
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
        if kind == "data" and not in_trans:
            pieces.append(value)
            attributes += [text for name, text in TEXT_ATTRIBUTE.findall(value)
                           if name != "value" and WORD.search(text)]
        elif kind in ("variable_begin", "block_begin"):
            pieces.append("\x00")
        if kind not in ("whitespace",):
            previous = kind
    text = re.sub(r"&\w+;|&#\d+;", " ", TAG.sub(" ", "".join(pieces)))
    return WORD.findall(text) + attributes


def test_templates__every_visible_string_is_marked(app):
    offenders = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        words = unmarked_text(app.jinja_env, path.read_text(encoding="utf-8"))
        if words:
            offenders[str(path.relative_to(ROOT))] = words
    assert offenders == {}


def test_checker__catches_unmarked_text(app):
    assert unmarked_text(app.jinja_env, "<p>Hello {{ name }}</p>") == ["Hello"]
    assert unmarked_text(app.jinja_env, '<img alt="A house" src="x">') == ["A house"]
    assert unmarked_text(app.jinja_env, "<p>{{ _('Hello') }}</p>{% trans %}Hi there{% endtrans %}") == []


def extracted_messages():
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogs__every_message_translated(language):
    path = ROOT / "hub" / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for msgid in sorted(extracted_messages()):
        message = catalog.get(msgid)
        strings = message.string if message else None
        strings = strings if isinstance(strings, tuple) else (strings,)
        if message is None or message.fuzzy or not all(strings):
            missing.append(msgid)
    assert missing == [], f"{language}: {len(missing)} message(s) need translating (run `make messages`)"
    problems = [(message.id, errors) for message, errors in catalog.check()]
    assert problems == []
