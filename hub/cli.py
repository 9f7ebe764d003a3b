"""The `communityhub` command: one click group; each command calls the hub's functions and holds no logic."""

import contextlib
import json
import sys
from pathlib import Path

import click

from hub import __version__, clock, settings


def _data_dir():
    return settings.data_dir_from_env()


def _app():
    """The hub app for the data folder; a start-up problem is one line and exit status 1, not a traceback."""
    from hub.app import create_app

    with _start_up_errors():
        return create_app({"DATA_DIR": str(_data_dir())})


@contextlib.contextmanager
def _start_up_errors():
    """Turn what stops the hub from starting into one clear line (click prints it and exits with 1)."""
    from hub.storage import StartRefused

    try:
        yield
    except (StartRefused, settings.SettingsError) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise click.ClickException(f"cannot use the data folder{where}: {exc.strerror or exc}. "
                                   "Check that the hub's user owns it and that the disk is not read-only or "
                                   "full (`communityhub doctor`).") from None


class HubCommands(click.Group):
    """The command group; the district aggregator's commands load when one of them is asked for, so a
    serving hub never holds them in memory."""

    LAZY = {"aggregator": ("federation.aggregator.cli", "aggregator")}

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx, name):
        if name in self.LAZY and name not in self.commands:
            import importlib

            module, attribute = self.LAZY[name]
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)


@click.group(cls=HubCommands)
@click.version_option(__version__, prog_name="communityhub")
def main():
    """Community Hub: the village hub for community-based child protection.

    The data folder is COMMUNITYHUB_DATA_DIR (default ./instance).
    """


@main.command()
def init():
    """Create or upgrade the data folder: key, settings file, database and migrations; the village CA and the
    HTTPS certificate."""
    from hub import instance
    from hub.phone.cli import make_certificates

    data_dir = _data_dir()
    with _start_up_errors():
        prepared = instance.prepare(data_dir)
    if not prepared.database_ok:
        raise click.ClickException(f"the database failed its check: {prepared.database_message}. "
                                   "Run `communityhub doctor`.")
    from federation import signing

    identity = signing.load_or_create(data_dir, signing.HUB)  # the key its summaries are signed with
    click.echo(f"Data folder: {data_dir}")
    click.echo("Created a new hub." if prepared.created else "The hub was already initialised.")
    click.echo(f"Hub id {identity.id}, key {identity.key_id}")
    for migration in prepared.migrations_applied:
        click.echo(f"Applied migration {migration.number:04d} {migration.name}")
    _echo_setup_code(data_dir)
    make_certificates(data_dir)
    click.echo("Next: `communityhub run`, then open the hub in a browser.")


def _echo_setup_code(data_dir):
    """Print the one-time set-up code while the hub has no coordinator."""
    from hub import db, instance
    from hub.auth.service import coordinator_exists

    with db.database.connection_context():
        if not coordinator_exists():
            click.echo(f"Set-up code (enter it at /setup): {instance.setup_code(data_dir)}")


@main.command()
@click.option("--host", help="Address to listen on (setting HOST, default 0.0.0.0).")
@click.option("--port", type=int, help="Port to listen on (setting PORT, default 8080).")
@click.option("--https-port", type=int, help="Port of the HTTPS listener, 0 for none (setting HTTPS_PORT, "
              "default 8443); served only once the hub has a certificate (`communityhub tls init`).")
def run(host, port, https_port):
    """Serve the hub with waitress (plain http) and cheroot (https), in one process with several threads."""
    app = _app()
    from hub.serve import serve

    serve(app, host or app.config["HOST"], port or app.config["PORT"], discover=True, https_port=https_port)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8080, show_default=True, help="Port to listen on.")
@click.option("--https-port", type=int, help="Port of the HTTPS listener, 0 for none (setting HTTPS_PORT).")
def demo(host, port, https_port):
    """Build a demo village if the data folder has none, print its logins, and serve it."""
    from hub import demo as demo_data
    from hub.village.service import get_village

    app = _app()
    with app.app_context():
        if get_village() is None:
            click.echo("Building a demo village...")
            demo_data.seed(_data_dir())
    click.echo(f"Data folder: {_data_dir()} (delete it to start again with a new village)")
    click.echo("Demo logins (username, password or PIN):")
    click.echo(demo_data.saved_logins(_data_dir()) or "  none: this hub was not built by the demo")
    click.echo("`member` and `officer` are the mothers' group's treasurer and second officer: a loan needs "
               "both their keys.")
    if https_port != 0:
        from hub.phone.cli import make_certificates

        make_certificates(_data_dir())
    from hub.serve import serve

    serve(app, host, port, https_port=https_port)


@main.command("seed-demo")
@click.option("--children", type=click.IntRange(1, 100000), default=120, show_default=True,
              help="Children in the village's register.")
@click.option("--years", type=click.IntRange(1, 20), default=1, show_default=True,
              help="Years of history (sessions, meetings, registers).")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same village.")
def seed_demo(children, years, seed):
    """Fill an empty hub with a realistic synthetic village and print its logins."""
    from hub import demo as demo_data
    from hub.village.service import get_village

    app = _app()
    with app.app_context():
        if get_village() is not None:
            raise click.ClickException("this hub already has a village; seed-demo fills empty hubs only")
        with click.progressbar(length=len(demo_data.STEPS), label="Building the village") as bar:
            logins = demo_data.seed(_data_dir(), children, years, seed, progress=lambda _: bar.update(1))
    click.echo("Demo logins (username, password or PIN):")
    click.echo(demo_data.format_logins(logins), nl=False)


@main.group()
def user():
    """Manage accounts from the command line (the recovery path)."""


@user.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["coordinator", "case_worker", "facilitator", "member"]),
              help="What the account may do.")
@click.option("--name", "display_name", help="Name shown in the hub (default: the username).")
@click.option("--language", type=click.Choice(list(settings.VALID_LANGUAGES)), default=None,
              help="Language of the account's pages.")
def user_add(username, role, display_name, language):
    """Create an account. The password or 6-digit PIN is read from standard input."""
    from hub.auth.service import AccountError, create_user

    if sys.stdin.isatty():
        secret = click.prompt("Password or PIN", hide_input=True, confirmation_prompt=True)
    else:
        secret = sys.stdin.readline().rstrip("\r\n")
    app = _app()
    with app.app_context():
        try:
            account = create_user(username, role, secret, display_name=display_name, language=language or "")
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Created {account.role} account {account.username!r}; they must choose a new secret "
               "at first sign-in.")


@user.command("unlock")
@click.argument("username")
def user_unlock(username):
    """Let an account sign in again from every phone, after failed attempts locked it (the running hub
    reads this at the next attempt; no restart needed)."""
    from hub.auth.service import AccountError, request_unlock

    app = _app()
    with app.app_context():
        try:
            account = request_unlock(username, app.config["DATA_DIR"])
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Unlocked sign-in for {account.username!r} on every device.")


@main.command()
@click.option("--to", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the backup to (a USB stick, say); created if missing.")
@click.option("--keep", type=click.IntRange(1, 1000), default=7, show_default=True,
              help="How many backups to keep in the folder; older ones are deleted.")
def backup(folder, keep):
    """Copy the database, while the hub runs, to a checked backup named with the date and a sequence."""
    from hub import backup as backups
    from hub.instance import database_path, look_for_a_lost_log

    database_file = database_path(_data_dir())
    if not database_file.is_file():
        raise click.ClickException(f"no database at {database_file}: is COMMUNITYHUB_DATA_DIR right?")
    look_for_a_lost_log(_data_dir())
    try:
        made = backups.make_backup(database_file, folder, clock.now(), keep=keep)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up to {made} (integrity check: ok).")


@main.command()
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(backup_file, yes):
    """Replace the hub's database with BACKUP_FILE, after checking it; the current one is kept aside.

    Stop the hub first (systemctl stop communityhub).
    """
    from hub import backup as backups
    from hub import instance, storage

    data_dir = _data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        with instance.serving(data_dir):  # nobody serves this folder while its database is swapped
            number = backups.check_backup(backup_file)
            if not yes:
                click.confirm(f"Replace the database of {data_dir} with {backup_file}?", abort=True)
            aside = backups.restore_backup(backup_file, instance.database_path(data_dir), clock.now())
            storage.forget_stop(data_dir)  # the restored database starts clean
            epoch = _new_federation_epoch(data_dir)
    except instance.AlreadyServing as exc:
        raise click.ClickException(f"{exc}: stop the hub first (systemctl stop communityhub).") from None
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {backup_file} (schema {number}).")
    if epoch:
        click.echo(f"New federation epoch {epoch}: summaries from now on never reuse a sent number.")
    click.echo(f"The database it replaced is kept as {aside}." if aside else "There was no database before.")
    click.echo("Start the hub again: it applies any newer migrations at start.")


def _new_federation_epoch(data_dir):
    """A restored hub starts a new epoch, so it never sends a sequence number again with other content."""
    from hub import db, instance
    from hub.sharing.service import renew_epoch_after_restore

    db.init(instance.database_path(data_dir))
    with db.database.connection_context():
        return renew_epoch_after_restore()


@main.group()
def provision():
    """The Raspberry Pi's configuration files."""


@provision.command("render")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the files to, laid out as under / on the Pi.")
def provision_render(out_dir):
    """Render the systemd units, Wi-Fi access point, captive portal DNS and backup timer from the settings."""
    from hub import provision as provisioning
    from hub.village.service import get_village

    data_dir = _data_dir()
    if not data_dir.is_dir():
        raise click.ClickException(f"no data folder at {data_dir}: run `communityhub init` first")
    app = _app()
    with app.app_context():
        village = get_village()
    try:
        plan = provisioning.plan_for(app.config, village.name if village else "", data_dir)
        written = provisioning.render(plan, out_dir)
    except provisioning.ProvisionError as exc:
        raise click.ClickException(str(exc)) from None
    for path in written:
        click.echo(f"wrote {out_dir / path}")
    click.echo(f"Wi-Fi: {plan.ssid!r}, " + ("open (no passphrase)" if not plan.passphrase
                                           else f"WPA2, passphrase in {data_dir / provisioning.WIFI_PASSPHRASE_FILE}"))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def doctor(as_json):
    """Check the data folder, database integrity, disk space and clock; say how to fix what is wrong."""
    from hub.doctor import run_checks

    data_dir = _data_dir()
    values = settings.load(data_dir) if data_dir.is_dir() else {"MIN_FREE_DISK_MB": 200}
    findings = run_checks(data_dir, values["MIN_FREE_DISK_MB"], clock.now())
    if as_json:
        click.echo(json.dumps({"ok": all(f.ok for f in findings),
                               "checks": [f.__dict__ for f in findings]}, sort_keys=True))
    else:
        for finding in findings:
            click.echo(f"[{'ok' if finding.ok else 'PROBLEM'}] {finding.check}: {finding.detail}")
            if finding.fix:
                click.echo(f"        fix: {finding.fix}")
    if not all(finding.ok for finding in findings):
        sys.exit(1)


def _add_sharing_commands():
    from hub.sharing.cli import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_add_sharing_commands()


def _add_phone_commands():
    from hub.phone.cli import tls_group

    main.add_command(tls_group)


_add_phone_commands()

