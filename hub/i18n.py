"""Languages: which one a page is shown in, and the picker that remembers a choice in a cookie.

The choice comes from the signed-in user, then the picker's cookie, then the browser's
Accept-Language, then the hub's default.
"""

import functools
from datetime import date, datetime

from babel.dates import get_datetime_format
from flask import current_app, g, has_request_context, render_template, request
from flask_babel import (
    Babel,
    force_locale,
    format_date,
    format_datetime,
    format_time,
    get_locale,
    get_timezone,
    get_translations,
)
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from hub.paths import TRANSLATIONS_DIR

# Native names, so a reader finds their language without reading English.
LANGUAGES = {"en": "English", "bn": "বাংলা", "hi": "हिन्दी", "es": "Español"}
LANGUAGE_COOKIE = "hub_lang"
COOKIE_MAX_AGE = 5 * 365 * 24 * 3600  # a preference, not a session: nothing secret in it

babel = Babel()


def select_language():
    """The language code for this request (the hub's default outside a request, as in the CLI)."""
    if not has_request_context():
        return current_app.config["DEFAULT_LANGUAGE"]
    user = getattr(g, "user", None)
    if user is not None and user.language in LANGUAGES:
        return user.language
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return _best_language(request.headers.get("Accept-Language", "")) or current_app.config["DEFAULT_LANGUAGE"]


@functools.lru_cache(maxsize=64)  # the village's phones send a handful of different headers
def _best_language(accept_language):
    return parse_accept_header(accept_language, LanguageAccept).best_match(LANGUAGES)


def when(value):
    """A date, or a date and time, for the page's language with the month as a word: "7 Dec 2026",
    "7 Dec 2026, 11:18" (never "12/7/26", which reads as 12 July in India). The one way the hub shows a
    date: the `when` filter in templates, and in messages. An ISO text is read first; None shows as ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
        except ValueError:
            return value
    return _formatted(str(get_locale()), str(get_timezone()), value)


def when_writer():
    """when() for the many dates of one page (a row each): the language and the zone looked up once, not per date."""
    language, zone = str(get_locale()), str(get_timezone())

    def write(value):
        if value is None or value == "" or isinstance(value, str):
            return when(value)
        return _formatted(language, zone, value)

    return write


# A page lists dozens of dates, often the same ones, and Babel formats each in tens of microseconds: the text
# depends only on the language, the time zone and the value, so the recent ones are kept. language and timezone
# are the cache's key only: Flask-Babel formats in the request's own, which is what the callers pass.
@functools.lru_cache(maxsize=4096)
def _formatted(language, timezone, value):
    if isinstance(value, datetime):
        pattern = get_datetime_format("medium", locale=get_locale())
        return pattern.replace("{1}", format_date(value, "medium")).replace("{0}", format_time(value, "short"))
    return format_date(value, "medium")


class TemplateCatalog:
    """One language's catalog as templates call it, with Jinja's newstyle gettext semantics: the text is
    markup in an autoescaped template, then always %-formatted with the call's variables (each escaped there),
    so "%%" is a percent sign whether or not there are variables.

    Jinja's newstyle wrapper and Flask-Babel's lookup cost about 20 µs a call and a page makes dozens: here a
    call is one catalog lookup, and a text without variables (most of a page's) is kept formatted."""

    MAX_KEPT = 4096  # the templates' texts; a template passing other texts cannot grow it without bound

    def __init__(self, translations):
        self.gettext = translations.ugettext
        self.ngettext = translations.ungettext
        self._fixed = {}  # (message, autoescape) -> its text, formatted without variables

    def fixed(self, message, autoescape):
        """message translated and formatted without variables (markup when autoescape)."""
        key = (message, autoescape)
        found = self._fixed.get(key)
        if found is None:
            text = self.gettext(message)
            found = (Markup(text) if autoescape else text) % {}
            if len(self._fixed) >= self.MAX_KEPT:
                self._fixed.clear()
            self._fixed[key] = found  # the same value whichever thread writes it
        return found


_catalogs = {}  # id(translations) -> (translations, its TemplateCatalog); Flask-Babel keeps one per language


def template_catalog():
    """The TemplateCatalog of the request's language (or of the language forced with force_locale)."""
    translations = get_translations()
    found = _catalogs.get(id(translations))
    if found is None or found[0] is not translations:
        found = _catalogs[id(translations)] = (translations, TemplateCatalog(translations))
    return found[1]


def _catalog_of(context):
    # A render's catalog comes with its context (init_app's context processor); a macro imported without
    # context, or a template rendered without the processors (errors.render_storage_problem), looks it up.
    catalog = context.get(CATALOG)
    return catalog if catalog is not None else template_catalog()


@pass_context
def _template_gettext(context, message, /, **variables):
    """`_()` and `gettext()` in templates."""
    if not variables:
        return _catalog_of(context).fixed(message, context.eval_ctx.autoescape)
    text = _catalog_of(context).gettext(message)
    return (Markup(text) if context.eval_ctx.autoescape else text) % variables


@pass_context
def _template_ngettext(context, singular, plural, num, /, **variables):
    """`ngettext()` in templates; num is also the variable "num"."""
    variables.setdefault("num", num)
    text = _catalog_of(context).ngettext(singular, plural, num)
    return (Markup(text) if context.eval_ctx.autoescape else text) % variables


CATALOG = "hub_catalog"  # the template context's key of the render's TemplateCatalog


def init_app(app):
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["DEFAULT_LANGUAGE"])
    babel.init_app(app, locale_selector=select_language)
    # Jinja's i18n extension with newstyle semantics (its {% trans %} tag calls the globals below), then its `_`,
    # `gettext` and `ngettext` replaced by one function each, without its wrappers (see TemplateCatalog).
    app.jinja_env.install_gettext_callables(_template_gettext, _template_ngettext, newstyle=True)
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)
    app.context_processor(lambda: {CATALOG: template_catalog()})
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, get_locale=get_locale, format_date=format_date,
                                 format_datetime=format_datetime, when=when)
    app.jinja_env.filters["when"] = when


def village_languages(village):
    """The village's languages that the hub has catalogs for, first language first."""
    return [code for code in (village.language_codes if village else []) if code in LANGUAGES]


def printed_in(language, template, **context):
    """template rendered in language, as markup for a page that stays in the reader's language.

    A printed sheet (the poster, the monthly report) follows the village's language; the menu, the buttons
    and the messages around it follow the person reading, who may have chosen another."""
    with force_locale(language):
        return Markup(render_template(template, language=language, **context))


# Label texts by (labels, language): the catalogs do not change while the hub runs.
_translated = {}


def translated(labels):
    """{code: lazy label} -> {code: label in the page's language}, translated once per language and kept: a list
    of fifty rows would otherwise look each row's label up in the catalog again (tens of microseconds each).
    Each is markup, as a lazy label shows in a template: the catalog's text as it is."""
    key = (id(labels), str(get_locale()))
    found = _translated.get(key)
    if found is None:
        found = _translated[key] = {code: Markup(str(label)) for code, label in labels.items()}
    return found
