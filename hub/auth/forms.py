"""Forms for sign-in, changing one's own secret, and the coordinator's account pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo

from hub.auth.models import User
from hub.auth.service import ROLE_LABELS
from hub.forms import CheckboxesField, at_most, required
from hub.i18n import LANGUAGES

ROLE_CHOICES = [SelectChoice(role, ROLE_LABELS[role]) for role in User.ROLES]  # coordinator first
LANGUAGE_CHOICES = [SelectChoice("", _l("As the phone or picker chooses"))] + [
    SelectChoice(code, native) for code, native in LANGUAGES.items()]


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[required(), at_most(32)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password or PIN"), validators=[required(), at_most(200)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class ChangeSecretForm(FlaskForm):
    current = PasswordField(_l("Current password or PIN"), validators=[required(), at_most(200)],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(_l("New password or PIN"), validators=[required(), at_most(200)],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password or PIN again"),
                            validators=[required(), EqualTo("new", message=_l("The two entries differ."))],
                            render_kw={"autocomplete": "new-password"})


class AccountForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[required(), at_most(80)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    groups = CheckboxesField(_l("Groups"), coerce=int, choices=[])


class NewAccountForm(AccountForm):
    # Least privilege: a new account is a member unless the coordinator deliberately chooses more, so the
    # roles are offered from the least to the most powerful.
    role = SelectField(_l("Role"), choices=ROLE_CHOICES[::-1], default=User.MEMBER)
    username = StringField(_l("Username"), validators=[required(), at_most(32)],
                           render_kw={"autocapitalize": "none"})
    secret = PasswordField(_l("First password or PIN"), validators=[required(), at_most(200)],
                           render_kw={"autocomplete": "new-password"})


def offer_groups(form, groups):
    """Let the form choose among these groups."""
    form.groups.choices = [SelectChoice(group.id, group.name) for group in groups]
    return form


class ResetSecretForm(FlaskForm):
    secret = PasswordField(_l("Temporary password or PIN"), validators=[required(), at_most(200)],
                           render_kw={"autocomplete": "new-password"})
