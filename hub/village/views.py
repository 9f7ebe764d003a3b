"""First-run set-up and the coordinator's village profile page."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub import instance
from hub.auth.current import sign_in
from hub.auth.service import coordinator_exists
from hub.forms import apply_error, check_too
from hub.village import bp
from hub.village.forms import SetupForm, VillageForm
from hub.village.service import (
    VillageError,
    check_setup,
    check_village,
    complete_setup,
    get_village,
    numbers_text,
    update_village,
)


def _village_values(form):
    return {"name": form.name.data, "country": form.country.data, "district": form.district.data,
            "languages": form.languages.data, "numbers_text": form.numbers.data}


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    if coordinator_exists():
        abort(404)  # set-up happens once; afterwards the page does not exist
    form = SetupForm()
    if request.method == "GET":
        form.languages.data = form.languages.data or [current_app.config["DEFAULT_LANGUAGE"]]
    if form.validate_on_submit():
        throttle = current_app.extensions["hub_throttle"]
        key = (None, request.remote_addr)  # no account: the set-up code, counted per device
        if throttle.wait_seconds(*key):
            form.form_errors.append(_("Too many wrong set-up codes. Wait a few minutes and try again."))
            return render_template("hub/village/setup.html", form=form), 429
        data_dir = current_app.config["DATA_DIR"]
        try:
            user = complete_setup(instance.setup_code(data_dir), form.setup_code.data, _village_values(form),
                                  {"username": form.username.data, "secret": form.password.data,
                                   "display_name": form.display_name.data})
        except VillageError as error:
            if error.field == "setup_code":
                throttle.fail(*key)
            apply_error(form, error)
        else:
            instance.forget_setup_code(data_dir)
            sign_in(user)
            flash(_("The hub is set up. Next, create accounts for the people who will use it."), "success")
            return redirect(url_for("auth.accounts"))
    elif form.is_submitted():
        check_too(form, lambda: check_setup(_village_values(form), {"username": form.username.data,
                                                                      "secret": form.password.data}))
    return render_template("hub/village/setup.html", form=form)


@bp.route("/village", methods=["GET", "POST"])
def edit():
    village = get_village()
    form = VillageForm(obj=village)
    if request.method == "GET" and village:
        form.languages.data = village.language_codes
        form.numbers.data = numbers_text()
    if form.validate_on_submit():
        values = _village_values(form)
        try:
            update_village(values["name"], values["country"], values["district"], values["languages"],
                           values["numbers_text"])
        except VillageError as error:
            apply_error(form, error)
        else:
            flash(_("The village profile is saved."), "success")
            return redirect(url_for("home.index"))
    elif form.is_submitted():
        check_too(form, lambda: check_village(form.name.data, form.country.data, form.district.data,
                                              form.numbers.data))
    return render_template("hub/village/edit.html", form=form)
