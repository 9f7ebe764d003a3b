"""DHIS2: the mapping template, `aggregator export --format dhis2|adx|csv`, and `aggregator dhis2 push` against
a local HTTP server standing in for DHIS2 (DHIS2 itself cannot run here; docs/aggregator.md says how to check
against a real instance)."""

import base64
import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from hub.cli import main
from tests.aggregator.test_pages import payload, receive, table
from tests.loopback import serving


@pytest.fixture
def cli(district, database_url, monkeypatch):
    monkeypatch.setenv("COMMUNITYHUB_DATA_DIR", district.config["DATA_DIR"])
    monkeypatch.setenv("COMMUNITYHUB_DATABASE_URL", database_url)
    for name in ("COMMUNITYHUB_DHIS2_TOKEN", "COMMUNITYHUB_DHIS2_USERNAME", "COMMUNITYHUB_DHIS2_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["aggregator", *args], catch_exceptions=False)


@pytest.fixture
def october(enrolled):
    """Rampur: 10 sessions (life skills), concerns all "<5"; Sonpur: total withheld; Rampur sent October twice."""
    rampur, sonpur = enrolled("Rampur"), enrolled("Sonpur")
    receive(rampur, "2026-10", payload(sessions_held=table("sessions_held", total=5, life_skills=5)), 1)
    receive(rampur, "2026-10", payload(sessions_held=table("sessions_held", total=10, life_skills=10),
                                       concerns_opened_by_category=table("concerns_opened_by_category",
                                                                         total="<5")), 2, revision=2)
    receive(sonpur, "2026-10", payload(sessions_held=table("sessions_held", total=None, life_skills="<5",
                                                           parent_meeting=5)), 1)
    return rampur, sonpur


def mapping_file(tmp_path, cli, rampur_id, sonpur_id=None):
    """The template from the CLI, filled in for two figures and the villages given."""
    reply = cli("dhis2", "template")
    assert reply.exit_code == 0, reply.output
    mapping = json.loads(reply.stdout)
    mapping["dataSet"] = "dsCHILDPROT"
    mapping["orgUnits"][rampur_id]["orgUnit"] = "ouRAMPUR001"
    if sonpur_id:
        mapping["orgUnits"][sonpur_id]["orgUnit"] = "ouSONPUR001"
    elements = mapping["dataElements"]
    elements["sessions_held:life_skills"].update(dataElement="deSESSIONS1", categoryOptionCombo="cocLIFE0001")
    elements["sessions_held:parent_meeting"].update(dataElement="deSESSIONS1", categoryOptionCombo="cocPARENT01")
    mapping["dataElements"]["concerns_opened_by_category:neglect"]["dataElement"] = "deCONCERNS1"
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(mapping), encoding="utf-8")
    return path, mapping


def test_template__lists_every_figure_and_village(cli, october):
    from federation import schema

    mapping = json.loads(cli("dhis2", "template").stdout)
    assert "attendance:female.10-17" in mapping["dataElements"] and "sessions_held:total" in mapping["dataElements"]
    assert "value:savings_total_saved" in mapping["dataElements"]
    figures = sum(len(meta["cells"]) + meta["total"] for meta in schema.TABLES.values())
    assert len(mapping["dataElements"]) == figures + 2  # and the two savings amounts; bands are not numbers
    assert mapping["dataElements"]["sessions_held:total"]["label"] == "Sessions held"
    assert {entry["name"] for entry in mapping["orgUnits"].values()} == {"Rampur", "Sonpur"}


def test_export_dhis2__latest_revision_mapped_values_and_never_a_range(cli, october, tmp_path):
    rampur, sonpur = october
    path, _mapping = mapping_file(tmp_path, cli, rampur.id, sonpur.id)
    reply = cli("export", "--format", "dhis2", "--period", "2026-10", "--mapping", str(path))
    assert reply.exit_code == 0, reply.output
    document = json.loads(reply.stdout)
    assert document["dataSet"] == "dsCHILDPROT" and document["period"] == "202610"
    assert sorted(document["dataValues"], key=lambda value: (value["orgUnit"], value["categoryOptionCombo"])) == [
        {"dataElement": "deSESSIONS1", "period": "202610", "orgUnit": "ouRAMPUR001",
         "categoryOptionCombo": "cocLIFE0001", "value": "10"},   # revision 2, not the first 5
        {"dataElement": "deSESSIONS1", "period": "202610", "orgUnit": "ouRAMPUR001",
         "categoryOptionCombo": "cocPARENT01", "value": "0"},
        {"dataElement": "deSESSIONS1", "period": "202610", "orgUnit": "ouSONPUR001",
         "categoryOptionCombo": "cocPARENT01", "value": "5"},   # Sonpur's "<5" life skills is not sent
    ]  # Rampur's neglect is "<5": not sent either
    assert "Unmapped figures" in reply.stderr and "  sessions_held:total" in reply.stderr
    assert "  sessions_held:life_skills" not in reply.stderr
    assert "were \"<5\" or withheld: a range is never sent as a number" in reply.stderr


def test_export_adx_and_csv(cli, october, tmp_path):
    rampur, sonpur = october
    path, _mapping = mapping_file(tmp_path, cli, rampur.id)
    adx = cli("export", "--format", "adx", "--period", "2026-10", "--mapping", str(path))
    assert adx.exit_code == 0, adx.output
    root = ET.fromstring(adx.stdout)
    group = root.find("{urn:ihe:qrph:adx:2015}group")
    assert (group.get("orgUnit"), group.get("period"), group.get("dataSet")) == ("ouRAMPUR001", "2026-10-01/P1M",
                                                                                  "dsCHILDPROT")
    values = {(value.get("categoryOptionCombo"), value.get("value")) for value in group}
    assert values == {("cocLIFE0001", "10"), ("cocPARENT01", "0")}
    assert "Villages with no organisation unit (1)" in adx.stderr and "Sonpur" in adx.stderr
    spreadsheet = cli("export", "--format", "csv", "--period", "2026-10")
    rows = list(csv.DictReader(io.StringIO(spreadsheet.stdout)))
    sonpur_rows = {row["figure"]: row["published"] for row in rows if row["village"] == "Sonpur"}
    assert sonpur_rows["sessions_held:life_skills"] == "<5" and sonpur_rows["sessions_held:total"] == ""
    assert {row["period"] for row in rows} == {"2026-10"}
    assert "revision" not in spreadsheet.stdout.splitlines()[0]
    refused = cli("export", "--format", "dhis2", "--period", "2026-10")
    assert refused.exit_code == 2 and "--mapping is needed" in refused.output
    assert cli("export", "--format", "csv", "--period", "2026-13").exit_code == 2


class FakeDhis2:
    """A WSGI app answering POST /api/dataValueSets as DHIS2 2.38+ does, keeping what it received."""

    def __init__(self):
        self.requests = []

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.requests.append({"method": environ["REQUEST_METHOD"], "path": environ["PATH_INFO"],
                              "query": environ.get("QUERY_STRING", ""),
                              "authorization": environ.get("HTTP_AUTHORIZATION", ""),
                              "body": json.loads(environ["wsgi.input"].read(length))})
        count = len(self.requests[-1]["body"]["dataValues"])
        body = {"httpStatus": "OK", "httpStatusCode": 200, "status": "OK", "response": {
            "responseType": "ImportSummary", "status": "SUCCESS",
            "importCount": {"imported": count, "updated": 0, "ignored": 0, "deleted": 0}, "conflicts": []}}
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]


def test_push__posts_the_data_value_set_with_credentials_strategy_and_dry_run(cli, october, tmp_path, monkeypatch):
    rampur, sonpur = october
    path, _mapping = mapping_file(tmp_path, cli, rampur.id, sonpur.id)
    fake = FakeDhis2()
    with serving(fake) as url:
        missing = cli("dhis2", "push", "--url", url, "--period", "2026-10", "--mapping", str(path))
        assert missing.exit_code == 1 and "COMMUNITYHUB_DHIS2_TOKEN" in missing.output and not fake.requests
        monkeypatch.setenv("COMMUNITYHUB_DHIS2_USERNAME", "district")
        monkeypatch.setenv("COMMUNITYHUB_DHIS2_PASSWORD", "secret-1")
        reply = cli("dhis2", "push", "--url", url, "--period", "2026-10", "--mapping", str(path), "--dry-run",
                    "--strategy", "CREATE")
        monkeypatch.setenv("COMMUNITYHUB_DHIS2_TOKEN", "d2pat_abc")
        again = cli("dhis2", "push", "--url", url + "/", "--period", "2026-10", "--mapping", str(path))
    assert reply.exit_code == 0, reply.output
    assert "Sent 3 values of 2026-10" in reply.stdout and "(dry run)" in reply.stdout
    assert "Status: SUCCESS" in reply.stdout and "Imported: 3, updated: 0, ignored: 0, deleted: 0" in reply.stdout
    first, second = fake.requests
    assert (first["method"], first["path"]) == ("POST", "/api/dataValueSets")
    assert "importStrategy=CREATE" in first["query"] and "dryRun=true" in first["query"]
    assert first["authorization"] == "Basic " + base64.b64encode(b"district:secret-1").decode()
    assert len(first["body"]["dataValues"]) == 3 and first["body"]["period"] == "202610"
    assert again.exit_code == 0 and second["path"] == "/api/dataValueSets"
    assert second["authorization"] == "ApiToken d2pat_abc" and "dryRun=false" in second["query"]
    assert "importStrategy=CREATE_AND_UPDATE" in second["query"]


def test_push__an_unreachable_server_is_a_clear_error(cli, october, tmp_path, monkeypatch):
    from tests.loopback import closed_port_url

    rampur, _sonpur = october
    path, _mapping = mapping_file(tmp_path, cli, rampur.id)
    monkeypatch.setenv("COMMUNITYHUB_DHIS2_TOKEN", "d2pat_abc")
    reply = cli("dhis2", "push", "--url", closed_port_url(), "--period", "2026-10", "--mapping", str(path))
    assert reply.exit_code == 1 and "could not be reached" in reply.output
