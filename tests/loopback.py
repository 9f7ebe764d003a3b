"""A WSGI app (the district aggregator, say) served for real on a free loopback port, in a thread."""

import threading
from contextlib import contextmanager

from werkzeug.serving import make_server

from tests.server import LOOPBACK, free_port


@contextmanager
def serving(app, port=None, host=LOOPBACK):
    """Serve app on 127.0.0.1 (or host: an address of a private network namespace, tests/isolation.py);
    yield its base URL; stop the server on exit."""
    port = port or free_port()
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="loopback-server", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def closed_port_url():
    """An address on loopback where nothing listens: connections are refused at once."""
    return f"http://{LOOPBACK}:{free_port()}"
