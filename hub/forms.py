"""The one validation mechanism: Flask-WTF forms with localised messages, and a helper for service errors.

Forms check shape (present, length, choice); services check rules and raise errors that name a field
(hub.validation.FieldError, every error of one check at once), which `apply_error` shows beside that field,
keeping what the person typed; `saved` is the whole Post/Redirect/Get of a form in one call.
"""

import functools

from babel import support
from flask import Request, flash, redirect, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from hub.validation import FieldError


@functools.lru_cache(maxsize=None)  # one per language the hub has
def _wtforms_catalog(language):
    return support.Translations.load(messages_path(), [language], domain="wtforms")


class KeptCatalog:
    """WTForms' own messages in the page's language, from a catalog read once per language.

    Flask-WTF reads WTForms' catalog from disk again on every request that builds a form (it keeps it on
    the request only); it takes this object instead when the request has one."""

    def ugettext(self, message):
        return _wtforms_catalog(str(get_locale())).ugettext(message)

    def ungettext(self, singular, plural, count):
        return _wtforms_catalog(str(get_locale())).ungettext(singular, plural, count)


class HubRequest(Request):
    wtforms_translations = KeptCatalog()  # where Flask-WTF looks for the request's WTForms catalog


def init_app(app):
    """Forms' WTForms messages from a catalog read once per language (HubRequest). A POST that carries nothing
    but its CSRF token and comes back as the form again answers 400 (no page of the hub sends that: the request
    is malformed, not merely mistaken); the form shows what is missing. A saved form redirects
    (Post/Redirect/Get), so a 200 answer to a POST is always a refused form."""
    app.request_class = HubRequest

    @app.after_request
    def malformed_post(response):
        if (request.method == "POST" and response.status_code == 200 and response.mimetype == "text/html"
                and request.form and set(request.form) <= {"csrf_token"}):
            response.status_code = 400
        return response


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


def apply_error(form, error, fresh_only=False):
    """Show every error a service found beside its field (or above the form); return False for `if` chains.
    fresh_only: only beside fields that have no error yet (the form's own check came first)."""
    for name, message in getattr(error, "errors", ((getattr(error, "field", None), str(error)),)):
        field = getattr(form, name, None) if name else None
        if fresh_only and field is not None and field.errors:
            continue
        if field is None:
            form.form_errors.append(message)
        elif message not in field.errors:
            field.errors = list(field.errors) + [message]
    return False


def check_too(form, check):
    """The form itself refused something: run check() too (the service's rules, which must accept the
    missing values of refused fields), and show its errors beside the fields the form found nothing wrong
    with, so every field's error shows in one pass. Returns False, for `if` chains."""
    if check is not None:
        try:
            check()
        except FieldError as error:
            apply_error(form, error, fresh_only=True)
    return False


def saved(form, action, message, target, check=None):
    """Post/Redirect/Get in one call: when the form is submitted and valid, run action(); on success flash
    message and redirect to target (each a value, or a function of what action returned). When the service
    refuses, every error goes beside its field and None is returned: the view renders the form again.
    When the form itself is refused (a field missing or malformed), check() (the service's rules, which
    must accept missing values) still runs, so every field's error shows in one pass.

        done = saved(form, lambda: create_group(...), _("Group saved."), lambda group: url_for(...))
        if done:
            return done
    """
    if not form.is_submitted():
        return None
    if not form.validate():
        check_too(form, check)
        return None
    try:
        result = action()
    except FieldError as error:
        apply_error(form, error)
        return None
    flash(message(result) if callable(message) else message, "success")
    return redirect(target(result) if callable(target) else target)
