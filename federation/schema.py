"""The summary payload's JSON Schema, one file per schema version in federation/schema/, and its vocabularies.

The JSON file is the one source: `TABLES` and `VALUES` are read from it, so the hub that builds a payload,
the aggregator that ingests it and the pages that show it agree on every table, cell and value. A table's
`x-case-family` annotation marks the counts about children in the case family (DECISIONS "Privacy rule for
summaries", rule 1). In version 2 every "<5" stands for 0 to 4, in every table: the document says so with
`x-less-than-five-includes-zero` (`zero_hidden()`).

The validators are imported on first use: a hub validates only when it builds a summary, and the idle
server does without their memory (docs/benchmarks.md).
"""

import json
from functools import cache
from importlib import resources

from federation.errors import InvalidPayload, UnknownSchema

SCHEMA_VERSIONS = (1, 2)  # 1 from hubs not yet upgraded; 2 (every count 0-4 is "<5") is what hubs build
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
    import jsonschema

    try:
        _fast(schema_version)(payload)
        return
    except fastjsonschema.JsonSchemaException:
        pass
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


def _tables(version):
    tables = {}
    for name, table in document(version)["properties"]["tables"]["properties"].items():
        tables[name] = {"cells": tuple(table["properties"]["cells"]["required"]),
                        "total": "total" in table["properties"],
                        "case_family": bool(table.get("x-case-family"))}
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
