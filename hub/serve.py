"""Serving the hub until it is stopped: what `communityhub run` and `communityhub demo` do once the app is
built. The scheduled jobs, discovery, waitress's plain http and cheroot's https beside it, systemd's
notifications, and a clean stop (jobs stopped, sign-ins saved, the write-ahead log checkpointed).
"""

import click

from hub import __version__


def serve(app, host, port, discover=False, https_port=None):
    """Start the scheduled jobs (and with discover, zeroconf on the hub's Wi-Fi address: setting
    DISCOVERY), serve with waitress until Ctrl+C or SIGTERM (and over https beside it: hub.https), then
    stop them.

    Under systemd (Type=notify) it says READY=1 once the socket listens and pings the unit's watchdog
    while the server answers (hub.sdnotify).
    """
    from waitress import create_server

    from hub import db, instance, launch, scheduler, sdnotify, storage
    from hub.serving import sigterm_stops_serving
    from hub.sharing import nearby

    data_dir = app.config["DATA_DIR"]
    if app.config.get("WAL_LOST"):
        click.echo(f"WARNING: {app.config['WAL_LOST']} (see `communityhub doctor`)", err=True)
    if app.config["DATABASE_STATE"] != instance.OK:
        click.echo(f"WARNING: the database is {app.config['DATABASE_STATE']}: {app.config['DATABASE_MESSAGE']}. "
                   "Run `communityhub doctor`.", err=True)
    try:
        with instance.serving(data_dir):
            storage.mark_serving(data_dir)
            started = scheduler.start(app)
            click.echo(f"Scheduled jobs: {', '.join(started.jobs)}")
            found = nearby.start_discovery(app, port) if discover else None
            pinger = secure = None
            try:
                with sigterm_stops_serving():
                    server = create_listener(create_server, app, host, port)
                    secure = start_https(app, host, https_port)
                    click.echo(f"Serving Community Hub {__version__} on http://{host}:{port}/ (Ctrl+C to stop)")
                    sdnotify.notify("READY=1")
                    launch.trim()  # what starting left free in the heap goes back (hub.launch)
                    interval = sdnotify.watchdog_interval()
                    pinger = sdnotify.Pinger(host, port, interval).start() if interval else None
                    server.run()  # returns on Ctrl+C or SIGTERM (waitress closes on SystemExit)
            finally:
                sdnotify.notify("STOPPING=1")
                if pinger:
                    pinger.stop()
                if secure:
                    secure.stop()
                if found:
                    found.stop()
                scheduler.shutdown()
                click.echo("Stopped the scheduled jobs.")
                if "hub_sessions" in app.extensions:
                    app.extensions["hub_sessions"].save()  # how long each sign-in was idle, to the minute
                db.database.close_all()  # the last close checkpoints the write-ahead log
                storage.mark_stopped(data_dir)
    except instance.AlreadyServing as exc:
        raise click.ClickException(f"{exc}: stop it first (one server per data folder).") from None


def start_https(app, host, port):
    """The running HTTPS listener on host:port (setting HTTPS_PORT when None), or None when it is off."""
    from hub import https, tlsfiles

    port = app.config["HTTPS_PORT"] if port is None else port
    if port and not tlsfiles.exists(app.config["DATA_DIR"]):
        click.echo("HTTPS: off, the hub has no certificate yet (`communityhub tls init`)")
        port = 0
    elif not port:
        click.echo("HTTPS: off (HTTPS_PORT is 0)")
    app.config["HTTPS_PORT"] = port  # the phone set-up page links to it, or says phones cannot be set up
    if not port:
        return None
    try:
        listener = https.HttpsListener(app, host, port, app.config["DATA_DIR"], app.config["THREADS"]).start()
    except OSError as exc:
        raise click.ClickException(f"cannot listen for HTTPS on {host}:{port}: {exc.strerror or exc} "
                                   "(another program may use this port: choose another with --https-port)") from None
    app.extensions[https.EXTENSION] = listener
    click.echo(f"Serving HTTPS on https://{host}:{port}/ (phones set up at /phone-setup)")
    return listener


def create_listener(create_server, app, host, port):
    """waitress's server on host:port, or one line saying why it cannot listen there."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:  # before waitress, which leaks what it opened
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
        return create_server(app, host=host, port=port, threads=app.config["THREADS"], ident="communityhub")
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc} "
                                   "(another program may use this port: choose another with --port)") from None
