"""provisioning/install.sh in dry-run mode: every action it would take, and its refusal to install a hub
while an account keeps a known default password. (A real run needs a Pi as root; this machine is never
changed: the dry run only prints.)"""

import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "provisioning" / "install.sh"
# Hashes as Raspberry Pi OS writes them (yescrypt) and as older images did (SHA-512), made with libc's crypt.
SALTS = {"yescrypt": "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$", "sha512": "$6$saltsalt$"}


def hashed(password, scheme="yescrypt"):
    return subprocess.run(["perl", "-e", "print crypt($ARGV[0], $ARGV[1])", password, SALTS[scheme]],
                          capture_output=True, text=True, check=True).stdout


def shadow(tmp_path, **accounts):
    """A shadow file: {name: hash}; "!" locks an account, "" means no password."""
    path = tmp_path / "shadow"
    path.write_text("".join(f"{name}:{value}:19700:0:99999:7:::\n" for name, value in accounts.items()))
    return path


def dry_run(shadow_file, *args):
    return subprocess.run(["sh", str(SCRIPT), "--dry-run", *args], capture_output=True, text=True, check=False,
                          env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "COMMUNITYHUB_SHADOW": str(shadow_file)})


def test_dry_run__prints_every_step_and_changes_nothing(tmp_path):
    before = Path("/opt/communityhub").exists(), Path("/var/lib/communityhub").exists()
    result = dry_run(shadow(tmp_path, root="!", pi=hashed("a-long-changed-secret"), daemon="*"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    steps = ["ok: no account has a known default password",
             "install -d -o communityhub -g communityhub -m 0700 /var/lib/communityhub",
             "would run: python3 -m venv /opt/communityhub/venv",
             "would run: /opt/communityhub/venv/bin/pip install --upgrade " + str(SCRIPT.parent.parent),
             "env COMMUNITYHUB_DATA_DIR=/var/lib/communityhub /opt/communityhub/venv/bin/communityhub init",
             "communityhub provision render --out ",
             "install -D -o root -g root -m 0600 ",   # the access point's keyfile holds the passphrase
             "/etc/NetworkManager/system-connections/communityhub-ap.nmconnection",
             "/etc/systemd/journald.conf.d/communityhub.conf",
             "would run: systemctl restart systemd-journald.service",
             "/usr/local/sbin/communityhub-set-clock",
             "/etc/polkit-1/rules.d/50-communityhub-clock.rules",
             "would run: systemctl enable --now avahi-daemon.service communityhub.service communityhub-backup.timer",
             "would run: nmcli connection up communityhub-ap",
             "dry run: nothing was changed."]
    positions = [out.find(step) for step in steps]
    assert -1 not in positions, [step for step, at in zip(steps, positions, strict=True) if at == -1]
    assert positions == sorted(positions)
    assert (Path("/opt/communityhub").exists(), Path("/var/lib/communityhub").exists()) == before


def test_dry_run__installs_from_a_folder_of_wheels_without_internet(tmp_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    result = dry_run(shadow(tmp_path, pi=hashed("a-long-changed-secret")), "--wheels", str(wheels))
    assert result.returncode == 0, result.stderr
    assert f"pip install --no-index --find-links {wheels} --upgrade communityhub" in result.stdout


@pytest.mark.parametrize("scheme", sorted(SALTS))
@pytest.mark.parametrize("account, password", [("pi", "raspberry"), ("admin", "admin"), ("kiosk", "12345678")])
def test_refuses_a_known_default_password(tmp_path, scheme, account, password):
    result = dry_run(shadow(tmp_path, root="!", **{account: hashed(password, scheme)},
                            other=hashed("a-long-changed-secret", scheme)))
    assert result.returncode == 3
    assert f"known default password or none: {account}." in result.stderr
    assert "sudo passwd NAME" in result.stderr
    assert "would run" not in result.stdout  # it stops before doing anything


def test_refuses_an_account_without_a_password(tmp_path):
    result = dry_run(shadow(tmp_path, pi=hashed("a-long-changed-secret"), guest=""))
    assert result.returncode == 3 and "guest(no-password)" in result.stderr


def test_bad_options_are_refused(tmp_path):
    ok_shadow = shadow(tmp_path, pi=hashed("a-long-changed-secret"))
    assert dry_run(ok_shadow, "--wheels", str(tmp_path / "missing")).returncode == 2
    unknown = dry_run(ok_shadow, "--frobnicate")
    assert unknown.returncode == 2 and "unknown option --frobnicate" in unknown.stderr


# provisioning/upgrade.sh

UPGRADE = SCRIPT.parent / "upgrade.sh"


def upgrade(*args):
    return subprocess.run(["sh", str(UPGRADE), *args], capture_output=True, text=True, check=False,
                          env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})


def test_upgrade__dry_run_backs_up_first_keeps_the_old_version_and_checks_health(tmp_path):
    result = upgrade("--dry-run", "--wheels", str(tmp_path))
    assert result.returncode == 0, result.stderr
    steps = ["communityhub backup --to /var/lib/communityhub/backups-before-upgrade --keep 3",
             "would run: cp -a /opt/communityhub/venv /opt/communityhub/venv.previous",
             f"would run: /opt/communityhub/venv/bin/pip install --no-index --find-links {tmp_path} --upgrade "
             "communityhub",
             "would run: systemctl restart communityhub.service",
             "would check: http://127.0.0.1/healthz answers 200 within 60 s",
             "put /opt/communityhub/venv.previous back, restore /var/lib/communityhub/backups-before-upgrade/",
             "dry run: nothing was changed."]
    positions = [result.stdout.find(step) for step in steps]
    assert -1 not in positions, [step for step, at in zip(steps, positions, strict=True) if at == -1]
    assert positions == sorted(positions)


def test_upgrade__needs_a_folder_of_wheels(tmp_path):
    missing = upgrade("--dry-run")
    assert missing.returncode == 2 and "--wheels DIR" in missing.stderr
    assert upgrade("--dry-run", "--wheels", str(tmp_path / "none")).returncode == 2
