"""Schemathesis against the aggregator's own OpenAPI, served on loopback by `communityhub aggregator run`.

Generated bodies (valid and invalid by the schema) go to every operation; any 5xx, or an answer that breaks
the document (status, content type, body schema, headers such as a 405's Allow), fails. The number of
examples is bounded so the run stays short on a Pi-sized machine.
"""

from types import SimpleNamespace

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.server import run_command
from tests.test_relay import serving

EXAMPLES = 30  # per operation


@pytest.fixture(scope="module")
def aggregator_url(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("conformance") / "aggregator"
    run_command(["aggregator", "init"], data_dir)
    with serving(SimpleNamespace(data_dir=data_dir)) as url:
        yield url


def test_api__answers_as_its_openapi_says(aggregator_url):
    # Operations are walked here rather than with schemathesis's pytest plugin, whose fixture loader does
    # not work with pytest 9.
    openapi = schemathesis.openapi.from_url(aggregator_url + "/api/v1/openapi.json")
    checked = []
    for result in openapi.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                  derandomize=True, database=None)
        def answers_as_documented(case):
            # A body that fits the schema is still refused unless it is canonical JSON signed by an enrolled
            # hub, which no JSON Schema can say: the check that schema-valid bodies are accepted is left out.
            case.call_and_validate(base_url=aggregator_url, excluded_checks=[positive_data_acceptance])

        answers_as_documented()
        checked.append(f"{operation.method.upper()} {operation.path}")
    # (schemathesis leaves out the operation that serves the document it was loaded from)
    assert {"GET /healthz", "POST /api/v1/bundles", "POST /api/v1/enrolments", "POST /api/v1/proof"} <= set(checked)
