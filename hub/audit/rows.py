"""The audit log's rows, written here rather than by the template: fifty rows of six cells, and Jinja's
attribute lookups, escaping and the clock-mark macro cost about 40 microseconds a row, more than the rest of the
page. One fixed line format filled in, every value escaped (usernames, details and addresses come from users
and phones). The page is kept until the next write or the next event (hub.audit.views), and each row, by its id,
language, zone and mark, until the next write: nothing changes an event, and opening a case adds one without a
new database generation, so a new event re-renders the page from the rows kept."""

from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from markupsafe import Markup, escape

from hub.i18n import when_writer
from hub.memo import GenerationCache

_rows = GenerationCache(max_entries=2048)  # a few pages of fifty rows, in each language

ROW = ("<tr><td>{id}</td><td>{at}{mark}</td><td>{who}</td><td>{action}</td><td>{record}</td>"
       "<td>{address}</td></tr>\n")


def clock_mark():
    """The mark of a row made while the hub's clock was suspect (as the clock_mark macro writes it)."""
    return Markup(' <span class="clock-mark" title="{title}">⚠ {word}</span>').format(
        title=_("The hub’s clock may have been wrong when this was recorded."), word=_("clock unsure"))


def event_rows(events, suspect, actions, roles):
    """Markup of a table row per event; suspect: the ids to mark; actions, roles: {code: label}."""
    mark = clock_mark() if suspect else ""
    when = when_writer()
    language, zone = str(get_locale()), str(get_timezone())
    return Markup("".join(_rows.get((event.id, language, zone, event.id in suspect), lambda event=event: _row(
        event, when, mark if event.id in suspect else "", actions, roles)) for event in events))


def _row(event, when, mark, actions, roles):
    who = escape(event.username)
    if event.role:
        who = f"{who} ({escape(roles.get(event.role, event.role))})"
    action = escape(actions.get(event.action, event.action))
    if event.detail:
        action = f"{action}: {escape(event.detail)}"
    return ROW.format(id=int(event.id), at=escape(when(event.at)), mark=mark, who=who, action=action,
                      record=f"{escape(event.object_type)} {escape(event.object_id)}",
                      address=escape(event.client_address))
