"""`communityhub provision render`: every file the Pi needs, rendered from the settings and checked."""

import configparser
import re
import shutil
import stat
import subprocess

import pytest

from hub import provision
from tests.server import HubProcessError, run_command

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
UNITS = ("communityhub.service", "communityhub-backup.service", "communityhub-backup.timer")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """A set-up demo hub in Peru (seed 9) and what `provision render` wrote for it."""
    data_dir = tmp_path_factory.mktemp("provision") / "instance"
    run_command(["seed-demo", "--seed", "9"], data_dir)
    out = data_dir.parent / "rendered"
    output = run_command(["provision", "render", "--out", str(out)], data_dir)
    return data_dir, out, output


def keyfile(path):
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#",))
    parser.optionxform = str  # keys are case-sensitive in NetworkManager keyfiles
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


def test_render__every_file_where_the_pi_expects_it(rendered):
    data_dir, out, output = rendered
    for _, target, mode in provision.FILES:
        path = out / target
        assert f"wrote {path}" in output
        assert stat.S_IMODE(path.stat().st_mode) == mode, target
        assert "{{" not in path.read_text() and "{%" not in path.read_text()
    assert (out / "etc/hostname").read_text() == "hub\n"


def test_render__access_point_is_wpa2_with_the_generated_passphrase(rendered):
    data_dir, out, output = rendered
    passphrase = (data_dir / provision.WIFI_PASSPHRASE_FILE).read_text().strip()
    assert len(passphrase) == 16 and set(passphrase) <= set(provision.PASSPHRASE_ALPHABET)
    assert stat.S_IMODE((data_dir / provision.WIFI_PASSPHRASE_FILE).stat().st_mode) == 0o600
    ap = keyfile(out / "etc/NetworkManager/system-connections/communityhub-ap.nmconnection")
    assert ap["connection"]["type"] == "wifi" and ap["connection"]["interface-name"] == "wlan0"
    assert ap["wifi"]["mode"] == "ap"
    assert ap["wifi"]["ssid"].startswith("Community Hub ") and len(ap["wifi"]["ssid"].encode()) <= 32
    assert ap["wifi-security"]["key-mgmt"] == "wpa-psk" and ap["wifi-security"]["psk"] == passphrase
    assert ap["ipv4"]["method"] == "shared" and ap["ipv4"]["address1"] == "10.42.0.1/24"
    assert "WPA2, passphrase in" in output


def test_render__captive_portal_answers_every_name_with_the_hub(rendered):
    _, out, _ = rendered
    lines = [line for line in (out / "etc/NetworkManager/dnsmasq-shared.d/communityhub-captive.conf")
             .read_text().splitlines() if line and not line.startswith("#")]
    assert lines == ["address=/#/10.42.0.1"]


def test_render__hub_unit_is_hardened_with_a_watchdog(rendered):
    _, out, _ = rendered
    unit = keyfile(out / "etc/systemd/system/communityhub.service")["Service"]
    assert (unit["Type"], unit["WatchdogSec"], unit["Restart"]) == ("notify", "120", "on-failure")
    # 443: phones set up with the village CA (docs/https.md).
    assert unit["ExecStart"] == ("/opt/communityhub/venv/bin/communityhub run --host 0.0.0.0 --port 80 "
                                 "--https-port 443")
    assert unit["Environment"] == "COMMUNITYHUB_DATA_DIR=/var/lib/communityhub"
    for option, value in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("PrivateTmp", "yes"),
                          ("ProtectHome", "yes"),
                          ("ReadWritePaths", "/var/lib/communityhub -/media/communityhub")):
        assert unit[option] == value, option
    assert unit["User"] == "communityhub"


def test_render__backup_script_is_valid_shell_and_only_writes_to_marked_sticks(rendered, tmp_path):
    _, out, _ = rendered
    script = out / "usr/local/sbin/communityhub-backup-to-sticks"
    subprocess.run(["sh", "-n", str(script)], check=True)
    result = subprocess.run(["sh", str(script)], capture_output=True, text=True, check=False)
    # On this machine no stick has a communityhub-backups folder: it says so and backs up nothing.
    assert result.returncode == 0 and "nothing backed up" in result.stdout


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
def test_render__units_pass_systemd_analyze_verify(rendered, tmp_path):
    _, out, _ = rendered
    units = tmp_path / "units"
    units.mkdir()
    for name in UNITS:
        text = (out / "etc/systemd/system" / name).read_text()
        # verify checks that ExecStart exists: point it at a program this machine has.
        text = text.replace("/opt/communityhub/venv/bin/communityhub", "/bin/true")
        text = text.replace("/usr/local/sbin/communityhub-backup-to-sticks", "/bin/true")
        (units / name).write_text(text)
    result = subprocess.run([SYSTEMD_ANALYZE, "verify", *(str(units / name) for name in UNITS)],
                            capture_output=True, text=True, check=False)
    problems = [line for line in result.stderr.splitlines() if "communityhub" in line]
    assert problems == [], result.stderr


def test_render__twice_gives_the_same_files(rendered, tmp_path):
    data_dir, out, _ = rendered
    again = tmp_path / "again"
    run_command(["provision", "render", "--out", str(again)], data_dir)
    for _, target, _ in provision.FILES:
        assert (again / target).read_bytes() == (out / target).read_bytes(), target


def test_render__open_wifi_only_on_purpose(tmp_path):
    data_dir = tmp_path / "instance"
    run_command(["init"], data_dir)
    (data_dir / "settings.toml").write_text('wifi_open = true\nwifi_ssid = "Rampur hub"\n')
    output = run_command(["provision", "render", "--out", str(tmp_path / "out")], data_dir)
    ap = keyfile(tmp_path / "out/etc/NetworkManager/system-connections/communityhub-ap.nmconnection")
    assert "wifi-security" not in ap and ap["wifi"]["ssid"] == "Rampur hub"
    assert "open (no passphrase)" in output and not (data_dir / provision.WIFI_PASSPHRASE_FILE).exists()


@pytest.mark.parametrize("setting, value, message", [
    ("wifi_ssid", "A name far too long for any Wi-Fi network", "a Wi-Fi name has at most 32"),
    ("wifi_ssid", "semi;colon", "no control characters, semicolons or backslashes"),
    ("hub_address", "8.8.8.8", "use a private address"),
    ("hub_address", "10.42.0.255", "not the first or last of its /24"),
    ("hub_address", "hub", "is not an IPv4 address"),
    ("hostname", "Hub_1", "lowercase letters, digits and inner hyphens"),
    ("wifi_interface", "wlan0; rm -rf /", "is not a network device name"),
])
def test_render__a_setting_that_would_make_an_invalid_file_writes_nothing(tmp_path, setting, value, message):
    data_dir = tmp_path / "instance"
    run_command(["init"], data_dir)
    (data_dir / "settings.toml").write_text(f'{setting} = "{value}"\n')
    with pytest.raises(HubProcessError, match=message):
        run_command(["provision", "render", "--out", str(tmp_path / "out")], data_dir)
    assert not (tmp_path / "out").exists()


def test_render__needs_a_data_folder(tmp_path):
    with pytest.raises(HubProcessError, match="run `communityhub init` first"):
        run_command(["provision", "render", "--out", str(tmp_path / "out")], tmp_path / "none")


def test_render__journal_is_capped_so_logs_never_fill_the_sd_card(rendered):
    _, out, _ = rendered
    journal = keyfile(out / "etc/systemd/journald.conf.d/communityhub.conf")["Journal"]
    assert journal["Storage"] == "persistent"
    assert journal["SystemMaxUse"] == "64M" and journal["RuntimeMaxUse"] == "32M"
    assert journal["SystemKeepFree"]


def test_render__aggregator_unit_runs_the_aggregator_hardened_like_the_hub(rendered):
    _, out, _ = rendered
    hub = keyfile(out / "etc/systemd/system/communityhub.service")["Service"]
    unit = keyfile(out / "etc/systemd/system/communityhub-aggregator.service")["Service"]
    assert unit["ExecStart"].split()[1:3] == ["aggregator", "run"]
    assert unit["Environment"] == f"COMMUNITYHUB_DATA_DIR={provision.AGGREGATOR_STATE_DIR}"
    assert unit["ReadWritePaths"] == provision.AGGREGATOR_STATE_DIR
    for key in ("NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices",
                "RestrictNamespaces", "RestrictSUIDSGID", "SystemCallArchitectures", "UMask"):
        assert unit[key] == hub[key], key
    assert "AmbientCapabilities" not in unit  # port 8090 needs no privilege


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
def test_render__aggregator_unit_passes_systemd_analyze_verify(rendered, tmp_path):
    _, out, _ = rendered
    name = "communityhub-aggregator.service"
    text = (out / "etc/systemd/system" / name).read_text()
    (tmp_path / name).write_text(text.replace("/opt/communityhub/venv/bin/communityhub", "/bin/true"))
    result = subprocess.run([SYSTEMD_ANALYZE, "verify", str(tmp_path / name)], capture_output=True, text=True,
                            check=False)
    problems = [line for line in result.stderr.splitlines() if "communityhub" in line]
    assert problems == [], result.stderr


def test_render__set_clock_pauses_network_time_and_puts_it_back(rendered, tmp_path):
    """The hub runs communityhub-set-clock as its own user; timedated refuses a manual time while network
    time is on, so the script pauses it, sets the time and restores it, even when setting fails."""
    _, out, _ = rendered
    script = out / "usr/local/sbin/communityhub-set-clock"
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    subprocess.run(["sh", "-n", str(script)], check=True)
    fake = tmp_path / "bin"
    fake.mkdir()
    log = tmp_path / "calls"
    (fake / "timedatectl").write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {log}\n'
        'if [ "$1" = show ]; then echo "$NTP"; fi\n'
        'if [ "$1" = set-time ]; then exit "$FAIL"; fi\n')
    (fake / "timedatectl").chmod(0o755)

    def run(ntp, fail):
        log.unlink(missing_ok=True)
        result = subprocess.run(["sh", str(script), "2026-12-06 13:10:00"], capture_output=True, text=True,
                                env={"PATH": f"{fake}:/usr/bin:/bin", "NTP": ntp, "FAIL": str(fail)})
        return result.returncode, log.read_text().splitlines()

    assert run("yes", 0) == (0, ["show --property=NTP --value", "set-ntp false", "set-time 2026-12-06 13:10:00",
                                 "set-ntp true"])
    assert run("no", 0) == (0, ["show --property=NTP --value", "set-time 2026-12-06 13:10:00"])
    assert run("yes", 1) == (1, ["show --property=NTP --value", "set-ntp false", "set-time 2026-12-06 13:10:00",
                                 "set-ntp true"])
    assert subprocess.run(["sh", str(script)], capture_output=True).returncode == 2


def test_render__polkit_lets_the_hubs_user_set_the_time_and_nothing_else(rendered):
    _, out, _ = rendered
    rule = (out / "etc/polkit-1/rules.d/50-communityhub-clock.rules").read_text()
    assert f'subject.user == "{provision.USER}"' in rule
    actions = sorted(set(re.findall(r'action\.id == "([^"]+)"', rule)))
    assert actions == ["org.freedesktop.timedate1.set-ntp", "org.freedesktop.timedate1.set-time"]
    assert rule.count("polkit.Result.YES") == 1 and "NOT_HANDLED" in rule


def test_render__the_hub_sets_its_clock_with_the_rendered_script():
    from hub.clockcheck import service

    (target,) = [target for name, target, _ in provision.FILES if name == "communityhub-set-clock"]
    assert service.DEFAULT_COMMAND == ("/" + target,)
