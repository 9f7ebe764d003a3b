"""The summary payload's JSON Schema, one file per schema version in federation/schema/, and its vocabularies.

The JSON file is the one source: `TABLES` and `VALUES` are read from it, so the hub that builds a payload,
the aggregator that ingests it and the pages that show it agree on every table, cell and value. A table's
`x-case-family` annotation marks the counts about children in the case family (DECISIONS "Privacy rule for
summaries", rule 1). From version 2 every "<5" stands for 0 to 4, in every table: the document says so with
`x-less-than-five-includes-zero` (`zero_hidden()`). Version 3 merges attendance's sparse cells. Version 4
counts people of sex "other" or without an age band in attendance's total only (`x-total-includes`), and
sums minors away over each quarter.

The validators are imported on first use: a hub validates only when it builds a summary, and the idle
server does without their memory (docs/benchmarks.md).
"""

import json
from functools import cache
from importlib import resources

from federation.errors import InvalidPayload, UnknownSchema

# 1, 2 and 3 from hubs not yet upgraded; 2: every count 0-4 is "<5"; 3: as 2, with attendance's
# sparse cells merged (age bands 0-9, 10-17, 18+; sex "other" and no age band in one cell); 4 (what hubs
# build): that one cell counted in attendance's total only, and minors away summed over each quarter
SCHEMA_VERSIONS = (1, 2, 3, 4)
CURRENT = SCHEMA_VERSIONS[-1]


@cache
def document(version=CURRENT):
    """The JSON Schema of a payload schema version, as a dict."""
    if version not in SCHEMA_VERSIONS:
        raise UnknownSchema(f"unknown summary schema version {version!r}; this release knows {SCHEMA_VERSIONS}")
    text = resources.files("federation").joinpath(f"schema/summary-v{version}.json").read_text("utf-8")
    return json.loads(text)


@cache
def _validator(version):
    import jsonschema

    schema = document(version)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@cache
def _fast(version):
    import fastjsonschema

    return fastjsonschema.compile(document(version))


def prepare():
    """Compile every schema version's fast validator now (about 0.3 s each), not on the first bundle."""
    for version in SCHEMA_VERSIONS:
        _fast(version)


def validate(payload, schema_version):
    """Raise InvalidPayload unless payload is a valid summary of schema_version (UnknownSchema if unknown).

    fastjsonschema (compiled code, about 0.3 ms) lets a valid payload through; only a payload it refuses
    goes to jsonschema, the reference validator, which decides and says where in its words. So ingest
    keeps its budget (docs/benchmarks.md) and a refusal never rests on the fast path alone.
    """
    if isinstance(schema_version, bool) or schema_version not in SCHEMA_VERSIONS:
        raise UnknownSchema(f"unknown summary schema version {schema_version!r}")
    import fastjsonschema

    try:
        _fast(schema_version)(payload)
        return
    except fastjsonschema.JsonSchemaException:
        pass
    import jsonschema  # only for a refusal: with what it brings, 3.5 MB a hub would keep after each build

    error = jsonschema.exceptions.best_match(_validator(schema_version).iter_errors(payload))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "payload"
        raise InvalidPayload(f"the payload does not match summary schema {schema_version} at {where}: "
                             f"{error.message}")


@cache
def largest(version=CURRENT):
    """The largest number any field of a schema version allows (its greatest `maximum`)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("maximum"), int):
                found.append(node["maximum"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document(version))
    return max(found)


def zero_hidden(version):
    """True when a "<5" of this schema version stands for 0 to 4 in every table (version 2), not only in
    the case family (version 1: elsewhere 1 to 4, and 0 is a true 0)."""
    return bool(document(version).get("x-less-than-five-includes-zero"))


# Attendance by sex and age (schema 3): each sparse band merged with its neighbour, so the only girl aged
# 15-17 or the only toddler brought along is one of many in her cell; anyone recorded with sex "other" or
# without an age band is counted in one cell, so no cell is about the one child recorded as "other".
PUBLISHED_BANDS = {"0-5": "0-9", "6-9": "0-9", "10-14": "10-17", "15-17": "10-17", "18-24": "18+", "25+": "18+"}
OTHER_OR_NOT_RECORDED = "other_or_not_recorded"


def attendance_cell(sex, band):
    """The attendance cell (schema 3) of a person of sex in age band: "female.10-17", "other_or_not_recorded".

    >>> attendance_cell("female", "15-17"), attendance_cell("other", "10-14"), attendance_cell("male", "unknown")
    ('female.10-17', 'other_or_not_recorded', 'other_or_not_recorded')
    """
    if sex in ("female", "male") and band in PUBLISHED_BANDS:
        return f"{sex}.{PUBLISHED_BANDS[band]}"
    return OTHER_OR_NOT_RECORDED


def current_cell(table, cell):
    """The cell of the current vocabulary a cell of an earlier schema version falls in (the district adds
    versions side by side): attendance's "female.15-17" of schema 1 or 2 is part of "female.10-17".

    >>> current_cell("attendance", "female.15-17"), current_cell("attendance", "other.6-9")
    ('female.10-17', 'other_or_not_recorded')
    """
    if table == "attendance" and cell not in TABLES["attendance"]["cells"] and "." in cell:
        sex, _dot, band = cell.partition(".")
        return attendance_cell(sex, band)
    return cell


@cache
def tables(version=CURRENT):
    """{table: {"cells", "total", "case_family"}} of a schema version (`TABLES` is the current one's)."""
    return _tables(version)


def _tables(version):
    tables = {}
    for name, table in document(version)["properties"]["tables"]["properties"].items():
        tables[name] = {"cells": tuple(table["properties"]["cells"]["required"]),
                        "total": "total" in table["properties"],
                        "case_family": bool(table.get("x-case-family")),
                        # counted in the total, never published as a cell (schema 4: attendance's
                        # other_or_not_recorded), and the table of the same people whose cells add up to it
                        "included": tuple(table.get("x-total-includes", ())),
                        "same_people_as": table.get("x-same-people-as")}
    return tables


def _values(version):
    values = {}
    for name, value in document(version)["properties"]["values"]["properties"].items():
        allowed = value["properties"]["value"]
        values[name] = {"values": tuple(v for v in allowed["enum"] if v is not None) if "enum" in allowed else None,
                        "reasons": tuple(value["properties"]["reason"]["enum"])}
    return values


# {table: {"cells": (cell, ...), "total": bool, "case_family": bool}} of the current version
TABLES = _tables(CURRENT)
# {value name: {"values": (band, ...) or None for a number, "reasons": ("", ...)}}
VALUES = _values(CURRENT)


def coarser(version=CURRENT):
    """{"table:cell" or "table:total": months}: the sums over a quarter (3) or a year (12) a version has."""
    found = document(version)["properties"].get("coarser", {}).get("properties", {})
    return {name: entry["x-months"] for name, entry in found.items()}


# Sparse counts also published summed over their span (docs/privacy.md "What the district can know"); at
# most one per group of tables bound by a total, so the linked audit's identities stay a tree; a stock's sum
# (minors away) is audited with its chain of months (federation.chains).
COARSER = coarser(CURRENT)
