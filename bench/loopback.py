"""HTTP to the servers under test on 127.0.0.1 only: no function here takes a host, so none can go elsewhere."""

import http.client
import socket
from dataclasses import dataclass
from http.cookies import SimpleCookie

HOST = "127.0.0.1"
# What a request to a server that is starting, overloaded or gone may raise.
ERRORS = (OSError, http.client.HTTPException)


@dataclass
class Reply:
    """One response, read in full."""

    status: int
    reason: str
    headers: list  # (name, value) pairs in order, repeated names kept
    body: bytes

    def header(self, name, default=""):
        """The first value of header name (any case), or default."""
        return next((value for key, value in self.headers if key.lower() == name.lower()), default)

    def cookies(self):
        """{name: value} of the cookies this response sets."""
        jar = SimpleCookie()
        for key, value in self.headers:
            if key.lower() == "set-cookie":
                jar.load(value)
        return {name: morsel.value for name, morsel in jar.items()}

    @property
    def header_bytes(self):
        """Bytes of the status line and headers, rebuilt from the parsed lines (CRLF endings, blank line)."""
        lines = [f"HTTP/1.1 {self.status} {self.reason}"] + [f"{key}: {value}" for key, value in self.headers]
        return sum(len(line.encode("latin-1")) + 2 for line in lines) + 2


def cookie_header(cookies):
    """A Cookie request header value from {name: value}."""
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def connect(port, timeout=10.0):
    """An open keep-alive connection to the server on port."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    connection.connect()
    return connection


def request(connection, method, path, headers=None, body=None):
    """Send one request on an open connection and read the whole response."""
    # Only paths: an absolute URL here would be a request to some other host.
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"not a path on the server under test: {path!r}")
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    return Reply(response.status, response.reason, response.getheaders(), body)


def get(port, path, headers=None, timeout=10.0):
    """GET path on a connection of its own."""
    connection = connect(port, timeout)
    try:
        return request(connection, "GET", path, headers)
    finally:
        connection.close()
