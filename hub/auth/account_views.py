"""The coordinator's account pages: list, create, edit, reset a secret, deactivate or reactivate."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from hub import memo
from hub.auth import bp
from hub.auth.forms import AccountForm, NewAccountForm, ResetSecretForm, offer_groups
from hub.auth.models import User
from hub.auth.service import (
    ROLE_LABELS,
    AccountError,
    check_new_user,
    check_user,
    create_user,
    reset_secret,
    set_active,
    temporary_secret,
    update_user,
)
from hub.forms import EmptyForm, apply_error, saved
from hub.groups.models import Group
from hub.groups.service import groups_of
from hub.i18n import translated


def get_user_or_404(user_id):
    return User.get_or_none(User.id == user_id) or abort(404)


@bp.get("/accounts")
def accounts():
    # The same for every coordinator until the next write: kept per language (no form in it, no token).
    body = memo.kept(("accounts", str(get_locale())), lambda: Markup(render_template(
        "hub/auth/_accounts_body.html", users=User.select().order_by(User.active.desc(), User.display_name),
        role_labels=translated(ROLE_LABELS))))
    return render_template("hub/auth/accounts.html", body=body)


@bp.route("/accounts/new", methods=["GET", "POST"])
def account_new():
    form = offer_groups(NewAccountForm(), Group.active())
    done = saved(
        form,
        lambda: create_user(
            form.username.data,
            form.role.data,
            form.secret.data,
            display_name=form.display_name.data,
            language=form.language.data,
            group_ids=form.groups.data,
        ),
        lambda user: _(
            "Account %(username)s created. Give them the first password or PIN; they will choose "
            "their own when they sign in.",
            username=user.username,
        ),
        url_for("auth.accounts"),
        check=lambda: check_new_user(form.username.data, form.role.data, form.secret.data),
    )
    if done:
        return done
    return render_template("hub/auth/account_new.html", form=form,
                           suggestion=temporary_secret(User.MEMBER))


@bp.route("/accounts/<int:user_id>", methods=["GET", "POST"])
def account_edit(user_id):
    user = get_user_or_404(user_id)
    form = offer_groups(AccountForm(obj=user), Group.active())
    if request.method == "GET":
        form.groups.data = [group.id for group in groups_of(user)]
    done = saved(
        form,
        lambda: update_user(user, form.display_name.data, form.role.data, form.language.data, form.groups.data),
        _("Account %(username)s saved.", username=user.username),
        url_for("auth.accounts"),
        check=lambda: check_user(user, form.role.data, form.groups.data),
    )
    if done:
        return done
    return render_template("hub/auth/account_edit.html", form=form, user=user, reset_form=ResetSecretForm(),
                           active_form=EmptyForm(), role_labels=ROLE_LABELS)


@bp.post("/accounts/<int:user_id>/reset")
def account_reset(user_id):
    user = get_user_or_404(user_id)
    form = ResetSecretForm()
    if form.validate_on_submit():
        try:
            reset_secret(user, form.secret.data)
        except AccountError as error:
            apply_error(form, error)
        else:
            current_app.extensions["hub_sessions"].end_all_for(user.id)
            flash(_("New temporary password or PIN set for %(username)s. They must change it when they "
                    "sign in.", username=user.username), "success")
            return redirect(url_for("auth.account_edit", user_id=user.id))
    edit_form = offer_groups(AccountForm(obj=user), Group.active())
    edit_form.groups.data = [group.id for group in groups_of(user)]
    return render_template("hub/auth/account_edit.html", form=edit_form, user=user,
                           reset_form=form, active_form=EmptyForm(), role_labels=ROLE_LABELS), 400


@bp.post("/accounts/<int:user_id>/active")
def account_active(user_id):
    user = get_user_or_404(user_id)
    if EmptyForm().validate_on_submit():
        try:
            set_active(user, not user.active)
        except AccountError as error:
            flash(str(error), "error")
        else:
            if not user.active:
                current_app.extensions["hub_sessions"].end_all_for(user.id)
            flash(_("%(username)s can sign in again.", username=user.username) if user.active else
                  _("%(username)s can no longer sign in.", username=user.username), "success")
    return redirect(url_for("auth.account_edit", user_id=user.id))
