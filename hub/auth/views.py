"""Sign in, sign out, change one's own password or PIN."""

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub.audit.service import record_now
from hub.auth import bp, kept
from hub.auth.current import sign_in, sign_out
from hub.auth.forms import ChangeSecretForm, LoginForm
from hub.auth.service import authenticate, change_own_secret, check_new_secret, normalise_username
from hub.forms import EmptyForm, saved
from hub.redirects import safe_next


def throttle():
    return current_app.extensions["hub_throttle"]


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        username = normalise_username(form.username.data)
        keys = (username, request.remote_addr)
        wait = throttle().wait_seconds(*keys)
        if wait:
            form.form_errors.append(_("Too many failed attempts. Try again in %(minutes)d minute(s).",
                                      minutes=max(1, (wait + 59) // 60)))
            return render_template("hub/auth/login.html", form=form), 429
        user = authenticate(username, form.password.data)
        if user is None:
            throttle().fail(*keys)
            record_now("sign_in.failed", username=username)
            if throttle().wait_seconds(*keys):
                record_now("sign_in.locked", username=username)
            form.form_errors.append(_("That username and password or PIN do not match an active account."))
            return render_template("hub/auth/login.html", form=form), 401
        throttle().succeed(*keys)
        sign_in(user)
        g.user = user
        record_now("sign_in", user, user=user)
        return redirect(safe_next(form.next.data))
    return render_template("hub/auth/login.html", form=form)


@bp.get("/kept/<token>")
def kept_form(token):
    """A form posted after its sign-in ended, shown once to save it now (hub.auth.kept)."""
    found = kept.take(token, g.user.id)
    if found is None:
        flash(_("There is no kept form to save: it was saved or shown already."), "info")
        return redirect(url_for("home.index"))
    action, fields = found
    return render_template("hub/auth/kept.html", action=action, fields=fields, form=EmptyForm())


@bp.post("/logout")
def logout():
    if EmptyForm().validate_on_submit():
        record_now("sign_out", g.user)
        sign_out()
        flash(_("You are signed out."), "success")
    return redirect(url_for("home.index"))


@bp.route("/account/secret", methods=["GET", "POST"])
def change_secret():
    form = ChangeSecretForm()
    done = saved(
        form,
        lambda: change_own_secret(g.user, form.current.data, form.new.data),
        _("Your new password or PIN is saved."),
        url_for("home.index"),
        check=lambda: check_new_secret(g.user, form.current.data, form.new.data),
    )
    if done:
        return done
    return render_template("hub/auth/change_secret.html", form=form)
