"""Untrusted text that may carry formatting: the one place bleach is used (a later switch to nh3 is
a change to this file only).

Everything else people type is plain text and Jinja escapes it; only notes that allow formatting go
through clean(), once, when they are saved.
"""

from markupsafe import Markup

ALLOWED_TAGS = frozenset({"p", "br", "strong", "b", "em", "i", "ul", "ol", "li"})


def clean(html):
    """The text with only paragraphs, line breaks, bold, italic and lists kept, no attributes at all."""
    import bleach  # here, not at start: 3 MB that only a save of formatted notes needs (the Pi's memory)

    return bleach.clean(html or "", tags=ALLOWED_TAGS, attributes={}, protocols=(), strip=True,
                        strip_comments=True).strip()


def formatted(cleaned):
    """Mark text that clean() produced as safe to insert into a page."""
    return Markup(cleaned)
