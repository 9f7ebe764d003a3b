"""Sharing commands (registered in hub/cli.py): `summary build|show`, `sync`, `enroll [--to DIR]`, and the
USB stick's `export --to DIR` and `import --from DIR` (on hub/sharing/transfer.py).

Each calls hub.sharing.service in the app's context and prints plain text, or one JSON object with --json.
Exit status: 0 done, 1 when something could not be done (not enrolled, unreachable, refused), 2 bad usage.
"""

import json
import sys
from pathlib import Path

import click

from hub import db

PERIOD_HELP = "The month, YYYY-MM."


def _context():
    from hub.cli import _app

    app = _app()
    return app, app.app_context(), db.database.connection_context()


def _period(value):
    from hub.sharing.service import SharingError, check_period

    try:
        return check_period(value)
    except SharingError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from None


@click.group()
def summary():
    """The monthly summary the hub sends the district: counts only, protected (docs/privacy.md)."""


@summary.command("build")
@click.option("--period", help=PERIOD_HELP + " Default: last month.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def summary_build(period, as_json):
    """Build a month and queue it for the district if its content changed and it may still be released.

    Rebuilding a month whose data did not change makes nothing new.
    """
    from hub.sharing import service

    app, context, connection = _context()
    with context, connection:
        period = _period(period) if period else service.default_period()
        try:
            result = service.build(period)
        except service.SharingError as exc:
            raise click.ClickException(str(exc)) from None
        if as_json:
            click.echo(json.dumps(result.as_dict(), sort_keys=True))
        elif result.made:
            click.echo(f"Built {period} revision {result.revision} (sequence {result.bundle.sequence}): "
                       "queued for the district.")
        else:
            click.echo(f"Nothing new for {period}: {result.reason}.")


@summary.command("show")
@click.option("--period", required=True, help=PERIOD_HELP)
def summary_show(period):
    """Print the exact bytes of a month's latest sealed bundle, as POST /api/v1/bundles receives them.

    For a month not built yet, print the bytes its first release would have now (and say so on stderr).
    """
    from hub.sharing import service

    app, context, connection = _context()
    with context, connection:
        data, stored = service.sealed_bytes(_period(period))
    if not stored:
        click.echo(f"{period} has not been built: these are the bytes that would leave if it were built now "
                   "(nothing was queued).", err=True)
    click.echo(data, nl=False)  # bytes go to the binary stdout untouched


@click.command("sync")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def sync(as_json):
    """Send every waiting summary to the district aggregator now (exit status 1 if one could not go)."""
    from hub.sharing import service

    app, context, connection = _context()
    with context, connection:
        report = service.send_now()
    if as_json:
        click.echo(json.dumps(report.as_dict(), sort_keys=True))
    else:
        click.echo(f"Sync: {report}.")
    if not report.enrolled or report.error:
        sys.exit(1)


@click.command("enroll")
@click.option("--aggregator", "url", help="The district aggregator's address, e.g. http://192.168.1.20:8090.")
@click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Without a network: write the signed enrolment request to this folder (a USB stick) for "
                   "the district's `aggregator import`; its reply comes back with `communityhub import --from`.")
@click.option("--code", required=True, help="The one-time enrolment code the district gave.")
@click.option("--key-id", default="", help="The aggregator's key fingerprint, when the district gave it "
                                           "(QR code): the reply must match it.")
def enroll(url, folder, code, key_id):
    """Enrol this hub with the district aggregator and trust (pin) its key, over the network (--aggregator)
    or by a USB stick (--to)."""
    from hub.sharing import service

    if bool(url) == bool(folder):
        raise click.UsageError("give either --aggregator URL or --to DIR")
    if folder:
        enroll_to(folder, code, key_id)
        return
    app, context, connection = _context()
    with context, connection:
        try:
            state = service.enrol(url, code, key_id=key_id)
        except service.SharingError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Enrolled with {state.aggregator_url}: aggregator {state.aggregator_id}, "
               f"key {state.aggregator_key_id}.")


def _echo_results(results):
    for result in results:
        click.echo(f"{result.name}: {result.verdict}" + (f" ({result.detail})" if result.detail else ""))


@click.command("export")
@click.option("--to", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write to (a USB stick); created if missing.")
def export_command(folder):
    """Write every summary not yet confirmed by the district (this hub's and those it carries for other
    hubs) to a folder, for the district to import. Nothing is marked sent until the district's
    acknowledgement is imported."""
    from federation import usb
    from hub.sharing.transfer import export_to, stick_problem

    app, context, connection = _context()
    with context, connection:
        try:
            results = export_to(folder)
        except usb.UsbError as exc:
            raise click.ClickException(stick_problem(exc)) from None
    _echo_results(results)
    click.echo(f"Wrote {len(results)} files to {folder}.")


@click.command("import")
@click.option("--from", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to read (a USB stick back from the district).")
def import_command(folder):
    """Read the district's acknowledgements (and its enrolment reply) from a folder, and keep other hubs'
    summaries found there to pass on. Exit status 1 if any file was refused."""
    from federation import usb
    from hub.sharing.transfer import import_from, stick_problem

    app, context, connection = _context()
    with context, connection:
        try:
            results = import_from(folder)
        except usb.UsbError as exc:
            raise click.ClickException(stick_problem(exc)) from None
    _echo_results(results)
    refused = sum(result.refused for result in results)
    click.echo(f"Read {len(results)} files: {refused} refused." if refused
               else f"Read {len(results)} files: every one used or left alone.")
    if refused:
        sys.exit(1)


def enroll_to(folder, code, key_id=""):
    """For the `enroll --to DIR` option: write the enrolment request to folder."""
    from federation import usb
    from hub.sharing.transfer import stick_problem, write_enrolment

    app, context, connection = _context()
    with context, connection:
        try:
            path = write_enrolment(folder, code, key_id)
        except usb.UsbError as exc:
            raise click.ClickException(stick_problem(exc)) from None
    click.echo(f"Wrote the enrolment request to {path}. Take it to the district; bring back the stick with "
               "its reply and run `communityhub import --from` it.")


COMMANDS = (summary, sync, enroll, export_command, import_command)
