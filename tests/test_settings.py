"""Settings: defaults, then the data folder's file, then environment variables; the secret key."""

import stat

import pytest

from hub import instance, settings


def test_defaults__when_nothing_is_set(tmp_path):
    values = settings.load(tmp_path, environ={})
    assert values["PORT"] == 8080 and values["HOST"] == "0.0.0.0"


def test_precedence__file_then_environment(tmp_path):
    (tmp_path / "settings.toml").write_text('port = 9000\nhost = "127.0.0.1"\n')
    values = settings.load(tmp_path, environ={"COMMUNITYHUB_PORT": "9100"})
    assert values["PORT"] == 9100
    assert values["HOST"] == "127.0.0.1"


@pytest.mark.parametrize("text, message", [
    ("port = 'eighty'", "PORT must be int"),
    ("colour = 'red'", "unknown setting 'colour'"),
    ("port = ", "not valid TOML"),
    ("default_language = 'fr'", "DEFAULT_LANGUAGE must be one of"),
])
def test_bad_settings_file__clear_error(tmp_path, text, message):
    (tmp_path / "settings.toml").write_text(text)
    with pytest.raises(settings.SettingsError, match=message):
        settings.load(tmp_path, environ={})


def test_bad_environment_value__clear_error(tmp_path):
    with pytest.raises(settings.SettingsError, match="COMMUNITYHUB_THREADS"):
        settings.load(tmp_path, environ={"COMMUNITYHUB_THREADS": "many"})


def test_settings_template__parses_and_lists_every_setting(tmp_path):
    import tomllib

    text = settings.template_text()
    assert tomllib.loads(text) == {}  # everything commented out: defaults apply
    for setting in settings.SETTINGS:
        if setting.name != "DATA_DIR":
            assert f"# {setting.name.lower()} = " in text
    uncommented = "\n".join(line[2:] for line in text.splitlines() if " = " in line)
    assert set(tomllib.loads(uncommented)) == {s.name.lower() for s in settings.SETTINGS} - {"data_dir"}


def test_secret_key__made_once_private_and_stable(tmp_path):
    first = instance.secret_key(tmp_path)
    path = tmp_path / instance.SECRET_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 64
    assert instance.secret_key(tmp_path) == first


def test_prepare__keeps_key_and_settings_on_restart(tmp_path):
    instance.prepare(tmp_path)
    key = instance.secret_key(tmp_path)
    (tmp_path / "settings.toml").write_text("port = 9000\n")
    again = instance.prepare(tmp_path)
    assert not again.created and again.migrations_applied == ()
    assert instance.secret_key(tmp_path) == key
    assert (tmp_path / "settings.toml").read_text() == "port = 9000\n"
