"""systemd's notify protocol: a real `communityhub run` talks to a real datagram socket, as under systemd."""

import signal
import socket
import subprocess

import pytest

from hub import sdnotify
from tests.server import LOOPBACK, default_executable, fetch, free_port, hub_environment, run_command

WAIT = 30.0
PROBES = 3


@pytest.fixture
def notify_socket(tmp_path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.settimeout(WAIT)
    yield sock
    sock.close()


def messages_until(sock, wanted, limit=200):
    """Datagrams received until one equals wanted (bounded in count and by the socket's timeout)."""
    seen = []
    for _ in range(limit):
        seen.append(sock.recv(4096).decode())
        if seen[-1] == wanted:
            return seen
    raise AssertionError(f"{wanted} not among {seen}")


def test_notify__outside_systemd_does_nothing():
    assert sdnotify.notify("READY=1", environ={}) is False
    assert sdnotify.watchdog_interval({}) is None
    assert sdnotify.watchdog_interval({"WATCHDOG_USEC": "nonsense"}) is None
    assert sdnotify.watchdog_interval({"WATCHDOG_USEC": "120000000"}) == 40.0


def test_run__ready_then_watchdog_pings_then_stopping(tmp_path, notify_socket):
    data_dir = tmp_path / "instance"
    run_command(["init"], data_dir)
    port = free_port()
    env = hub_environment(data_dir)
    env.update(NOTIFY_SOCKET=str(tmp_path / "notify"), WATCHDOG_USEC="300000")  # a ping every 0.1 s
    process = subprocess.Popen([default_executable(), "run", "--host", LOOPBACK, "--port", str(port)], env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert messages_until(notify_socket, "READY=1")[-1] == "READY=1"
        assert fetch(f"http://{LOOPBACK}:{port}/healthz")[0] == 200  # ready means it answers
        pings = messages_until(notify_socket, "WATCHDOG=1")
        assert "STOPPING=1" not in pings
        assert messages_until(notify_socket, "WATCHDOG=1")[-1] == "WATCHDOG=1"  # and keeps pinging
        process.send_signal(signal.SIGTERM)
        assert messages_until(notify_socket, "STOPPING=1")[-1] == "STOPPING=1"
        output, errors = process.communicate(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, errors


def test_pinger__silent_while_nothing_answers(tmp_path, notify_socket, monkeypatch):
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify"))
    # A port that takes the pinger's probes and hangs up on each without an answer, counting them.
    listener = socket.create_server((LOOPBACK, 0))
    listener.settimeout(WAIT)
    pinger = sdnotify.Pinger(LOOPBACK, listener.getsockname()[1], 0.05).start()
    probes = 0
    try:
        with listener:
            while probes < PROBES:
                connection, _ = listener.accept()
                connection.close()
                probes += 1
    finally:
        pinger.stop()  # any ping it was going to send is sent by now
    assert probes == PROBES
    notify_socket.setblocking(False)
    with pytest.raises(BlockingIOError):  # not one WATCHDOG=1 for all those unanswered probes
        notify_socket.recv(4096)
