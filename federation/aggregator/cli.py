"""`communityhub aggregator ...`: the district's commands. Each calls the aggregator's functions and holds
no logic; output is plain text or `--json`.
"""

import contextlib
import fcntl
import json
import socket
import sys
from pathlib import Path

import click

from hub import __version__
from hub.settings import VALID_LANGUAGES

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8090
SERVING_LOCK_FILE = "aggregator-serving.lock"


def cli_app():
    """The aggregator app for the data folder, as every command opens it."""
    from federation.aggregator.app import create_app

    return create_app()


def public_url(app):
    """The address hubs type: AGGREGATOR_URL, or a guess from this machine's name and the default port."""
    return app.config["AGGREGATOR_URL"] or f"http://{socket.gethostname()}:{DEFAULT_PORT}"


@click.group()
def aggregator():
    """The district aggregator: enrols hubs and takes in their monthly summaries.

    Data folder COMMUNITYHUB_DATA_DIR (default ./instance); database COMMUNITYHUB_DATABASE_URL
    (default aggregator.sqlite3 in the data folder).
    """


@aggregator.command()
def init():
    """Create or upgrade the aggregator: data folder, key, database and migrations; print its key id."""
    from federation.aggregator.app import load_settings, prepare

    values = load_settings({})
    data_dir = Path(values["DATA_DIR"]).resolve()
    identity, real, (ok, message), ran = prepare(data_dir, values["DATABASE_URL"])
    if not ok:
        raise click.ClickException(f"the database failed its check: {message}")
    from federation.aggregator import db

    engine, version = db.describe(real)
    click.echo(f"Data folder: {data_dir}")
    click.echo(f"Database: {engine} {version}")
    for migration in ran:
        click.echo(f"Applied migration {migration.number:04d} {migration.name}")
    click.echo(f"Aggregator id: {identity.id}")
    click.echo(f"Aggregator key id: {identity.key_id}")
    click.echo("Next: `communityhub aggregator enrol-code --hub-name NAME` for each hub, "
               "then `communityhub aggregator run`.")


@aggregator.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True, help="Port to listen on.")
@click.option("--advertise", "where", metavar="ADDRESS",
              help="Advertise this aggregator by zeroconf on this LAN address or network (for example "
                   "10.42.0.0/24 on a village hub's Wi-Fi), so enrolled hubs deliver at once.")
def run(host, port, where):
    """Serve the aggregator with waitress (one process, several threads)."""
    from waitress import create_server

    from federation.aggregator.app import warm_up
    from hub import sdnotify
    from hub.serving import sigterm_stops_serving

    app = cli_app()
    warm_up(app)
    with _serving(app.config["DATA_DIR"]), sigterm_stops_serving(), _advertising(app, where, port):
        server = create_server(app, host=host, port=port, threads=app.config["THREADS"],
                               ident="communityhub-aggregator")
        click.echo(f"Serving the Community Hub aggregator {__version__} on http://{host}:{port}/ "
                   "(Ctrl+C to stop)")
        sdnotify.notify("READY=1")
        try:
            server.run()  # returns on Ctrl+C or SIGTERM
        finally:
            sdnotify.notify("STOPPING=1")


@contextlib.contextmanager
def _advertising(app, where, port):
    """Advertise on `where` while serving (a district laptop in collector mode), or do nothing."""
    if not where:
        yield
        return
    from federation import discovery

    try:
        discovery.lan_address(where)
    except discovery.DiscoveryError as exc:
        raise click.BadParameter(str(exc), param_hint="--advertise") from None
    advertised = discovery.advertise(app.extensions["aggregator_identity"], discovery.AGGREGATOR, where, port)
    click.echo(f"Advertising on {where} as {discovery.service_name(discovery.AGGREGATOR, advertised.node_id)}")
    try:
        yield
    finally:
        advertised.stop()


@contextlib.contextmanager
def _serving(data_dir):
    """One aggregator server per data folder (a flock the kernel frees if the process dies)."""
    with open(Path(data_dir) / SERVING_LOCK_FILE, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise click.ClickException(f"an aggregator is already serving {data_dir}: stop it first.") from None
        yield


@aggregator.command("enrol-code")
@click.option("--hub-name", required=True, help="What the district calls the hub (its village).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: code, expires_at, aggregator_key_id, url.")
def enrol_code(hub_name, as_json):
    """Make a one-time enrolment code for one hub (single use, valid 14 days)."""
    from federation.aggregator import enrol

    app = cli_app()
    with app.app_context():
        try:
            code, expires_at = enrol.issue(hub_name)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        identity = enrol.identity()
        url = public_url(app)
    result = {"code": code, "expires_at": expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "hub_name": hub_name,
              "aggregator_id": identity.id, "aggregator_key_id": identity.key_id, "url": url}
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"Enrolment code for {hub_name}: {code}")
    click.echo(f"Valid until {result['expires_at']} (once only).")
    click.echo(f"On the hub, type the aggregator's address {url} and this code; check that the hub shows "
               f"the aggregator key id {identity.key_id}.")
    if not app.config["AGGREGATOR_URL"]:
        click.echo("(The address is a guess: set COMMUNITYHUB_AGGREGATOR_URL to the address hubs reach.)")


@aggregator.group()
def admin():
    """District admins who sign in to the aggregator's pages."""


@admin.command("add")
@click.argument("username")
@click.option("--name", "display_name", help="Name shown on the pages (default: the username).")
@click.option("--language", type=click.Choice(list(VALID_LANGUAGES)), default=None,
              help="Language of the admin's pages.")
def admin_add(username, display_name, language):
    """Add a district admin. The password (at least 10 characters) is read from standard input."""
    from federation.aggregator.auth import AdminError, add_admin

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    app = cli_app()
    with app.app_context():
        try:
            account = add_admin(username, password, display_name=display_name, language=language or "")
        except AdminError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Added the district admin {account.username!r}: sign in at {public_url(app)}/login")


@admin.command("unlock")
@click.argument("username")
def admin_unlock(username):
    """Let an admin sign in again from every device after failed attempts locked them out (the running
    aggregator reads this at the next attempt; no restart needed)."""
    from federation.aggregator.auth import AdminError, request_unlock

    app = cli_app()
    with app.app_context():
        try:
            account = request_unlock(username, app.config["DATA_DIR"])
        except AdminError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Unlocked sign-in for {account.username!r} on every device.")


@aggregator.command()
@click.argument("hub_id")
def revoke(hub_id):
    """Revoke a hub's key (a stolen hub): from now on every bundle it signs is refused."""
    from federation.aggregator import enrol

    app = cli_app()
    with app.app_context():
        try:
            hub = enrol.revoke(hub_id)
        except LookupError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Revoked the key {hub.key_id} of {hub.name} ({hub.id}) at {hub.revoked_at:%Y-%m-%d %H:%M} UTC.")


@aggregator.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def hubs(as_json):
    """List the enrolled hubs: id, name, key id, enrolled, last bundle received, revoked."""
    from federation.aggregator.models import Hub
    from federation.usb import printable

    app = cli_app()
    with app.app_context():
        rows = [{"id": hub.id, "name": hub.name, "key_id": hub.key_id,
                 "enrolled_at": _when(hub.enrolled_at), "last_received_at": _when(hub.last_received_at),
                 "revoked_at": _when(hub.revoked_at)} for hub in Hub.select().order_by(Hub.name, Hub.id)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No hub is enrolled yet.")
    for row in rows:
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else f"last {row['last_received_at'] or 'never'}"
        # A name enrolled before names were checked may hold escape sequences: never sent raw to a terminal.
        click.echo(f"{row['id']}  {row['key_id']}  {printable(row['name'])}  ({state})")


def _when(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


# --- USB sticks: the district's half of the sneakernet (federation/aggregator/usb.py) --------------------

PROGRESS_FROM = 20  # files: below this an import is over before a bar would help


@aggregator.command("import")
@click.option("--from", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder of the USB stick (for example /media/usb).")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: folder, ok, counts per verdict and one entry per file.")
def import_stick(folder, as_json):
    """Verify and take in every file on a USB stick: hubs' bundles and enrolment requests.

    Each file gets a verdict: stored, duplicate (held already: reading a stick twice is harmless),
    enrolled, refused (with the reason; nothing of it is stored) or ignored (not for the district).
    Exit status 1 when any file was refused. The stick is only read: nothing on it is changed.
    """
    from federation import usb
    from federation.aggregator import db
    from federation.aggregator import usb as district_usb

    app = cli_app()
    with app.app_context(), db.database.connection_context():
        try:
            items = usb.read_folder(folder)
        except usb.UsbError as exc:
            raise click.ClickException(str(exc)) from None
        with click.progressbar(items, label=f"Importing {len(items)} files", file=sys.stderr,
                               hidden=as_json or len(items) < PROGRESS_FROM) as bar:
            outcomes = [district_usb.import_item(item) for item in bar]
    counts = {verdict: sum(1 for o in outcomes if o.verdict == verdict) for verdict in district_usb.VERDICTS}
    ok = not any(outcome.refused for outcome in outcomes)
    if as_json:
        click.echo(json.dumps({"folder": str(folder), "ok": ok, "counts": counts,
                               "files": [{"name": o.name, "kind": o.kind, "verdict": o.verdict,
                                          "detail": o.detail, "hub_id": o.hub_id} for o in outcomes]},
                              indent=2))
    else:
        if not outcomes:
            click.echo(f"{folder} holds no files.")
        for outcome in outcomes:
            click.echo(f"{outcome.name}: {outcome.verdict}" + (f" ({outcome.detail})" if outcome.detail else ""))
        click.echo("Total: " + ", ".join(f"{count} {verdict}" for verdict, count in counts.items()))
        if counts[district_usb.STORED] or counts[district_usb.DUPLICATE] or counts[district_usb.ENROLLED]:
            click.echo(f"Next: `communityhub aggregator export-acks --to {folder}`, then take the stick back "
                       "to the hubs.")
    if not ok:
        sys.exit(1)


@aggregator.command("export-acks")
@click.option("--to", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder of the USB stick the hubs' files came on.")
@click.option("--hub", "hub_ids", multiple=True, metavar="HUB_ID",
              help="Write for this hub (repeatable) instead of for the hubs whose files are on the stick.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: folder and the files written.")
def export_acks(folder, hub_ids, as_json):
    """Write the signed acknowledgements (receipts) and enrolment replies for the hubs on a USB stick.

    Every file is written to a temporary name, synced and renamed, so a stick pulled out too early holds
    no half file that looks whole. On each hub, `communityhub import --from DIR` then marks the bundles
    delivered and pins the district's key.
    """
    from federation import usb
    from federation.aggregator import db
    from federation.aggregator import usb as district_usb

    app = cli_app()
    with app.app_context(), db.database.connection_context():
        try:
            written = district_usb.export_acks(folder, hub_ids=list(hub_ids) or None)
        except usb.UsbError as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps({"folder": str(folder), "written": [path.name for path in written]}, indent=2))
        return
    if not written:
        click.echo("Nothing to write: no enrolled hub has bundles or an enrolment request on this stick.")
    for path in written:
        what = "enrolment reply" if path.name.endswith(".enrolment-reply.json") else "receipt"
        click.echo(f"Wrote {path.name} ({what})")



def _add_dhis2_commands():
    """`aggregator export` and `aggregator dhis2 ...` live in dhis2_cli (one file per job)."""
    from federation.aggregator.dhis2_cli import dhis2, export

    aggregator.add_command(export)
    aggregator.add_command(dhis2)


_add_dhis2_commands()
