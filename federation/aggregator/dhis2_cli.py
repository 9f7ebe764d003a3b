"""`communityhub aggregator export` and `communityhub aggregator dhis2 ...`: a month of village figures for DHIS2.

Each command calls federation.aggregator.dhis2 and holds no logic; registered on the `aggregator` group by
federation.aggregator.cli.
"""

import json
import sys
from pathlib import Path

import click


def _app():
    from federation.aggregator.cli import cli_app as make_app

    return make_app()


def _period_option(value):
    from federation.aggregator.web.reports import valid_period

    if not valid_period(value):
        raise click.BadParameter("a month as YYYY-MM, for example 2026-10")
    return value


def _read_mapping(path):
    from federation.aggregator import dhis2

    if path is None:
        return None
    try:
        return dhis2.load_mapping(Path(path).read_text(encoding="utf-8"))
    except (OSError, dhis2.MappingError) as exc:
        raise click.ClickException(f"{path}: {exc}") from None


def _export(period, mapping):
    from federation import schema
    from federation.aggregator import db, dhis2

    app = _app()
    with app.app_context(), db.database.connection_context():
        return dhis2.data_values(period, dhis2.summaries_of(period), mapping,
                                 dhis2.figure_names(schema.TABLES, schema.VALUES))


def _report_unmapped(export):
    if export.unmapped_figures:
        click.echo(f"Unmapped figures ({len(export.unmapped_figures)}), not sent:", err=True)
        for name in sorted(export.unmapped_figures):
            click.echo(f"  {name}", err=True)
    if export.unmapped_villages:
        click.echo(f"Villages with no organisation unit ({len(export.unmapped_villages)}), not sent:", err=True)
        for hub_id, name in sorted(export.unmapped_villages.items(), key=lambda item: item[1]):
            click.echo(f"  {hub_id}  {name}", err=True)
    if export.ranges:
        click.echo(f"{export.ranges} figures were \"<5\" or withheld: a range is never sent as a number.", err=True)


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["dhis2", "adx", "csv"]), required=True,
              help="dhis2: a dataValueSets JSON document; adx: ADX XML; csv: one row per village per figure.")
@click.option("--period", required=True, callback=lambda _c, _p, value: _period_option(value),
              help="The month, YYYY-MM.")
@click.option("--mapping", type=click.Path(dir_okay=False, exists=True),
              help="The mapping file (`aggregator dhis2 template`); needed for dhis2 and adx.")
def export(fmt, period, mapping):
    """Write one month's figures for DHIS2 to standard output; unmapped figures are listed on standard error.

    Each village's latest revision is sent. A "<5" or a withheld figure is never sent as a number.
    """
    from federation.aggregator import dhis2

    if fmt != "csv" and mapping is None:
        raise click.UsageError("--mapping is needed for --format dhis2 and adx (`aggregator dhis2 template`)")
    chosen = _read_mapping(mapping)
    found = _export(period, chosen)
    if fmt == "dhis2":
        click.echo(dhis2.dataset_json(found, chosen))
    elif fmt == "adx":
        click.echo(dhis2.adx_xml(found, chosen), nl=False)
    else:
        click.echo(dhis2.csv_text(found), nl=False)
    if fmt != "csv":
        _report_unmapped(found)


@click.group()
def dhis2():
    """DHIS2: the mapping template and pushing a month to a DHIS2 server."""


@dhis2.command("template")
def dhis2_template():
    """Write a mapping template to standard output: every figure and every village, to be filled in once."""
    from federation import schema
    from federation.aggregator import db
    from federation.aggregator import dhis2 as district_dhis2
    from federation.aggregator.models import Hub

    app = _app()
    with app.app_context(), db.database.connection_context():
        hubs = list(Hub.active())
        text = json.dumps(district_dhis2.template(hubs, schema.TABLES, schema.VALUES), indent=2, ensure_ascii=False)
    click.echo(text)


@dhis2.command("push")
@click.option("--url", required=True, help="The DHIS2 server, for example https://dhis2.example.org")
@click.option("--period", required=True, callback=lambda _c, _p, value: _period_option(value),
              help="The month, YYYY-MM.")
@click.option("--mapping", type=click.Path(dir_okay=False, exists=True), required=True, help="The mapping file.")
@click.option("--dry-run", is_flag=True, help="Ask DHIS2 to check the values without saving them.")
@click.option("--strategy", type=click.Choice(["CREATE_AND_UPDATE", "CREATE", "UPDATE", "DELETE"]),
              default="CREATE_AND_UPDATE", show_default=True, help="DHIS2's import strategy.")
def dhis2_push(url, period, mapping, dry_run, strategy):
    """Post one month to DHIS2's /api/dataValueSets and print its import summary.

    Credentials from the environment: COMMUNITYHUB_DHIS2_TOKEN (a personal access token), or
    COMMUNITYHUB_DHIS2_USERNAME and COMMUNITYHUB_DHIS2_PASSWORD. Exit status 1 when DHIS2 reports an error.
    """
    import os

    from federation.aggregator import dhis2 as district_dhis2

    chosen = _read_mapping(mapping)
    found = _export(period, chosen)
    _report_unmapped(found)
    try:
        body = district_dhis2.push(url, district_dhis2.dataset_json(found, chosen), os.environ, dry_run=dry_run,
                                   strategy=strategy)
    except district_dhis2.PushError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Sent {len(found.values)} values of {period} to {url}" + (" (dry run)" if dry_run else ""))
    lines = district_dhis2.summary_lines(body)
    for line in lines:
        click.echo(line)
    if lines[0].split(": ", 1)[1] not in ("SUCCESS", "OK", "WARNING"):
        sys.exit(1)
