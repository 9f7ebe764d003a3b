"""A Pi-like core for the server under test: a cgroup capped at 25 % of one CPU.

Tried in order: cgroup v2 (`cpu.max` in a child of the bench's own cgroup), cgroup v1 (`cpu.cfs_quota_us` in
the cpu hierarchy), then `systemd-run --scope -p CPUQuota=25%`. Where none works (no permission, no cpu
controller, no systemd) the Pi-like run is skipped and the report says why.
"""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SHARE = 0.25
PERIOD_US = 100_000  # the kernel's default period: a busy server runs 25 ms, then waits 75 ms
ROOT = Path("/sys/fs/cgroup")


@dataclass
class Cap:
    """How the server is capped: a cgroup.procs file to join, or an argv prefix; `how` for the report."""

    how: str
    procs: Path | None = None
    prefix: tuple = ()
    folder: Path | None = None

    def remove(self):
        """Remove the cgroup made for the run (once the server in it has stopped)."""
        if self.folder is not None:
            try:
                self.folder.rmdir()
            except OSError:
                pass


def _own_v2_group():
    for line in Path("/proc/self/cgroup").read_text(encoding="ascii").splitlines():
        if line.startswith("0::"):
            return ROOT / line[3:].lstrip("/")
    return None


def _v2(name):
    parent = _own_v2_group() if (ROOT / "cgroup.controllers").exists() else None
    if parent is None:
        return None
    folder = parent / name
    folder.mkdir()
    try:
        if not (folder / "cpu.max").exists():
            (parent / "cgroup.subtree_control").write_text("+cpu\n", encoding="ascii")
        (folder / "cpu.max").write_text(f"{int(SHARE * PERIOD_US)} {PERIOD_US}\n", encoding="ascii")
    except OSError:
        folder.rmdir()
        raise
    return Cap(f"cgroup v2, `cpu.max` = `{int(SHARE * PERIOD_US)} {PERIOD_US}`", folder / "cgroup.procs",
               folder=folder)


def _v1(name):
    hierarchy = next((path for path in (ROOT / "cpu", ROOT / "cpu,cpuacct") if (path / "cpu.cfs_quota_us").exists()),
                     None)
    if hierarchy is None:
        return None
    folder = hierarchy / name
    folder.mkdir()
    try:
        (folder / "cpu.cfs_period_us").write_text(f"{PERIOD_US}\n", encoding="ascii")
        (folder / "cpu.cfs_quota_us").write_text(f"{int(SHARE * PERIOD_US)}\n", encoding="ascii")
    except OSError:
        folder.rmdir()
        raise
    return Cap(f"cgroup v1, `cpu.cfs_quota_us` = {int(SHARE * PERIOD_US)} of {PERIOD_US}", folder / "cgroup.procs",
               folder=folder)


def _systemd():
    if not shutil.which("systemd-run") or not Path("/run/systemd/system").exists():
        return None
    quota = f"CPUQuota={SHARE:.0%}"
    probe = subprocess.run(["systemd-run", "--scope", "--quiet", "-p", quota, "true"], capture_output=True,
                           timeout=30, check=False)
    if probe.returncode:
        return None
    return Cap(f"`systemd-run --scope -p {quota}`", prefix=("systemd-run", "--scope", "--quiet", "-p", quota))


def make(name=None):
    """(a Cap, "") or (None, why the server cannot be capped here)."""
    name = name or f"communityhub-bench-{os.getpid()}"
    reasons = []
    for attempt in (_v2, _v1):
        try:
            cap = attempt(name)
        except OSError as error:
            reasons.append(f"{attempt.__name__[1:]}: {error.strerror or error}")
            continue
        if cap is not None:
            return cap, ""
    try:
        cap = _systemd()
    except (OSError, subprocess.SubprocessError) as error:
        cap, _ = None, reasons.append(f"systemd-run: {error}")
    if cap is not None:
        return cap, ""
    reasons.append("no usable systemd-run")
    return None, "cannot cap a process's CPU here (" + "; ".join(reasons) + ")"
