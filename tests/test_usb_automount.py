"""USB sticks on a Raspberry Pi OS Lite hub (issue 22, item 11): `provision render` makes what mounts them for
the hub's user at a fixed place, and the hardened unit may write there.

The mount script runs for real on an ext4 image on a loop device, in a private mount namespace whose /dev and
/media are its own, so nothing on this machine is mounted or changed.
"""

import dataclasses
import os
import shutil
import subprocess

import pytest

from hub import provision

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
PLAN = provision.Plan(village="Rampur", hostname="hub", ssid="Community Hub Rampur", passphrase="x" * 16,
                      interface="wlan0", address="10.42.0.1", uuid="0" * 8 + "-0000-0000-0000-" + "0" * 12)


@pytest.fixture
def rendered(tmp_path):
    out = tmp_path / "rendered"
    provision.render(PLAN, out)
    return out


def test_render__usb_sticks_mounted_for_the_hub_and_the_unit_may_write_there(rendered):
    rule = (rendered / "etc/udev/rules.d/99-communityhub-usb.rules").read_text()
    assert 'SUBSYSTEMS=="usb"' in rule and 'ENV{ID_FS_USAGE}=="filesystem"' in rule
    assert 'ENV{SYSTEMD_WANTS}+="communityhub-usb-mount@%k.service"' in rule
    unit = (rendered / "etc/systemd/system/communityhub.service").read_text()
    assert "ProtectSystem=strict" in unit
    assert f"ReadWritePaths={provision.STATE_DIR} -{provision.MEDIA_DIR}" in unit
    assert (rendered / "etc/tmpfiles.d/communityhub-media.conf").read_text().strip().endswith(
        f"d {provision.MEDIA_DIR} 0755 root root -")
    script = rendered / "usr/local/sbin/communityhub-usb-mount"
    assert os.stat(script).st_mode & 0o777 == 0o755
    assert subprocess.run(["sh", "-n", str(script)], check=False).returncode == 0
    # The sharing page and the nightly backup look for sticks under /media (setting MEDIA_DIRS).
    assert provision.MEDIA_DIR.startswith("/media/")


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
def test_render__mount_unit_and_hub_unit_pass_systemd_analyze_verify(rendered, tmp_path):
    units = tmp_path / "units"
    units.mkdir()
    mount_unit = (rendered / "etc/systemd/system/communityhub-usb-mount@.service").read_text()
    (units / "communityhub-usb-mount@sda1.service").write_text(
        mount_unit.replace("/usr/local/sbin/communityhub-usb-mount", "/bin/true"))
    hub_unit = (rendered / "etc/systemd/system/communityhub.service").read_text()
    (units / "communityhub.service").write_text(hub_unit.replace("/opt/communityhub/venv/bin/communityhub",
                                                                 "/bin/true"))
    result = subprocess.run([SYSTEMD_ANALYZE, "verify", str(units / "communityhub-usb-mount@sda1.service"),
                             str(units / "communityhub.service")], capture_output=True, text=True, check=False)
    problems = [line for line in result.stderr.splitlines() if "communityhub" in line]
    assert problems == [], result.stderr


needs_loop = pytest.mark.skipif(
    os.geteuid() != 0 or not all(shutil.which(tool) for tool in ("unshare", "losetup", "mkfs.ext4", "blkid")),
    reason="needs root, unshare, losetup, mkfs.ext4 and blkid")


@needs_loop
def test_mount_script__mounts_a_stick_for_the_hubs_user_and_unmounts_it(tmp_path):
    plan = dataclasses.replace(PLAN, user="nobody")
    out = tmp_path / "rendered"
    provision.render(plan, out)
    script = out / "usr/local/sbin/communityhub-usb-mount"
    image = tmp_path / "stick.img"
    with open(image, "wb") as handle:
        handle.truncate(8 * 1024 * 1024)
    subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], check=True)
    loop = subprocess.run(["losetup", "--find", "--show", str(image)], capture_output=True, text=True,
                          check=True).stdout.strip()
    try:
        major_minor = os.stat(loop).st_rdev
        # In the namespace: a /dev of its own with the loop device as /dev/sdz1, a /media of its own.
        inner = f"""set -e
mount -t tmpfs -o mode=0755 nodev /dev
mknod -m 600 /dev/sdz1 b {os.major(major_minor)} {os.minor(major_minor)}
mknod -m 666 /dev/null c 1 3
mount -t tmpfs -o mode=0755 media /media
sh {script} add sdz1
stat -c '%U %a' {provision.MEDIA_DIR}/sdz1
grep -c ' {provision.MEDIA_DIR}/sdz1 ext4 .*nosuid,nodev,noexec' /proc/self/mounts
runuser -u nobody -- sh -c 'echo summary > {provision.MEDIA_DIR}/sdz1/written-by-the-hub'
sh {script} remove sdz1
test ! -e {provision.MEDIA_DIR}/sdz1 && echo removed
"""
        result = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", inner],
                                capture_output=True, text=True, check=False)
    finally:
        subprocess.run(["losetup", "-d", loop], check=False)
    assert result.returncode == 0, result.stderr + result.stdout
    lines = result.stdout.splitlines()
    assert f"/dev/sdz1 (ext4) mounted at {provision.MEDIA_DIR}/sdz1" in lines[0]
    assert lines[1:] == ["nobody 755", "1", "removed"], result.stdout  # the hub's user owns it; mounted safely


@needs_loop
def test_mount_script__refuses_what_is_not_a_usb_disk(tmp_path):
    out = tmp_path / "rendered"
    provision.render(PLAN, out)
    result = subprocess.run(["sh", str(out / "usr/local/sbin/communityhub-usb-mount"), "add", "mmcblk0p2"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2 and "not a USB disk partition" in result.stderr
