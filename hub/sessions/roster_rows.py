"""The roster's lines, one per person, written here rather than by the template: a roster may hold a thousand
children, and Jinja's attribute lookups, escaping and tests cost about 20 microseconds a line, more than the
rest of the page; this is a fixed format filled in, with every text escaped.
"""

from markupsafe import Markup, escape

# Compact on purpose (unquoted attributes, <b>): this line repeats for every child, in a page budget.
LINE = "<label><input type=checkbox name=p value={id}{checked}><b>{name}{detail}{excused}</b></label>\n"


def roster_lines(people, ticked, details, excused, excused_word):
    """Markup of a checkbox line per person: ticked when their id is in ticked, their detail (details: {id:
    text}) beside a name they share, excused_word when their id is in excused."""
    excused_mark = f" <small>{escape(excused_word)}</small>"
    return Markup("".join(LINE.format(
        id=int(person.id), checked=" checked" if person.id in ticked else "", name=escape(person.name),
        detail=f" <small>{escape(details[person.id])}</small>" if person.id in details else "",
        excused=excused_mark if person.id in excused else "") for person in people))
