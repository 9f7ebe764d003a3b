"""The one validation mechanism: Flask-WTF forms with localised messages, and a helper for service errors.

Forms check shape (present, length, choice); services check rules and raise errors that name a field,
which `apply_error` shows beside that field, keeping what the person typed.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget


def required():
    return DataRequired(message=_l("Please fill this in."))


def at_most(count):
    return Length(max=count, message=_l("Please use at most %(count)d characters.", count=count))


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes: large tap targets, no JavaScript."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EmptyForm(FlaskForm):
    """A form with no fields, so a POST button carries its CSRF token."""


def apply_error(form, error):
    """Show a service's error beside its field (or above the form); return False for `if` chains."""
    field = getattr(form, error.field, None) if getattr(error, "field", None) else None
    if field is not None:
        field.errors = list(field.errors) + [str(error)]
    else:
        form.form_errors.append(str(error))
    return False
