"""Reading what a page shows a person: the messages beside a form's fields."""

import html
import re

FIELD = re.compile(r'<div class="field[^"]*">(.*?)</div>', re.DOTALL)
FIELD_ERROR = re.compile(r'class="field-error"[^>]*>(.*?)</p>')


def field_errors(page, name):
    """The error messages shown beside the form field called name; fails if the page has no such field."""
    for chunk in FIELD.findall(page):
        if f'name="{name}"' in chunk or f'id="{name}"' in chunk:
            return [html.unescape(found) for found in FIELD_ERROR.findall(chunk)]
    raise AssertionError(f"no field {name} on the page")


# The scripts every page may carry, each only an enhancement: the clock check and the phone's outbox.
OPTIONAL_SCRIPTS = ('<script src="/static/clock.js" defer></script>', '<script src="/static/outbox.js" defer></script>')


def without_optional_scripts(page):
    """page less the optional scripts every page carries, so what remains shows whether it needs JavaScript."""
    for tag in OPTIONAL_SCRIPTS:
        page = page.replace(tag, "")
    return page
