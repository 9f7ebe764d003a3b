"""The district aggregator found on the hub's network: `communityhub run` advertises the hub and, when the
aggregator this hub pinned appears, delivers its pending bundles at once; the transfer page can also send
to an address typed by hand. Either way the aggregator first proves it holds the pinned key
(federation/proof.py): anyone can copy an advertisement.
"""

import click
from flask_babel import gettext as _

from federation import signing
from federation.errors import Refused
from hub import clock, db
from hub.sharing.transfer import enrolled_key


def start_discovery(app, port):
    """Advertise the hub on its LAN address and deliver to the pinned aggregator when it appears; -> the
    Discovery (its status is shown on /sharing/transfer), or None when the setting DISCOVERY is off."""
    from federation import discovery

    if not app.config["DISCOVERY"]:
        return None
    with app.app_context():
        identity = signing.load_or_create(app.config["DATA_DIR"], signing.HUB)

    def trust(peer):
        with app.app_context(), db.database.connection_context():
            enrolled = enrolled_key()
        return (peer.role == discovery.AGGREGATOR and enrolled is not None and peer.id == enrolled[0]
                and peer.key_id == signing.key_id(enrolled[1]))

    def deliver(peer):
        with app.app_context(), db.database.connection_context():
            return deliver_to(peer.url)

    try:
        found = discovery.Discovery(discovery.HUB, identity.id, identity.key_id, app.config["HUB_ADDRESS"],
                                    port, hostname=app.config["HOSTNAME"], trust=trust, on_trusted=deliver)
    except discovery.DiscoveryError as exc:
        click.echo(f"Discovery is off: {exc}", err=True)
        return None
    app.extensions["hub_discovery"] = found.start()
    return found


def deliver_to(url, now=None):
    """Send the pending bundles to the aggregator found at url, once it has signed a fresh challenge with the
    key this hub pinned (anyone can copy an advertisement); -> a note for the coordinator's page."""
    from federation import outbox, proof, transport
    from federation.errors import Unreachable

    state = outbox.state()
    challenge = proof.new_challenge()
    try:
        status, body = transport.post(url, proof.PROOF_PATH, proof.challenge_body(challenge))
        if status != 200:
            raise Refused(f"HTTP {status}")
        proof.open_proof(body, state.aggregator_key, state.aggregator_id, challenge)
    except Unreachable as exc:
        return _("could not be reached: %(error)s", error=str(exc))
    except Refused:
        return _("it did not prove that it holds the district's key: nothing was sent")
    report = transport.deliver_due(now or clock.now(), url=url)
    return _("%(delivered)d delivered, %(pending)d waiting", delivered=report.delivered,
             pending=report.pending) + (f" ({report.error})" if report.error else "")
