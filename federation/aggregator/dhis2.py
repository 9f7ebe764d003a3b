"""Data for DHIS2, the system most districts and ministries report into: dataValueSets JSON, ADX XML, CSV.

Data flow: MonthlySummary (the latest revision of each village's month) + a mapping the district fills
once (`template()` writes it) -> `data_values()` -> `dataset_json()`, `adx_xml()` or `csv_rows()` ->
standard output (`aggregator export`) or `POST /api/dataValueSets` (`push()`, `aggregator dhis2 push`).

The mapping (JSON) names, for each of our figures ("sessions_held:total", "attendance:female.10-14",
"value:savings_total_saved"; federation.aggregator.figures), a DHIS2 data element and optionally its
category option combo and attribute option combo, and for each village (hub id) a DHIS2 organisation
unit UID. A figure or a village left empty is not sent and is listed as unmapped.

A range is never sent as a number: "<5" stands for 1 to 4 (0 to 4 in the case family), and any number
put in its place would be added up the organisation unit hierarchy as if it were a count. It is left out,
so DHIS2 shows the value as missing, which is what a district total of it is: unknown. A withheld total
is left out the same way. Counts of 5 or more are sent as published: rounded to a multiple of 5.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import quoteattr

from federation import labels
from federation.aggregator.figures import published as published_value
from federation.aggregator.indicators import LESS_THAN_FIVE

FORMATS = ("dhis2", "adx", "csv")
STRATEGIES = ("CREATE_AND_UPDATE", "CREATE", "UPDATE", "DELETE")
ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"
TIMEOUT = 60  # seconds for DHIS2 to answer a push
CSV_COLUMNS = ("period", "village_id", "village", "org_unit", "figure", "label", "published", "data_element",
               "category_option_combo", "attribute_option_combo")


class MappingError(ValueError):
    """The mapping file cannot be used; str() says why."""


def figure_names(tables, values):
    """Every figure a summary publishes as a number: each table's cells and total, and the amounts."""
    names = []
    for table, meta in tables.items():
        names += [f"{table}:{cell}" for cell in meta["cells"]]
        if meta["total"]:
            names.append(f"{table}:total")
    names += [f"value:{name}" for name, meta in values.items() if meta["values"] is None]  # bands are not numbers
    return names


def template(hubs, tables, values):
    """A mapping to fill in: every figure with an empty data element, every village with an empty org unit."""
    return {
        "dataSet": "",
        "orgUnits": {hub.id: {"name": hub.name, "orgUnit": ""} for hub in hubs},
        "dataElements": {name: {"label": labels.figure(name), "dataElement": "", "categoryOptionCombo": "",
                                "attributeOptionCombo": ""} for name in figure_names(tables, values)},
    }


def load_mapping(text):
    """The mapping as a dict, checked for its shape."""
    try:
        mapping = json.loads(text)
    except ValueError as error:
        raise MappingError(f"the mapping is not JSON: {error}") from None
    if not isinstance(mapping, dict) or not isinstance(mapping.get("orgUnits"), dict) or not isinstance(
            mapping.get("dataElements"), dict):
        raise MappingError('the mapping needs "orgUnits" and "dataElements" objects (see `aggregator dhis2 '
                           'template`)')
    return mapping


@dataclass
class Export:
    """The values of one month ready for DHIS2, and what could not be sent."""

    period: str
    values: list = field(default_factory=list)      # dicts: dataElement, period, orgUnit, [combos], value
    rows: list = field(default_factory=list)        # dicts of CSV_COLUMNS, one per village and figure
    unmapped_figures: set = field(default_factory=set)
    unmapped_villages: dict = field(default_factory=dict)  # hub id -> name
    ranges: int = 0                                  # "<5" and withheld figures left out


def data_values(period, summaries, mapping, names):
    """An Export of period from summaries [(hub id, village name, payload)] with the mapping (or None)."""
    mapping = mapping or {"orgUnits": {}, "dataElements": {}}
    result = Export(period)
    dhis2_period = period.replace("-", "")
    for hub_id, name, payload in summaries:
        unit = (mapping["orgUnits"].get(hub_id) or {}).get("orgUnit") or ""
        if not unit:
            result.unmapped_villages[hub_id] = name
        for figure in names:
            value = published_value(payload, figure)
            if value is ...:
                continue
            element = mapping["dataElements"].get(figure) or {}
            if not element.get("dataElement"):
                result.unmapped_figures.add(figure)
            result.rows.append({"period": period, "village_id": hub_id, "village": name, "org_unit": unit,
                                "figure": figure, "label": labels.figure(figure), "published": value,
                                "data_element": element.get("dataElement") or "",
                                "category_option_combo": element.get("categoryOptionCombo") or "",
                                "attribute_option_combo": element.get("attributeOptionCombo") or ""})
            if value is None or value == LESS_THAN_FIVE:
                result.ranges += 1
                continue
            if not unit or not element.get("dataElement"):
                continue
            entry = {"dataElement": element["dataElement"], "period": dhis2_period, "orgUnit": unit}
            for key in ("categoryOptionCombo", "attributeOptionCombo"):
                if element.get(key):
                    entry[key] = element[key]
            entry["value"] = str(value)
            result.values.append(entry)
    return result


def dataset_json(export, mapping):
    """The DHIS2 dataValueSets document."""
    document = {}
    if (mapping or {}).get("dataSet"):
        document["dataSet"] = mapping["dataSet"]
    document["period"] = export.period.replace("-", "")
    document["dataValues"] = export.values
    return json.dumps(document, indent=1, ensure_ascii=False)


def adx_xml(export, mapping):
    """The same values as ADX XML: one group per organisation unit, the month as YYYY-MM-01/P1M."""
    data_set = (mapping or {}).get("dataSet") or ""
    exported = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<adx xmlns="{ADX_NAMESPACE}" exported="{exported}">']
    groups = {}
    for entry in export.values:
        groups.setdefault((entry["orgUnit"], entry.get("attributeOptionCombo", "")), []).append(entry)
    for (unit, attribute), entries in groups.items():
        extra = f" dataSet={quoteattr(data_set)}" if data_set else ""
        extra += f" attributeOptionCombo={quoteattr(attribute)}" if attribute else ""
        lines.append(f'  <group orgUnit={quoteattr(unit)} period="{export.period}-01/P1M"{extra}>')
        for entry in entries:
            combo = entry.get("categoryOptionCombo")
            combo_attribute = f" categoryOptionCombo={quoteattr(combo)}" if combo else ""
            lines.append(f"    <dataValue dataElement={quoteattr(entry['dataElement'])}{combo_attribute} "
                         f"value={quoteattr(entry['value'])}/>")
        lines.append("  </group>")
    lines.append("</adx>")
    return "\n".join(lines) + "\n"


def csv_text(export):
    """One row per village per figure, as published ("<5" stays "<5", withheld is empty), with its mapping."""
    from federation.aggregator.web.tabular import csv_cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in export.rows:
        writer.writerow([csv_cell(row[column]) for column in CSV_COLUMNS])
    return out.getvalue()


def summaries_of(period):
    """[(hub id, village name, payload)] of period: each village's latest revision."""
    from federation.aggregator.models import Hub, MonthlySummary

    query = (MonthlySummary.select(MonthlySummary.hub, Hub.name, MonthlySummary.payload).join(Hub)
             .where(MonthlySummary.period == period).order_by(Hub.name, Hub.id).tuples())
    return [(hub_id, name, json.loads(payload)) for hub_id, name, payload in query]


# --- pushing to a DHIS2 server ---------------------------------------------------------------------------

class PushError(RuntimeError):
    """DHIS2 could not be reached or refused the request; str() says why."""


def credentials(environ):
    """The request's authentication from the environment: a personal access token, or a user and password."""
    token = environ.get("COMMUNITYHUB_DHIS2_TOKEN")
    if token:
        return {"headers": {"Authorization": f"ApiToken {token}"}}
    user, password = environ.get("COMMUNITYHUB_DHIS2_USERNAME"), environ.get("COMMUNITYHUB_DHIS2_PASSWORD")
    if user and password:
        return {"auth": (user, password)}
    raise PushError("set COMMUNITYHUB_DHIS2_TOKEN, or COMMUNITYHUB_DHIS2_USERNAME and COMMUNITYHUB_DHIS2_PASSWORD")


def push(url, document, environ, *, dry_run=False, strategy="CREATE_AND_UPDATE"):
    """POST the dataValueSets document to url/api/dataValueSets; -> DHIS2's import summary (a dict)."""
    import requests

    if strategy not in STRATEGIES:
        raise PushError(f"unknown import strategy {strategy!r}: one of {', '.join(STRATEGIES)}")
    auth = credentials(environ)
    params = {"importStrategy": strategy, "dryRun": "true" if dry_run else "false"}
    headers = {"Content-Type": "application/json", "Accept": "application/json", **auth.get("headers", {})}
    try:
        reply = requests.post(url.rstrip("/") + "/api/dataValueSets", params=params, data=document.encode("utf-8"),
                              headers=headers, auth=auth.get("auth"), timeout=TIMEOUT, allow_redirects=False)
    except requests.RequestException as error:
        raise PushError(f"DHIS2 at {url} could not be reached: {error}") from None
    try:
        body = reply.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise PushError(f"DHIS2 answered {reply.status_code} without an import summary")
    if reply.status_code in (401, 403):
        raise PushError(f"DHIS2 refused the credentials ({reply.status_code})")
    return body


def summary_lines(body):
    """DHIS2's import summary in a few lines (2.38+ wraps it in "response"; older versions do not)."""
    summary = body.get("response") if isinstance(body.get("response"), dict) else body
    counts = summary.get("importCount") or {}
    lines = [f"Status: {summary.get('status') or body.get('status', 'unknown')}",
             "Imported: {imported}, updated: {updated}, ignored: {ignored}, deleted: {deleted}".format(
                 **{key: counts.get(key, 0) for key in ("imported", "updated", "ignored", "deleted")})]
    for conflict in summary.get("conflicts") or []:
        lines.append(f"Conflict: {conflict.get('object', '')}: {conflict.get('value', '')}")
    if summary.get("description"):
        lines.append(str(summary["description"]))
    return lines
