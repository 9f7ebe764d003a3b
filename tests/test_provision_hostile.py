"""Text typed in the hub's pages never becomes a line of a file root installs (`provision render`).

A coordinator is a web user, not the Pi's administrator: a village name with a line break and
`ExecStartPre=+...` must not reach communityhub.service, the scripts or the polkit rule. Every template is
rendered with hostile values (new lines, quotes, `$(...)`, backticks, `%`, `;`), then each file is parsed
by the tool that reads it on the Pi (systemd-analyze verify, sh -n, node --check, a keyfile parser) and
compared line by line with a render for a plain village.
"""

import configparser
import shutil
import subprocess

import pytest

from hub import provision
from hub.app import create_app
from hub.db import database
from tests.server import run_command

HOSTILE = ("Rampur\"'$(touch /tmp/pwned)`touch /tmp/pwned`%n%i;\n"
           "ExecStartPre=+/bin/touch /tmp/pwned\r\n[Service]\nUser=root")
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
NODE = shutil.which("node")
UNITS = ("communityhub.service", "communityhub-backup.service", "communityhub-backup.timer",
         "communityhub-aggregator.service")
SCRIPTS = ("communityhub-backup-to-sticks", "communityhub-set-clock")


def store_village_as_before_the_check(data_dir, name):
    """A village name stored by an earlier release, which did not refuse line breaks."""
    from hub.village.models import Village

    app = create_app({"DATA_DIR": str(data_dir), "TESTING": True})
    with app.app_context(), database.connection_context():
        Village.replace(id=1, name=name, district="", country="IN", languages="en").execute()


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    """{relative path: text} rendered for a hostile village name and for a plain one."""
    results = {}
    for label, name in (("hostile", HOSTILE), ("plain", "Rampur")):
        data_dir = tmp_path_factory.mktemp(label) / "instance"
        run_command(["init"], data_dir)
        (data_dir / provision.WIFI_PASSPHRASE_FILE).write_text("abcdefghijkmnpqr\n")
        store_village_as_before_the_check(data_dir, name)
        out = data_dir.parent / "out"
        run_command(["provision", "render", "--out", str(out)], data_dir)
        results[label] = (out, {target: (out / target).read_text(encoding="utf-8")
                                for _, target, _ in provision.FILES})
    return results


def test_hostile_village__no_injected_line_in_any_file(renders):
    _, hostile = renders["hostile"]
    _, plain = renders["plain"]
    for target, text in hostile.items():
        assert "pwned" not in text and "User=root" not in text, target
        ours, theirs = text.splitlines(), plain[target].splitlines()
        assert len(ours) == len(theirs), target
        differing = [line for line, other in zip(ours, theirs, strict=True) if line != other]
        assert differing == ([line for line in ours if line.startswith("ssid=")]
                             if target.endswith(".nmconnection") else []), target


def test_hostile_village__wifi_name_is_one_clean_keyfile_value(renders):
    out, _ = renders["hostile"]
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#",))
    parser.optionxform = str
    parser.read_string((out / "etc/NetworkManager/system-connections/communityhub-ap.nmconnection").read_text())
    ssid = parser["wifi"]["ssid"]
    assert len(ssid.encode()) <= 32 and not provision.SSID_FORBIDDEN.search(ssid) and "\n" not in ssid


def test_hostile_village__scripts_parse_as_shell(renders):
    out, _ = renders["hostile"]
    for name in SCRIPTS:
        subprocess.run(["sh", "-n", str(out / "usr/local/sbin" / name)], check=True)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_hostile_village__polkit_rule_parses_as_javascript(renders, tmp_path):
    out, _ = renders["hostile"]
    rule = tmp_path / "rule.js"
    rule.write_text((out / "etc/polkit-1/rules.d/50-communityhub-clock.rules").read_text())
    subprocess.run([NODE, "--check", str(rule)], check=True)


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
def test_hostile_village__units_pass_systemd_analyze_verify(renders, tmp_path):
    out, _ = renders["hostile"]
    for name in UNITS:
        text = (out / "etc/systemd/system" / name).read_text()
        text = text.replace("/opt/communityhub/venv/bin/communityhub", "/bin/true")
        text = text.replace("/usr/local/sbin/communityhub-backup-to-sticks", "/bin/true")
        (tmp_path / name).write_text(text)
    result = subprocess.run([SYSTEMD_ANALYZE, "verify", *(str(tmp_path / name) for name in UNITS)],
                            capture_output=True, text=True, check=False)
    assert [line for line in result.stderr.splitlines() if "communityhub" in line] == [], result.stderr


@pytest.mark.parametrize("field", ["user", "hostname", "ssid", "interface", "address", "data_dir"])
@pytest.mark.parametrize("value", ["a\nExecStartPre=+/bin/touch /tmp/pwned", "a\rb", "a\x1b[2Jb", "a\u2028b"])
def test_render__any_value_that_would_add_a_line_stops_the_render(field, value, tmp_path):
    plan = provision.Plan(village="Rampur", hostname="hub", ssid="Rampur hub", passphrase="abcdefghijkmnpqr",
                          interface="wlan0", address="10.42.0.1", uuid="0" * 32)
    hostile = provision.Plan(**{**plan.__dict__, field: value})
    with pytest.raises(provision.ProvisionError, match="line break or a control character"):
        provision.render(hostile, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_village__a_name_with_a_line_break_is_refused_at_the_form(app_context):
    from hub.village.service import VillageError, save_village

    with pytest.raises(VillageError) as refused:
        save_village("Rampur\nExecStartPre=+/bin/touch /tmp/pwned", "IN")
    assert refused.value.field == "name"
    with pytest.raises(VillageError):
        save_village("Rampur", "IN", district="East\x1b[31m")
    save_village("Rampur \"$(id)\" `x` 50% ;", "IN")  # quotes, dollars and percent are a name's business
