"""A server under test: a subprocess pinned to one CPU, timed from spawn to its first 200 from /healthz."""

import json
import os
import subprocess
import time
from pathlib import Path

from bench import loopback

STARTUP_TIMEOUT_S = 30.0
POLL_INTERVAL_S = 0.005   # polled often, so the start-up figure is not rounded up by the poll
STOP_TIMEOUT_S = 5.0


class BenchError(Exception):
    """The bench cannot go on (a command failed, a server never came up)."""


def proc_status_kb(pid, field):
    """A kB figure (VmRSS, VmHWM...) from /proc/PID/status."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise BenchError(f"/proc/{pid}/status has no {field}")


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """CPU time (user + system, every thread) a process has used so far, from /proc/PID/stat."""
    text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    fields = text[text.rindex(")") + 2:].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime and stime, fields 14 and 15


def pin_to(cpu, cgroup_procs=None):
    """A preexec_fn that pins the child to one CPU (and moves it into a cgroup) before it runs a line of Python."""
    def pin():
        os.sched_setaffinity(0, {cpu})
        if cgroup_procs:
            Path(cgroup_procs).write_text("0\n", encoding="ascii")  # "0": the process that writes
    return pin


class Server:
    """One server process: start it, read its memory, stop it (stop is safe to call twice)."""

    def __init__(self, name, argv, port, env, cwd, log_path, cpu, cgroup_procs=None):
        self.name, self.argv, self.port = name, argv, port
        self.env, self.cwd, self.log_path, self.cpu = env, cwd, Path(log_path), cpu
        self.cgroup_procs = cgroup_procs
        self.process = None
        self.startup_s = self.idle_kb = self.start_peak_kb = self.health = self.started_at = None

    def start(self):
        """Spawn the server and wait for its first 200 from /healthz; record start-up time and idle memory."""
        with open(self.log_path, "wb") as log:  # the child keeps its own copy of the descriptor
            began = time.perf_counter()
            self.process = subprocess.Popen(self.argv, env=self.env, cwd=self.cwd, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT,
                                            preexec_fn=pin_to(self.cpu, self.cgroup_procs))
        self.health = self._wait_healthy(began)
        self.started_at = time.perf_counter()
        self.startup_s = self.started_at - began
        self.idle_kb, self.start_peak_kb = self.rss_kb(), self.peak_kb()
        return self

    def _wait_healthy(self, began):
        last = "no answer"
        for _ in range(int(STARTUP_TIMEOUT_S / POLL_INTERVAL_S)):
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} exited with {self.process.returncode} before answering:\n"
                                 f"{self.log_tail()}")
            try:
                reply = loopback.get(self.port, "/healthz", timeout=1.0)
            except loopback.ERRORS as error:
                last = type(error).__name__
            else:
                if reply.status == 200:
                    return json.loads(reply.body)
                last = f"HTTP {reply.status}"
            if time.perf_counter() - began > STARTUP_TIMEOUT_S:
                break
            time.sleep(POLL_INTERVAL_S)
        raise BenchError(f"{self.name} gave no 200 from /healthz within {STARTUP_TIMEOUT_S:g} s "
                         f"(last: {last}):\n{self.log_tail()}")

    def rss_kb(self):
        """Resident memory now, in KB."""
        return proc_status_kb(self.process.pid, "VmRSS")

    def uptime_s(self):
        """Seconds since the server first answered."""
        return time.perf_counter() - self.started_at

    def cpu_s(self):
        """CPU seconds the server has used since it started."""
        return cpu_seconds(self.process.pid)

    def peak_kb(self):
        """Highest resident memory since start, in KB."""
        return proc_status_kb(self.process.pid, "VmHWM")

    def alive(self):
        """True while the process runs."""
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines=20):
        """The end of the server's output, for error messages."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self):
        """Terminate the process, kill it if it lingers, and reap it."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT_S)
