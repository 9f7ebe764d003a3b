"""The district's pages: thin views over web.reports, enrol and charts."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from federation import labels
from federation.aggregator import charts, enrol, indicators
from federation.aggregator.enrol import utcnow
from federation.aggregator.figures import KEY_FIGURES
from federation.aggregator.models import Hub
from federation.aggregator.web import bp, dashboard, numbers, reports, tabular
from federation.aggregator.web.forms import EnrolCodeForm
from hub.forms import EmptyForm


@bp.app_template_filter("figure")
def figure(bound):
    """A Bound as people read it (web.numbers.bound: the one place a figure becomes text)."""
    return numbers.bound(bound)


@bp.app_template_filter("published")
def published(value):
    """A count exactly as the hub published it (web.numbers.published)."""
    return numbers.published(value)


@bp.app_context_processor
def page_helpers():
    return {"labels": labels, "month_label": numbers.month_short, "month_name": numbers.month_long,
            "number": numbers.number, "change": numbers.change, "percent": numbers.percent,
            "silent_after": reports.SILENT_AFTER_DAYS}


@bp.get("/indicators")
def indicators_view():
    """The district's figures for one month (?period=YYYY-MM), as bounds, with 12-month charts."""
    period = request.args.get("period") or reports.default_period()
    if not reports.valid_period(period):
        abort(400)
    schema_tables = reports.tables()
    figures, by_month = reports.indicators_page(period)
    months = reports.months_up_to(period, reports.CHART_MONTHS)
    charted = {}
    for table, meta in schema_tables.items():
        if not meta.get("total"):
            charted[table] = []  # cells that add up to nothing: their trends are on the dashboard and village pages
            continue
        points = [(month, indicators.headline(by_month[month], table, None)) for month in months]
        charted[table] = [(None, charts.chart(points), points)]
    return render_template("aggregator/indicators.html", period=period, figures=figures,
                           key_figures=KEY_FIGURES, reported=reports.reported_count(period),
                           tables=schema_tables, charted=charted, months=months,
                           periods=reports.periods_with_data(), active_hubs=reports.active_hub_count(),
                           span_months=reports.span_months(),
                           previous=reports.period_at(reports.month_index(period) - 1),
                           following=reports.period_at(reports.month_index(period) + 1))


@bp.get("/hubs/<hub_id>")
def hub(hub_id):
    """One village: its key figures month by month, what to follow up, the months received."""
    found = Hub.get_or_none(Hub.id == hub_id)
    if found is None:
        abort(404)
    months = reports.hub_months(hub_id)
    last = reports.last_month(utcnow())
    newest = max([months[0].period, last] if months else [last])
    periods, series = dashboard.village_series(hub_id, newest)
    chosen = tabular.wanted()
    if chosen:
        rows = [{"period": period, "figure": name, "published": shown, "lower": None if bound is None else bound.lower,
                 "upper": None if bound is None else bound.upper}
                for name, points in series.items() for period, bound, shown in points if bound is not None]
        return tabular.respond(chosen, f"village-{hub_id}", ("period", "figure", "published", "lower", "upper"),
                               rows, {"village_id": found.id, "village": found.name})
    drawn = [(name, charts.chart([(period, bound) for period, bound, _shown in points]), points)
             for name, points in series.items()]
    missing = dashboard.missing_months(found, [month.period for month in months], last)
    return render_template("aggregator/hub.html", hub=found, months=months, drawn=drawn, form=EmptyForm(),
                           flags=dashboard.flags_of(hub_id), periods=periods, missing=missing,
                           missing_names=", ".join(numbers.month_long(period) for period in missing),
                           expected=dashboard.expected_months(found, last))


@bp.post("/hubs/<hub_id>/revoke")
def revoke(hub_id):
    """Revoke a hub's key (POST with CSRF) and go back to its page."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        found = enrol.revoke(hub_id)
    except LookupError:
        abort(404)
    flash(_("The key of %(name)s is revoked: every bundle it signs from now on is refused.", name=found.name),
          "success")
    return redirect(url_for("pages.hub", hub_id=hub_id))


@bp.route("/enrol-codes", methods=["GET", "POST"])
def enrol_codes():
    """List open codes; on POST issue one and show it once, with its QR code."""
    form = EnrolCodeForm()
    issued = None
    if form.validate_on_submit():
        try:
            code, expires_at = enrol.issue(form.hub_name.data)
        except ValueError as error:
            form.hub_name.errors = list(form.hub_name.errors) + [str(error)]
        else:
            identity = enrol.identity()
            text = qr_text(aggregator_url(), identity.key_id, code)
            issued = {"code": code, "expires_at": expires_at, "hub_name": form.hub_name.data.strip(),
                      "key_id": identity.key_id, "url": aggregator_url(), "qr": qr_svg(text), "qr_text": text}
            form = EnrolCodeForm(formdata=None)
    status = 200 if issued or not form.errors else 422
    return render_template("aggregator/enrol_codes.html", form=form, issued=issued, codes=reports.open_codes(),
                           key_id=enrol.identity().key_id), status


def aggregator_url():
    """The address hubs type (AGGREGATOR_URL), or the one this page was opened at."""
    from flask import current_app

    return current_app.config.get("AGGREGATOR_URL") or request.host_url.rstrip("/")


def qr_text(url, key_id, code):
    """What the enrolment QR code holds: the aggregator's address, its key fingerprint and the code.

    Lines of text, so a phone's camera shows something a person can read and type into the hub.
    """
    return f"Community Hub enrolment\nAggregator: {url}\nKey: {key_id}\nCode: {code}"


def qr_svg(text):
    """The QR code of text as inline SVG markup."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    svg = image.to_string(encoding="unicode")
    label = escape(_("QR code of the enrolment code"))
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="qr" ', 1))
