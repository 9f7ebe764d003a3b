"""The lines of a group's member list, written here rather than by the template: the group page lists up to a
hundred members, and Jinja's attribute lookups, escaping and a label call cost about 25 microseconds a line,
most of the page; this is a fixed format filled in, with every text escaped.
"""

from markupsafe import Markup, escape

from hub.people.service import member_role_label

LINE = '<li>{name} <span class="hint">{role}</span></li>\n'
LINK = '<a href="{people_url}/{id}">{name}</a>'


def member_lines(members, people_url=None):
    """Markup of a line per member (.person.id, .person.name, .role): the name, linked to the person's page
    (people_url/<id>, people.view) when people_url is given, and the member's role in the page's language."""
    roles = {}
    lines = []
    for member in members:
        if member.role not in roles:
            roles[member.role] = escape(str(member_role_label(member.role)))
        name = escape(member.person.name)
        if people_url is not None:
            name = LINK.format(people_url=escape(people_url), id=int(member.person.id), name=name)
        lines.append(LINE.format(name=name, role=roles[member.role]))
    return Markup("".join(lines))
