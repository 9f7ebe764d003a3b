"""Every operator setting, declared once with its default and help, and loaded in one place.

Order of precedence: the defaults below, then `settings.toml` in the data folder, then
`COMMUNITYHUB_<NAME>` environment variables. Everything the hub owns lives in the data folder.
"""

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

ENV_PREFIX = "COMMUNITYHUB_"
SETTINGS_FILE = "settings.toml"


class SettingsError(Exception):
    """A settings file or environment variable holds something the hub cannot use."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str

    @property
    def env_var(self):
        return ENV_PREFIX + self.name

    def parse(self, raw, source):
        """Turn a value from TOML or the environment into the type of the default."""
        kind = type(self.default)
        if isinstance(raw, kind) and not (kind is int and isinstance(raw, bool)):
            return raw
        if not isinstance(raw, str):
            raise SettingsError(f"{source}: {self.name} must be {kind.__name__}, not {raw!r}")
        try:
            if kind is bool:
                if raw.lower() in ("1", "true", "yes", "on"):
                    return True
                if raw.lower() in ("0", "false", "no", "off"):
                    return False
                raise ValueError(raw)
            return kind(raw)
        except ValueError:
            raise SettingsError(f"{source}: {self.name} must be {kind.__name__}, not {raw!r}") from None


SETTINGS = (
    Setting("DATA_DIR", "./instance",
            "Folder holding everything the hub owns: database, keys, settings file, backups. "
            "Environment only."),
    Setting("HOST", "0.0.0.0", "Address `communityhub run` listens on."),
    Setting("PORT", 8080, "Port `communityhub run` listens on."),
    Setting("HTTPS_PORT", 8443,
            "Port of the hub's HTTPS listener, beside PORT (443 on a provisioned Pi, docs/https.md); 0 turns it "
            "off. It is off anyway while the hub has no certificate (`communityhub tls init` makes one)."),
    Setting("THREADS", 4, "Worker threads of the web server (one process, see DECISIONS)."),
    Setting("DEFAULT_LANGUAGE", "en",
            "Language of pages when neither the user, the picker nor the browser chooses one."),
    Setting("SESSION_IDLE_MINUTES", 30,
            "Minutes without a request after which a sign-in ends (shared phones)."),
    Setting("MIN_FREE_DISK_MB", 200, "`doctor` warns when the data folder's disk has less free space."),
    Setting("WRITE_FLOOR_MB", 20,
            "Below this much free space (MB) the hub refuses to save, so the card never fills completely and the "
            "hub can still start and be read; it saves again as soon as space returns."),
    Setting("CASE_RETENTION_MONTHS", 24,
            "Months after a case is closed before its narrative text is erased (coded fields are kept)."),
    # The Raspberry Pi's set-up (`communityhub provision render`).
    Setting("HOSTNAME", "hub", "The hub's name on its network: phones open http://<hostname>.local/."),
    Setting("WIFI_SSID", "", "Name of the hub's Wi-Fi network; empty: \"Community Hub\" and the village's name."),
    Setting("WIFI_OPEN", False,
            "true makes the Wi-Fi open, with no passphrase: only on purpose. Otherwise WPA2 with a generated "
            "passphrase (the file wifi-passphrase in the data folder)."),
    Setting("WIFI_INTERFACE", "wlan0", "The Wi-Fi device that becomes the access point."),
    Setting("HUB_ADDRESS", "10.42.0.1", "The hub's fixed address on its Wi-Fi (a /24 network; DHCP for phones)."),
    # Offline transfer (hub.sharing.transfer, federation.discovery).
    Setting("DISCOVERY", True,
            "Advertise the hub on HUB_ADDRESS (zeroconf, and hub.local for phones) and deliver summaries at "
            "once when the district aggregator it is enrolled with appears there."),
    Setting("MEDIA_DIRS", "/media:/mnt",
            "Folders, separated by ':', where USB sticks are mounted; the transfer page lists the sticks in them."),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}
VALID_LANGUAGES = ("en", "bn", "hi", "es")


def data_dir_from_env(environ=None):
    """The data folder: `COMMUNITYHUB_DATA_DIR` or `./instance`."""
    environ = os.environ if environ is None else environ
    return Path(environ.get(BY_NAME["DATA_DIR"].env_var, BY_NAME["DATA_DIR"].default)).resolve()


def load(data_dir, environ=None):
    """Return {NAME: value} for every setting, for the hub whose data folder is data_dir."""
    environ = os.environ if environ is None else environ
    values = {setting.name: setting.default for setting in SETTINGS}
    values["DATA_DIR"] = str(Path(data_dir).resolve())

    path = Path(data_dir) / SETTINGS_FILE
    if path.exists():
        try:
            from_file = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{path}: not valid TOML ({exc})") from None
        for key, raw in from_file.items():
            setting = BY_NAME.get(key.upper())
            if setting is None or setting.name == "DATA_DIR":
                raise SettingsError(f"{path}: unknown setting {key!r}")
            values[setting.name] = setting.parse(raw, str(path))

    for setting in SETTINGS:
        if setting.name != "DATA_DIR" and setting.env_var in environ:
            values[setting.name] = setting.parse(environ[setting.env_var], setting.env_var)

    if values["DEFAULT_LANGUAGE"] not in VALID_LANGUAGES:
        raise SettingsError(f"DEFAULT_LANGUAGE must be one of {', '.join(VALID_LANGUAGES)}")
    return values


def template_text():
    """The commented settings file that `communityhub init` writes: every setting, at its default."""
    lines = ["# Community Hub settings. Uncomment a line to change it; environment variables",
             f"# named {ENV_PREFIX}<NAME> override this file.", ""]
    for setting in SETTINGS:
        if setting.name == "DATA_DIR":
            continue
        lines.append(f"# {setting.help}")
        value = setting.default
        rendered = f'"{value}"' if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else value
        lines.append(f"# {setting.name.lower()} = {rendered}")
        lines.append("")
    return "\n".join(lines)
