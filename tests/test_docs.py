"""The documentation keeps up with the code: every setting and every command is documented."""

from pathlib import Path

import click
import pytest

from hub.cli import main
from hub.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
CONFIGURATION = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda setting: setting.name)
def test_every_setting_is_documented(setting):
    assert f"`{setting.name}`" in CONFIGURATION and setting.env_var in CONFIGURATION


def command_paths(group, prefix=()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from command_paths(command, prefix + (name,))
        else:
            yield " ".join(prefix + (name,))


@pytest.mark.parametrize("command", sorted(command_paths(main)))
def test_every_command_is_documented(command):
    assert f"`communityhub {command}" in CONFIGURATION


def test_readme__has_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
