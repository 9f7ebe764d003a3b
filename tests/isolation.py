"""Run a command where it can do no harm: a private network namespace (real mDNS traffic on its own `lo`
and veth pair, never on the machine's network) or a private mount namespace (a small tmpfs as a USB stick
that fills up or is read-only). Both need root and `unshare`, which the test machines have.
"""

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300

# Inside the network namespace: lo up with multicast, and a veth pair standing for the village LAN
# (the hub on 10.42.0.1, the district laptop on 10.42.0.2).
NETWORK_SETUP = ("ip link set lo up && ip link set lo multicast on"
                 " && ip link add lan0 type veth peer name lan1"
                 " && ip addr add 10.42.0.1/24 dev lan0 && ip addr add 10.42.0.2/24 dev lan1"
                 " && ip link set lan0 up && ip link set lan1 up")
IN_NETNS = "COMMUNITYHUB_TEST_IN_NETNS"


def can_unshare(kind="--net"):
    """True when this machine lets the tests make a private namespace of that kind."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    result = subprocess.run(["unshare", kind, "--", "true"], capture_output=True, timeout=30)
    return result.returncode == 0


def environment(**extra):
    env = {key: value for key, value in os.environ.items()
           if key not in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "PYTHONPATH")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost,::1,10.42.0.1,10.42.0.2"
    env.update(extra)
    return env


def pytest_in_network_namespace(node_id):
    """Run one `netns_*` case (a pytest node id) inside a fresh network namespace; -> CompletedProcess."""
    command = (f"{NETWORK_SETUP} && exec {shlex.quote(sys.executable)} -m pytest -q -p no:cacheprovider "
               f"-o python_functions=netns_ -x {shlex.quote(node_id)}")
    return subprocess.run(["unshare", "--net", "--", "sh", "-c", command], cwd=ROOT, capture_output=True,
                          text=True, timeout=TIMEOUT, env=environment(**{IN_NETNS: "1"}),
                          stdin=subprocess.DEVNULL)


def on_small_stick(mount_point, script, size="16k", read_only=False, env=None):
    """Run the shell script with a fresh tmpfs of `size` mounted at mount_point (read-only if asked), in a
    private mount namespace; what is written there vanishes with it. -> CompletedProcess."""
    options = f"size={size}" + (",ro" if read_only else "")
    command = f"mount -t tmpfs -o {options} stick {shlex.quote(str(mount_point))} && {script}"
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", command],
                          cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT,
                          env=environment(**(env or {})), stdin=subprocess.DEVNULL)
