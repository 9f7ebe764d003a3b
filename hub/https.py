"""The HTTPS listener: the same Flask app, in the same process, served over TLS beside waitress's plain http.

waitress has no TLS, so the https side is cheroot (CherryPy's pure-Python WSGI server) with its builtin
`ssl` adapter, serving from its own thread while waitress serves plain http on the main thread: one process,
one database lock, one scheduler (DECISIONS: one server process). cheroot gives the app the peer's address
as REMOTE_ADDR, so the sign-in throttle and the concern-reference limit count per phone on both sides.

The server certificate comes from hub.tls (its files from hub.tlsfiles, which needs no cryptography: the
serving process starts without X.509, about 9 MB); the daily `tls.renew` job renews it before it ends and
loads the new one into the live TLS context, so connections made after that use it without a restart. On the
days nothing is due (all but about one a year) the job reads the certificate with the standard library only.
"""

import logging
import ssl
import threading

from hub import clock, tlsfiles
from hub.jobs import JobProblem, UntrustedClock

log = logging.getLogger(__name__)
EXTENSION = "hub_https"  # app.extensions key of the running listener, for the renewal job


class HttpsListener:
    """cheroot serving app over TLS on host:port with data_dir's certificate; start() binds, stop() ends."""

    def __init__(self, app, host, port, data_dir, threads):
        from cheroot import wsgi
        from cheroot.ssl.builtin import BuiltinSSLAdapter

        self.files = tlsfiles.files(data_dir)
        self.server = wsgi.Server((host, port), app, numthreads=threads, server_name="communityhub")
        # cheroot reads its own certificate once through a loopback handshake whose client trusts the chain
        # given here, or else the system's whole CA store (about 0.5 MB kept for as long as the hub runs).
        chain = str(self.files.ca_cert) if self.files.ca_cert.is_file() else None
        adapter = BuiltinSSLAdapter(str(self.files.cert), str(self.files.key), certificate_chain=chain)
        adapter.context = _context(self.files)
        self.server.ssl_adapter = adapter
        self.server.error_log = _error_log
        self.loaded = self.files.cert.read_bytes()
        self.thread = None

    def start(self):
        """Bind the socket (OSError when the port is taken) and serve from a thread."""
        self.server.prepare()
        self.thread = threading.Thread(target=self.server.serve, name="communityhub-https", daemon=True)
        self.thread.start()
        return self

    def reload(self):
        """Use the certificate now on disk for new connections; True when it differed from the one loaded."""
        current = self.files.cert.read_bytes()
        if current == self.loaded:
            return False
        # A new context, swapped in whole: a handshake under way keeps the old one, the next gets the new.
        self.server.ssl_adapter.context = _context(self.files)
        self.loaded = current
        log.info("loaded the renewed HTTPS certificate")
        return True

    def stop(self):
        """Stop accepting, finish the requests under way, join the thread."""
        self.server.stop()
        if self.thread is not None:
            self.thread.join(timeout=30)


def _context(files):
    """A server TLS context with the certificate and key now on disk."""
    context = ssl.create_default_context(purpose=ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # every Android browser since 5.0 has 1.2
    context.load_cert_chain(str(files.cert), str(files.key))
    return context


def _error_log(msg="", level=logging.INFO, traceback=False):
    # cheroot writes to standard error; the journal keeps the hub's log instead, and a phone that has not
    # installed the village CA (a dropped handshake, logged at INFO) is no error of the hub's.
    log.log(level, "%s", msg, exc_info=traceback)


def renew(app, now):
    """Job: renew the server certificate when due (or when the hub's names changed) and load it; -> what
    was done. Nothing while the hub has no certificate: making a village CA is the operator's decision."""
    data_dir = app.config["DATA_DIR"]
    if not tlsfiles.exists(data_dir):
        return "no certificate (HTTPS is off)"
    if not clock.is_plausible(now):
        raise UntrustedClock(f"the hub believes it is {now:%Y-%m-%d}: no certificate is made on that date")
    try:
        names = tlsfiles.names_for(app.config)
        if tlsfiles.current(data_dir, names, now):
            made = None  # the usual day: read with the standard library, X.509 stays out of the serving process
        else:
            from hub import tls  # cryptography's X.509 (about 9 MB, kept once loaded): only when a change is due

            made = tls.ensure(data_dir, names, now)
    except tlsfiles.TlsError as exc:  # the settings name the hub beyond what its CA may vouch for: doctor says so
        raise JobProblem(str(exc)) from None
    listener = app.extensions.get(EXTENSION)
    reloaded = listener.reload() if listener is not None else False  # `communityhub tls renew` may have run
    done = f"renewed: {made.reason}" if made and made.certificate else "not due"
    return done + ("; serving the certificate now on disk" if reloaded else "")
