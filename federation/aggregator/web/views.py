"""The district's pages: thin views over web.reports, enrol and charts."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from federation import labels
from federation.aggregator import charts, enrol, indicators
from federation.aggregator.web import bp, reports
from federation.aggregator.web.forms import EnrolCodeForm
from hub.forms import EmptyForm


@bp.app_template_filter("figure")
def figure(bound):
    """A Bound as people read it: "42", or "between 35 and 52" when suppression or rounding blurs it."""
    if bound is None:
        return _("no data")
    if bound.exact:
        return _number(bound.lower)
    return _("between %(lower)s and %(upper)s", lower=_number(bound.lower), upper=_number(bound.upper))


@bp.app_template_filter("published")
def published(value):
    """A count exactly as the hub published it: "<5" stays "<5"; a withheld total says so."""
    if value is None:
        return _("withheld")
    return str(value)


def _number(value):
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


@bp.app_context_processor
def page_helpers():
    return {"labels": labels, "month_label": charts.month_label, "silent_after": reports.SILENT_AFTER_DAYS}


@bp.get("/")
def overview():
    """The district overview: every hub, its last report, completeness and timeliness."""
    rows, district = reports.overview()
    return render_template("aggregator/overview.html", rows=rows, district=district)


@bp.get("/indicators")
def indicators_view():
    """The district's figures for one month (?period=YYYY-MM), as bounds, with 12-month charts."""
    period = request.args.get("period") or reports.default_period()
    if not reports.valid_period(period):
        abort(400)
    schema_tables = reports.tables()
    by_hub = request.args.get("table")
    if by_hub is not None and by_hub not in schema_tables:
        abort(400)
    figures, by_month, hub_months = reports.indicators_page(period, with_hubs=by_hub is not None)
    months = reports.months_up_to(period, reports.CHART_MONTHS)
    charted = {}
    for table, meta in schema_tables.items():
        keys = [None] if meta.get("total") else list(meta.get("cells", ()))
        series = [[(month, indicators.headline(by_month[month], table, cell)) for month in months]
                  for cell in keys]
        charted[table] = [(cell, charts.chart(points), points) for cell, points in zip(keys, series, strict=True)]
    return render_template("aggregator/indicators.html", period=period, figures=figures, hub_months=hub_months,
                           by_hub=by_hub, reported=reports.reported_count(period),
                           tables=schema_tables, charted=charted, months=months,
                           periods=reports.periods_with_data(), active_hubs=reports.active_hub_count(),
                           previous=reports.period_at(reports.month_index(period) - 1),
                           following=reports.period_at(reports.month_index(period) + 1))


@bp.get("/hubs/<hub_id>")
def hub(hub_id):
    """One village: its key, trends and months received."""
    found, months, series = reports.hub_page(hub_id)
    if found is None:
        abort(404)
    drawn = [(table, cell, charts.chart(points),
              points) for (table, cell), points in series.items()]
    return render_template("aggregator/hub.html", hub=found, months=months, drawn=drawn, form=EmptyForm())


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
