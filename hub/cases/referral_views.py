"""Referral pages: refer a case to a service, a referral's page (status and outcome, versioned) and its
printable slip (audited)."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub import clock
from hub.auth.models import User
from hub.cases import bp
from hub.cases.forms import ReferralForm, ReferralUpdateForm
from hub.cases.models import Case, Referral
from hub.cases.referrals import (
    check_referral,
    check_referral_update,
    open_slip,
    refer,
    services_for,
    update_referral,
)
from hub.cases.service import CaseError, StaleRecord, open_case
from hub.cases.transitions import REFERRAL_STEPS
from hub.cases.views import get_case_or_404
from hub.forms import apply_error, check_too, saved
from hub.services.models import Service
from hub.village.service import get_village


def get_referral_or_404(referral_id):
    """The referral with its service and case, or 404."""
    referral = (Referral.select(Referral, Service, Case).join(Service).switch(Referral).join(Case)
                .where(Referral.id == referral_id).get_or_none())
    if referral is None:
        abort(404)
    return referral


@bp.route("/cases/<int:case_id>/referrals/new", methods=["GET", "POST"], endpoint="refer")
def refer_case(case_id):
    case = get_case_or_404(case_id)
    handling, others = services_for(case.category)
    form = ReferralForm(formdata=None, referred_on=clock.today()) if request.method == "GET" else ReferralForm()
    form.offer(handling, others)
    done = saved(
        form,
        lambda: refer(case, form.plan(), g.user, clock.today()),
        lambda referral: _("Referred to %(service)s.", service=referral.service.name),
        lambda referral: url_for("cases.referral", referral_id=referral.id),
        check=lambda: check_referral(case, form.plan(), g.user, clock.today()),
    )
    if done:
        return done
    return render_template("hub/cases/refer.html", case=case, form=form, services=handling + others,
                           may_override=g.user.role == User.COORDINATOR)


@bp.route("/referrals/<int:referral_id>", methods=["GET", "POST"], endpoint="referral")
def referral_page(referral_id):
    referral = get_referral_or_404(referral_id)
    initial = {"status": referral.status, "outcome": referral.outcome, "version": referral.version}
    form = ReferralUpdateForm(data=None if request.method == "POST" else initial)
    form.offer((referral.status,) + REFERRAL_STEPS[referral.status])
    theirs = None
    if form.validate_on_submit():
        try:
            saved = update_referral(referral, form.version.data, form.status.data, form.outcome.data, g.user)
        except StaleRecord as error:
            apply_error(form, error)
            theirs = error.current
            form.version.data = theirs.version  # saving again, having seen both, is a choice
        except CaseError as error:
            apply_error(form, error)
        else:
            flash(_("Referral saved.") if saved.version != referral.version else _("Nothing was changed."),
                  "success")
            return redirect(url_for("cases.referral", referral_id=referral.id))
    elif form.is_submitted():
        check_too(form, lambda: check_referral_update(referral, form.status.data, form.outcome.data))
    open_case(referral.case, f"referral {referral.id}")  # the page shows what was shared about the child
    return render_template("hub/cases/referral.html", referral=referral, case=referral.case, form=form,
                           theirs=theirs)


@bp.get("/referrals/<int:referral_id>/slip", endpoint="slip")
def slip(referral_id):
    referral = get_referral_or_404(referral_id)
    open_slip(referral)
    return render_template("hub/cases/slip.html", referral=referral, case=referral.case, village=get_village())
