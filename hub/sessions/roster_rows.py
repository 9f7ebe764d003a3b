"""The roster's lines, one per person, written here rather than by the template: a roster may hold a thousand
children, and Jinja's attribute lookups, escaping and tests cost about 20 microseconds a line, more than the
rest of the page. What does not change between views (each person's id, escaped name and what tells
namesakes apart) is written once per roster and language and kept until a write; a view only adds the ticks.
"""

from markupsafe import Markup, escape

from hub import memo
from hub.sessions.attendance import roster_namesakes, roster_of

# Compact on purpose (unquoted attributes, <b>): this line repeats for every child, in a page budget.
# A line is HEAD, " checked" when ticked, NAME, the excused mark when excused, then END.
HEAD = "<label><input type=checkbox name=p value={id}"
NAME = "><b>{name}{detail}"
END = "</b></label>\n"


def kept_lines(meeting, language):
    """((person id, head, name part), ...) of the meeting's roster in language, kept until a write."""
    def write():
        details = roster_namesakes(meeting, language)
        return tuple((person.id, HEAD.format(id=int(person.id)), NAME.format(
            name=escape(person.name), detail=f" <small>{escape(details[person.id])}</small>"
            if person.id in details else "")) for person in roster_of(meeting))

    return memo.kept(("roster lines", meeting.group_id, language), write)


def roster_lines(lines, ticked, excused, excused_word):
    """Markup of the kept lines, ticked when the person's id is in ticked, marked excused_word when in excused."""
    excused_mark = f" <small>{escape(excused_word)}</small>{END}"
    return Markup("".join(
        f"{head}{' checked' if person_id in ticked else ''}{name}{excused_mark if person_id in excused else END}"
        for person_id, head, name in lines))
