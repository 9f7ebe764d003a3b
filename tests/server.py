"""A real hub for tests that need one: `communityhub` commands run as subprocesses, and `communityhub run`
serving on a free loopback port.

The browser tests and the package test drive this server the way a phone or an operator would, over HTTP.
"""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import closing, contextmanager
from pathlib import Path

LOOPBACK = "127.0.0.1"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")

# Tests talk to loopback only: never through a proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class HubProcessError(RuntimeError):
    """A hub command failed, or the server did not start and answer /healthz with 200 in time."""


def free_port():
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def default_executable():
    """The `communityhub` script installed beside the running Python (the project's virtualenv)."""
    return str(Path(sys.executable).parent / "communityhub")


def hub_environment(data_dir, base=None):
    """A copy of the environment for a hub command on data_dir, with no proxy and no stray PYTHONPATH."""
    env = dict(os.environ if base is None else base)
    for name in PROXY_VARIABLES + ("PYTHONPATH",):
        env.pop(name, None)
    env["NO_PROXY"] = env["no_proxy"] = f"{LOOPBACK},localhost,::1"
    env["COMMUNITYHUB_DATA_DIR"] = str(data_dir)
    # Never zeroconf from a test's hub onto a real interface (the discovery tests make their own namespace).
    env.setdefault("COMMUNITYHUB_DISCOVERY", "0")
    # No HTTPS listener on the fixed default port unless a test asks for one (tests/test_https.py): several
    # test hubs run at once.
    env.setdefault("COMMUNITYHUB_HTTPS_PORT", "0")
    return env


def fetch(url, headers=None, timeout=5.0):
    """GET url -> (status, headers, body bytes); HTTP errors are returned, not raised."""
    try:
        with _opener.open(urllib.request.Request(url, headers=headers or {}), timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def run_command(args, data_dir, executable=None, cwd=None, timeout=120, typed=None):
    """Run `communityhub ARGS` on data_dir (typed: what is typed at its prompts) and return its standard output;
    fail loudly with its output."""
    command = [executable or default_executable(), *args]
    stdin = {"stdin": subprocess.DEVNULL} if typed is None else {"input": typed}
    result = subprocess.run(command, cwd=cwd, env=hub_environment(data_dir), capture_output=True, text=True,
                            timeout=timeout, **stdin)
    if result.returncode != 0:
        raise HubProcessError(f"`{' '.join(command)}` exited with status {result.returncode}\n"
                          f"--- stderr ---\n{result.stderr}\n--- stdout ---\n{result.stdout}")
    return result.stdout


def add_user(data_dir, username, role, secret):
    """`communityhub user add` on data_dir, the secret typed at its prompt."""
    run_command(["user", "add", username, "--role", role], data_dir, typed=secret + "\n", timeout=60)


def stored_village(data_dir):
    """(village name, ((label, number), ...)) as `seed-demo` stored them; read before the server starts."""
    with closing(sqlite3.connect(Path(data_dir) / "hub.sqlite3")) as connection:
        (name,) = connection.execute("SELECT name FROM village WHERE id = 1").fetchone()
        numbers = tuple(connection.execute("SELECT label, number FROM emergency_number "
                                           "ORDER BY position, id").fetchall())
    return name, numbers


@contextmanager
def running_hub(data_dir, executable=None, cwd=None, env=None, timeout=START_TIMEOUT):
    """Run `communityhub run` on data_dir; yield its base URL ("http://127.0.0.1:PORT") once /healthz is 200.

    The server is always stopped on exit. If it exits early or /healthz is not 200 within `timeout`
    seconds, HubProcessError says why and carries the server's output.
    """
    port = free_port()
    base_url = f"http://{LOOPBACK}:{port}"
    command = [executable or default_executable(), "run", "--host", LOOPBACK, "--port", str(port)]
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, cwd=cwd, env=hub_environment(data_dir, env),
                                   stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr)
        try:
            _wait_until_healthy(process, base_url, timeout, stdout, stderr)
            yield base_url
        finally:
            _stop(process)


def _wait_until_healthy(process, base_url, timeout, stdout, stderr):
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise HubProcessError(f"`{' '.join(process.args)}` exited with status {process.returncode} "
                              f"before /healthz answered.\n{_output(stdout, stderr)}")
        try:
            status, _, body = fetch(base_url + "/healthz", timeout=2.0)
        except OSError as exc:  # not listening yet
            last = f"{type(exc).__name__}: {exc}"
        else:
            if status == 200:
                return
            last = f"HTTP {status}: {_short(body)}"
        time.sleep(0.1)
    raise HubProcessError(f"{base_url}/healthz did not answer 200 within {timeout:.0f} s (last: {last}).\n"
                      f"{_output(stdout, stderr)}")


def _stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _output(stdout, stderr):
    parts = []
    for name, stream in (("stderr", stderr), ("stdout", stdout)):
        stream.seek(0)
        text = stream.read().decode("utf-8", "replace").strip()
        parts.append(f"--- server {name} ---\n{text or '(empty)'}")
    return "\n".join(parts)


def _short(body, limit=300):
    try:
        return json.dumps(json.loads(body))[:limit]
    except ValueError:
        return body[:limit].decode("utf-8", "replace")
