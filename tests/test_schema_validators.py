"""The two JSON Schema validators of federation/schema.py agree on every payload: fastjsonschema lets a
payload through on the fast path, jsonschema (the reference) decides refusals, so a payload fastjsonschema
passes and jsonschema would refuse would reach the aggregator unchecked.

The corpus is made from each schema version's own document: a valid payload, then every cell, total and
value replaced by valid and invalid JSON, keys dropped and added; hypothesis adds arbitrary JSON in places.
"""

import copy
import json
from functools import cache

import fastjsonschema
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federation import schema

# Values a count, total or figure might be given: good ones, near misses and wrong types.
SAMPLES = (0, 5, 10, 1_000_000, "<5", None, 3, -5, 7.5, 5.0, True, False, "5", "<5 ", "", 10**30, [], {},
           "0-1", "31+", "fewer_than_10_cases", "one_member_above_half")


@cache
def validators(version):
    document = schema.document(version)
    return jsonschema.Draft202012Validator(document), fastjsonschema.compile(document)


def fast_accepts(fast, payload):
    try:
        fast(copy.deepcopy(payload))  # fastjsonschema may fill in defaults: never on the corpus itself
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def valid_payload(version):
    """Every table with every cell at "<5" (valid in and out of the case family), every value withheld."""
    properties = schema.document(version)["properties"]
    tables = {}
    for name, table in properties["tables"]["properties"].items():
        tables[name] = {"cells": dict.fromkeys(table["properties"]["cells"]["required"], "<5")}
        if "total" in table["properties"]:
            tables[name]["total"] = None
    values = {name: {"value": None, "reason": value["properties"]["reason"]["enum"][-1]}
              for name, value in properties["values"]["properties"].items()}
    return {"tables": tables, "values": values}


def corpus(version):
    """(description, payload) pairs: the valid payload and one change to it each."""
    base = valid_payload(version)
    yield "valid", base
    yield "empty object", {}
    yield "not an object", []
    yield "no values", {"tables": base["tables"]}
    yield "an unknown key", {**base, "extra": 1}
    yield "an unknown table", {**base, "tables": {**base["tables"], "unknown": {"cells": {}}}}
    for name, table in base["tables"].items():
        cell = next(iter(table["cells"]))  # a table's cells share one definition: its first stands for all
        for sample in SAMPLES:
            changed = copy.deepcopy(base)
            changed["tables"][name]["cells"][cell] = sample
            yield f"{name}.{cell} = {sample!r}", changed
        dropped = copy.deepcopy(base)
        del dropped["tables"][name]["cells"][cell]
        yield f"{name} without {cell}", dropped
        extra = copy.deepcopy(base)
        extra["tables"][name]["cells"]["unknown_cell"] = 5
        yield f"{name} with an unknown cell", extra
        if "total" in table:
            for sample in SAMPLES:
                changed = copy.deepcopy(base)
                changed["tables"][name]["total"] = sample
                yield f"{name}.total = {sample!r}", changed
    for name in base["values"]:
        for part in ("value", "reason"):
            for sample in SAMPLES:
                changed = copy.deepcopy(base)
                changed["values"][name][part] = sample
                yield f"{name}.{part} = {sample!r}", changed


@pytest.mark.parametrize("version", schema.SCHEMA_VERSIONS)
def test_validators__agree_on_every_payload_of_the_corpus(version):
    reference, fast = validators(version)
    cases = list(corpus(version))
    verdicts = {description: reference.is_valid(payload) for description, payload in cases}
    assert verdicts["valid"] and not verdicts["empty object"]  # the corpus holds both kinds
    assert sum(verdicts.values()) > 10 and sum(not ok for ok in verdicts.values()) > 10
    disagreements = [description for description, payload in cases
                     if fast_accepts(fast, payload) != verdicts[description]]
    assert disagreements == []


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda children: st.lists(children, max_size=3)
                    | st.dictionaries(st.text(max_size=8), children, max_size=3), max_leaves=8)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_validators__agree_on_arbitrary_json_put_anywhere(data):
    version = data.draw(st.sampled_from(schema.SCHEMA_VERSIONS))
    reference, fast = validators(version)
    payload = valid_payload(version)
    table = data.draw(st.sampled_from(sorted(payload["tables"])))
    target = data.draw(st.sampled_from(["cell", "table", "values", "payload"]))
    value = data.draw(JSON)
    if target == "cell":
        cells = payload["tables"][table]["cells"]
        cells[data.draw(st.sampled_from(sorted(cells)))] = value
    elif target == "table":
        payload["tables"][table] = value
    elif target == "values":
        payload["values"] = value
    else:
        payload = value
    assert fast_accepts(fast, payload) == reference.is_valid(payload), payload


def test_validate__a_valid_payload_leaves_the_reference_validator_unloaded():
    """A hub validates its own summaries as it builds them; jsonschema and what it brings (about 3.5 MB, kept
    for as long as the hub runs) load only to say why a payload is refused."""
    import subprocess
    import sys

    probe = ("import json, sys; from federation import schema; "
             "schema.validate(json.loads(sys.stdin.read()), schema.CURRENT); "
             "print('jsonschema' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], input=json.dumps(valid_payload(schema.CURRENT)),
                          capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["False"]
    with pytest.raises(schema.InvalidPayload):
        schema.validate({}, schema.CURRENT)
