"""One benchmark run: a seeded throwaway hub, the servers under test, and their certain end.

The servers run on one CPU and the bench's own load clients on the others, so the clients do not
steal the server's core (on a one-CPU machine they have to share it).
"""

import contextlib
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench import loopback, roster_group, savings_group
from bench.servers import BenchError, Server

REPO = Path(__file__).resolve().parent.parent
SEED = ("--children", "300", "--years", "1", "--seed", "7")
BIG_VILLAGE = ("--children", "2000", "--years", "5", "--seed", "7")  # issue 23: seeded on every run, timed
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


@dataclass
class BigVillage:
    """The big village's data folder, how long seeding it took, and its biggest children's group."""

    data_dir: Path
    cpu_s: float | None = None   # user + system time of `seed-demo`
    wall_s: float | None = None
    missing: str = ""            # why there is no big village, if there is none
    group_id: int | None = None
    members: int = 0
    meeting_id: int | None = None  # the group's session planned today
    logins: dict | None = None


def query(data_dir, sql, *params):
    """Rows from a hub's database, read-only (the bench finds the ids of what it measures this way)."""
    connection = sqlite3.connect(f"file:{Path(data_dir) / 'hub.sqlite3'}?mode=ro", uri=True)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


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
        self.ids = {}  # ids of the pages measured: the group of 80, a case
        self.big = None
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

    @contextlib.contextmanager
    def every_cpu(self):
        """The bench's process on every CPU it may use while inside, then back on the clients' CPUs: for a measure
        that runs its servers itself, which inherit its CPUs (the aggregator's database cluster)."""
        os.sched_setaffinity(0, {self.server_cpu} | self.client_cpus)
        try:
            yield
        finally:
            os.sched_setaffinity(0, self.client_cpus)

    def env(self, data_dir=None):
        """The servers' environment: ours without COMMUNITYHUB_* settings, plus the throwaway data folder."""
        # A developer's own settings (threads, data folder) would skew the figures or touch their hub.
        env = {key: value for key, value in os.environ.items() if not key.startswith("COMMUNITYHUB_")}
        env["COMMUNITYHUB_DATA_DIR"] = str(data_dir or self.data_dir)
        return env

    def run(self, args, data_dir=None):
        """Run `communityhub args` on a data folder; BenchError when it fails."""
        data_dir = data_dir or self.data_dir
        done = subprocess.run([communityhub(), *args], env=self.env(data_dir), cwd=data_dir, capture_output=True,
                              text=True, timeout=COMMAND_TIMEOUT_S, stdin=subprocess.DEVNULL)
        if done.returncode:
            raise BenchError(f"`communityhub {' '.join(args)}` failed ({done.returncode}):\n"
                             f"{done.stdout[-2000:]}{done.stderr[-2000:]}")

    def prepare(self):
        """Initialise and seed the hub's data folder; read its demo logins and its server thread count."""
        for args in (("init",), ("seed-demo", *SEED)):
            self.run(args)
        self.logins = read_logins(self.data_dir / LOGINS_FILE)
        from hub import settings  # the hub's own reading of its settings, so both servers get the same threads

        self.threads = settings.load(self.data_dir, self.env())["THREADS"]
        self.add_roster_group()
        self.add_savings_group()
        if self.roster_meeting_id:
            self.ids["group_of_80"] = query(self.data_dir, "SELECT group_id FROM meeting WHERE id = ?",
                                            self.roster_meeting_id)[0][0]
        self.ids["case"] = next(iter(query(self.data_dir, "SELECT id FROM case_file ORDER BY id LIMIT 1")), [None])[0]
        self.seed_big_village()

    def seed_big_village(self):
        """Seed the big village (BIG_VILLAGE) in a folder of its own, timed; find its biggest children's group."""
        self.big = BigVillage(self.root / "big")
        self.big.data_dir.mkdir()
        self.run(("init",), self.big.data_dir)
        before, began = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        try:
            self.run(("seed-demo", *BIG_VILLAGE), self.big.data_dir)
        except BenchError as error:
            self.big.missing = str(error).splitlines()[0]
            return
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.big.wall_s = time.perf_counter() - began
        self.big.cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        self.big.logins = read_logins(self.big.data_dir / LOGINS_FILE)
        found = query(self.big.data_dir, "SELECT g.id, COUNT(*) FROM community_group AS g JOIN group_member AS m "
                      "ON m.group_id = g.id WHERE g.kind = 'childrens_group' AND m.left_on IS NULL "
                      "GROUP BY g.id ORDER BY 2 DESC LIMIT 1")
        if found:
            self.big.group_id, self.big.members = found[0]
            today = query(self.big.data_dir, "SELECT id FROM meeting WHERE group_id = ? AND status = 'planned' "
                          "AND starts_at LIKE ? ORDER BY id LIMIT 1", self.big.group_id, f"{date.today()}%")
            self.big.meeting_id = today[0][0] if today else None

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
        """The command line that serves kind ("hub", "big": the big village's hub, or "hello") on port."""
        if kind in ("hub", "big"):
            # HTTPS on a free port of its own, as a Pi serves it beside plain http (two hubs run at once here).
            return [communityhub(), "run", "--host", loopback.HOST, "--port", str(port),
                    "--https-port", str(loopback.free_port())]
        if kind == "hello":
            return [sys.executable, "-m", "bench.hello", "--port", str(port), "--threads", str(self.threads)]
        raise ValueError(kind)

    def start(self, kind, cap=None, settings=None):
        """Start a fresh server of kind and wait until it answers; it is stopped when the session ends.
        cap: a bench.cgroup.Cap that limits its CPU (the Pi-like run); settings: {name: value} of COMMUNITYHUB_*
        settings for it."""
        self._started += 1
        port = loopback.free_port()
        data_dir = self.big.data_dir if kind == "big" else self.data_dir
        # The hub runs in its data folder (nothing lands in the repository); hello needs the repository on its path.
        cwd = REPO if kind == "hello" else data_dir
        argv = [*(cap.prefix if cap else ()), *self.argv(kind, port)]
        if cap:
            self._stack.callback(cap.remove)  # after the server stops (callbacks run last first)
        env = {**self.env(data_dir), **{f"COMMUNITYHUB_{name}": value for name, value in (settings or {}).items()}}
        server = Server(kind, argv, port, env, cwd, self.root / f"{kind}-{self._started}.log",
                        self.server_cpu, cgroup_procs=cap.procs if cap else None)
        self._stack.callback(server.stop)
        return server.start()

    def stop(self, kind):
        """Stop the long-lived server of kind, if it runs (a hub serves a data folder alone); server() restarts it."""
        if kind in self._servers:
            self._servers.pop(kind).stop()

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
