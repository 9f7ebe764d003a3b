"""The app shell every signed-in page shares (the menu, who is signed in, the language buttons), rendered once
and kept until the next write, and the session's signed CSRF token, signed once.

Measured (bench/profile.py): the shell was about 2 ms of CPU per page, five times a bare Flask page, more
than most pages' own content: two dozen url_for, icon and gettext calls and the menu's lookups. What it shows
depends only on the account, the page's language and the database (hub.memo's generation), and on the
session for the CSRF token inside its forms, so it is kept under those keys: a phone's second page reuses it.

Flask-WTF signs the session's raw CSRF token anew on every request (an HMAC, a timestamp). The hub's tokens
have no time limit (WTF_CSRF_TIME_LIMIT=None: the clock may jump), so a token signed once for a session
stays valid as long as the session: it is signed once and reused.
"""

import threading

from flask import current_app, g, get_flashed_messages, render_template, session
from flask.templating import Environment
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from itsdangerous import URLSafeTimedSerializer
from markupsafe import Markup, escape

from hub import memo

CSRF_KEY = "csrf_token"  # Flask-WTF's names: the raw token in the session, the signed one in g
MAX_SIGNED = 256


class SignedTokens:
    """The raw CSRF token of a session -> its signed form, thread-safe, cleared whole when full."""

    def __init__(self, max_entries=MAX_SIGNED):
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._signed = {}

    def signed(self, secret_key, raw):
        key = (secret_key, raw)
        with self._lock:
            found = self._signed.get(key)
        if found is None:
            found = URLSafeTimedSerializer(secret_key, salt="wtf-csrf-token").dumps(raw)
            with self._lock:
                if len(self._signed) >= self.max_entries:
                    self._signed.clear()
                self._signed[key] = found
        return found


def fragment(template):
    """template (a piece of the shell) rendered for the signed-in account, kept per session, language and
    database generation; rendered afresh for a visitor or a session without its CSRF token yet."""
    user = g.get("user")
    raw_token = session.get(CSRF_KEY)
    if user is None or raw_token is None:
        return Markup(render_template(template))
    key = ("shell", template, user.id, user.role, user.display_name, str(get_locale()), raw_token)
    return memo.kept(key, lambda: Markup(render_template(template)))


# base.html's CSRF field and flashed messages, as the macros of _macros.html write them (the aggregator's pages
# use those): importing macros into base.html made Jinja rebuild the macro module on every page (~40 µs).
def csrf_field():
    """The hidden CSRF field of a form."""
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % generate_csrf()


def flashed():
    """The messages flashed for this page, as banners."""
    return Markup("".join(f'<p class="banner banner-{escape(category)}" role="status">{escape(message)}</p>\n'
                          for category, message in get_flashed_messages(with_categories=True)))


class PageEnvironment(Environment):
    """Flask's Jinja environment, whose templates read the environment's globals themselves.

    Jinja gives each template a ChainMap of its own globals over the environment's, then copies that map into
    the context of every render (~70 µs with the hub's sixty-odd globals) and compares its keys at every
    `{% from ... import %}` (~80 µs): every page paid the first, a page with forms both, twice. No hub template
    has globals of its own, so each reads the environment's dict, and sees its later changes as before. (A
    template given globals of its own, get_template(name, globals=...), still gets its ChainMap.)"""

    def make_globals(self, d):
        return self.globals if not d else super().make_globals(d)


def init_app(app):
    tokens = SignedTokens()

    @app.before_request
    def signed_csrf_token():
        # Flask-WTF's generate_csrf() returns g.csrf_token when set: the session's token, signed once.
        raw = session.get(CSRF_KEY)
        if isinstance(raw, str):
            setattr(g, CSRF_KEY, tokens.signed(current_app.secret_key, raw))

    app.jinja_env.globals.update(shell=fragment, csrf_field=csrf_field, flashed=flashed)
