"""The `communityhub tls` commands (registered in hub/cli.py): the village CA that phones install and the
hub's HTTPS certificate (hub.tls, docs/https.md); `init` and `demo` make them too, through make_certificates.
"""

import click

from hub import clock, settings


def make_certificates(data_dir, new_authority=False, renew=False):
    """Make the village CA and the HTTPS certificate where missing or due (hub.tls), and say what was done."""
    from hub import tls

    now = clock.now()
    if not clock.is_plausible(now):
        raise click.ClickException(f"the hub believes it is {now:%Y-%m-%d %H:%M}: set the clock before making "
                                   "certificates (phones would refuse them)")
    try:
        made = tls.ensure(data_dir, tls.names_for(settings.load(data_dir)), now, new_authority, renew)
    except tls.TlsError as exc:
        raise click.ClickException(str(exc)) from None
    found = tls.status(data_dir, now)
    if made.authority:
        click.echo("Made a new village CA: install it on each phone (/phone-setup).")
    if made.certificate:
        click.echo(f"Made the HTTPS certificate ({made.reason}).")
    click.echo(f"HTTPS certificate for {found.certificate_names}, until {found.certificate_ends:%Y-%m-%d}; "
               f"village CA fingerprint (SHA-256) {found.fingerprint}")
    return made


@click.group("tls")
def tls_group():
    """The village certificate authority and the hub's HTTPS certificate (docs/https.md)."""


@tls_group.command("init")
@click.option("--new-ca", is_flag=True, help="Replace the village CA: every phone must then install the new one.")
def tls_init(new_ca):
    """Make the village CA and the HTTPS certificate where missing, or renew the certificate when due."""
    data_dir = settings.data_dir_from_env()
    if not data_dir.is_dir():
        raise click.ClickException(f"no data folder at {data_dir}: run `communityhub init` first")
    made = make_certificates(data_dir, new_authority=new_ca)
    if made.certificate:
        click.echo("Restart the hub to serve it, or wait for its daily `tls.renew` job.")


@tls_group.command("renew")
def tls_renew():
    """Make a new HTTPS certificate now (the hub renews it by itself a month before it ends)."""
    data_dir = settings.data_dir_from_env()
    if not data_dir.is_dir():
        raise click.ClickException(f"no data folder at {data_dir}: run `communityhub init` first")
    make_certificates(data_dir, renew=True)
    click.echo("A running hub serves it from its next daily `tls.renew` job, or at once after a restart.")
