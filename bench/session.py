"""One benchmark run: a seeded throwaway hub, the servers under test, and their certain end.

The servers run on one CPU and the bench's own load clients on the others, so the clients do not
steal the server's core (on a one-CPU machine they have to share it).
"""

import contextlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import loopback, roster_group, savings_group
from bench.servers import BenchError, Server

REPO = Path(__file__).resolve().parent.parent
SEED = ("--children", "300", "--years", "1", "--seed", "7")
COMMAND_TIMEOUT_S = 600
LOGINS_FILE = "demo-logins.txt"


def communityhub():
    """The `communityhub` command of the virtualenv the bench runs in."""
    path = Path(sys.executable).parent / "communityhub"
    if not path.exists():
        raise BenchError(f"{path} is missing: install the project with `pip install -e '.[test]'`")
    return str(path)


def read_logins(path):
    """{username: secret} from a demo-logins file ("username secret" lines)."""
    pairs = (line.split() for line in path.read_text(encoding="utf-8").splitlines())
    return {fields[0]: fields[1] for fields in pairs if len(fields) == 2}


def split_cpus():
    """(the CPU for servers, the CPUs for the bench itself) out of those this process may use."""
    cpus = sorted(os.sched_getaffinity(0))
    return cpus[0], set(cpus[1:]) or {cpus[0]}


class Session:
    """Owns the temporary folder and every server started; leaving the with-block stops them all."""

    def __init__(self, requests, clients, time_cap_s):
        self.requests, self.clients, self.time_cap_s = requests, clients, time_cap_s
        self.server_cpu, self.client_cpus = split_cpus()
        self.root = self.data_dir = None
        self.logins, self.threads, self.loaded = {}, None, False
        self.roster_meeting_id, self.roster_missing = None, ""  # the group of 80's session, or why there is none
        # (cycle id, member id) of the savings group of 30, or why not
        self.savings_ids, self.savings_missing = None, ""
        self._servers, self._failed, self._started = {}, {}, 0
        self._stack = contextlib.ExitStack()

    def __enter__(self):
        self.root = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="communityhub-bench-")))
        self.data_dir = self.root / "data"
        self.data_dir.mkdir()
        os.sched_setaffinity(0, self.client_cpus)
        return self

    def __exit__(self, *exc_info):
        self._stack.close()  # servers first (last registered), then the folder

    def env(self):
        """The servers' environment: ours without COMMUNITYHUB_* settings, plus the throwaway data folder."""
        # A developer's own settings (threads, data folder) would skew the figures or touch their hub.
        env = {key: value for key, value in os.environ.items() if not key.startswith("COMMUNITYHUB_")}
        env["COMMUNITYHUB_DATA_DIR"] = str(self.data_dir)
        return env

    def prepare(self):
        """Initialise and seed the hub's data folder; read its demo logins and its server thread count."""
        for args in (("init",), ("seed-demo", *SEED)):
            done = subprocess.run([communityhub(), *args], env=self.env(), cwd=self.data_dir, capture_output=True,
                                  text=True, timeout=COMMAND_TIMEOUT_S, stdin=subprocess.DEVNULL)
            if done.returncode:
                raise BenchError(f"`communityhub {' '.join(args)}` failed ({done.returncode}):\n"
                                 f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
        self.logins = read_logins(self.data_dir / LOGINS_FILE)
        from hub import settings  # the hub's own reading of its settings, so both servers get the same threads

        self.threads = settings.load(self.data_dir, self.env())["THREADS"]
        self.add_roster_group()
        self.add_savings_group()

    def add_roster_group(self):
        """Add the children's group of 80 and today's session (bench/roster_group.py), before any server starts."""
        done = subprocess.run([sys.executable, "-m", "bench.roster_group"], check=False, env=self.env(), cwd=REPO,
                              capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S,
                              stdin=subprocess.DEVNULL)
        if done.returncode == roster_group.MISSING:
            self.roster_missing = (done.stderr.strip().splitlines() or ["the hub lacks what it needs"])[-1]
            return
        found = re.findall(r"^meeting_id=(\d+)$", done.stdout, re.MULTILINE)
        if done.returncode or not found:
            raise BenchError(f"`python -m bench.roster_group` failed ({done.returncode}):\n"
                             f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
        self.roster_meeting_id = int(found[-1])

    def add_savings_group(self):
        """Add the savings group of 30 with three years of meetings (bench/savings_group.py), before any server."""
        done = subprocess.run([sys.executable, "-m", "bench.savings_group"], check=False, env=self.env(), cwd=REPO,
                              capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S,
                              stdin=subprocess.DEVNULL)
        if done.returncode == savings_group.MISSING:
            self.savings_missing = (done.stderr.strip().splitlines() or ["the hub lacks what it needs"])[-1]
            return
        found = re.findall(r"^cycle_id=(\d+) member_id=(\d+)$", done.stdout, re.MULTILINE)
        if done.returncode or not found:
            raise BenchError(f"`python -m bench.savings_group` failed ({done.returncode}):\n"
                             f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
        self.savings_ids = tuple(int(number) for number in found[-1])

    def argv(self, kind, port):
        """The command line that serves kind ("hub" or "hello") on port."""
        if kind == "hub":
            return [communityhub(), "run", "--host", loopback.HOST, "--port", str(port)]
        if kind == "hello":
            return [sys.executable, "-m", "bench.hello", "--port", str(port), "--threads", str(self.threads)]
        raise ValueError(kind)

    def start(self, kind):
        """Start a fresh server of kind and wait until it answers; it is stopped when the session ends."""
        self._started += 1
        port = loopback.free_port()
        # The hub runs in its data folder (nothing lands in the repository); hello needs the repository on its path.
        cwd = self.data_dir if kind == "hub" else REPO
        server = Server(kind, self.argv(kind, port), port, self.env(), cwd,
                        self.root / f"{kind}-{self._started}.log", self.server_cpu)
        self._stack.callback(server.stop)
        return server.start()

    def server(self, kind):
        """The long-lived server of kind, started on first use (a server that failed to start is not retried)."""
        if kind in self._failed:
            raise self._failed[kind]
        if kind not in self._servers or not self._servers[kind].alive():
            try:
                self._servers[kind] = self.start(kind)
            except BenchError as error:
                self._failed[kind] = error
                raise
        return self._servers[kind]
