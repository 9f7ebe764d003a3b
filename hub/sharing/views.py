"""Sharing pages (coordinator only): the federation page with the enrolment form and the delivery state, a
month's exact bytes, and the village's printable monthly report."""

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _

from hub.forms import EmptyForm, apply_error, check_too
from hub.i18n import LANGUAGES, printed_in, village_languages
from hub.sharing import bp, service
from hub.sharing.forms import EnrolForm
from hub.village.service import get_village


def _index(enrol_form=None, status=200):
    return render_template("hub/sharing/index.html", overview=service.overview(),
                           enrol_form=enrol_form or EnrolForm(), action_form=EmptyForm(),
                           row_problem=service.row_problem, last_month=service.default_period()), status


@bp.get("/sharing", endpoint="index")
def index():
    return _index()


@bp.post("/sharing/enrol", endpoint="enrol")
def enrol():
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            state = service.enrol(form.aggregator_url.data, form.code.data)
        except service.SharingError as error:
            apply_error(form, error)
        else:
            flash(_("Enrolled with the district aggregator at %(url)s (key %(key_id)s).",
                    url=state.aggregator_url, key_id=state.aggregator_key_id), "success")
            return redirect(url_for("sharing.index"))
    elif form.is_submitted():
        check_too(form, lambda: service.check_enrolment(form.aggregator_url.data, form.code.data))
    return _index(form, 400)


@bp.post("/sharing/send", endpoint="send")
def send():
    if not EmptyForm().validate_on_submit():
        abort(400)
    report = service.send_now()
    if not report.enrolled:
        flash(service.outcome_text(report.outcome), "error")
    elif report.error:
        flash(service.outcome_text(report.outcome, report.error), "error")
    elif report.tried:
        flash(ngettext("%(num)d summary delivered.", "%(num)d summaries delivered.", report.delivered),
              "success")
    else:
        flash(_("Nothing to send: the district has every summary."), "success")
    return redirect(url_for("sharing.index"))


@bp.post("/sharing/build", endpoint="build")
def build():
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = service.build(service.default_period())
    except service.SharingError as error:
        flash(str(error), "error")
        return redirect(url_for("sharing.index"))
    if result.made:
        flash(_("Built %(period)s (revision %(revision)d): it will be sent to the district.",
                period=result.period, revision=result.revision), "success")
    else:
        flash(_("Nothing new for %(period)s: %(reason)s", period=result.period, reason=result.reason), "info")
    return redirect(url_for("sharing.index"))


def _released_or_404(period):
    try:
        row = service.released(period)
    except service.SharingError:
        abort(404)
    if row is None:
        abort(404)
    return row


@bp.get("/sharing/bundle/<period>.json", endpoint="bundle")
def bundle_bytes(period):
    row = _released_or_404(period)
    response = make_response(bytes(row.content))
    response.headers["Content-Type"] = "application/json"
    response.headers["Content-Disposition"] = f'inline; filename="summary-{row.period}-r{row.revision}.json"'
    return response


@bp.get("/sharing/report/<period>", endpoint="report")
def report(period):
    _released_or_404(period)
    choices = village_languages(get_village())
    language = request.args.get("lang") or (choices[0] if choices else None)
    if language not in LANGUAGES:
        language = str(get_locale())
    with force_locale(language):
        village, row, sections = service.report(period)  # the labels in the village's language
    sheet = printed_in(language, "hub/sharing/report_sheet.html", village=village, row=row, sections=sections)
    return render_template("hub/sharing/report.html", sheet=sheet, row=row, languages=choices, language=language)
