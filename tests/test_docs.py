"""The documentation keeps up with the code: every setting and every command is documented."""

import re
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
    context = click.Context(group)
    for name in group.list_commands(context):  # as `--help` lists them: a lazily loaded group too
        command = group.get_command(context, name)
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


def test_docs__point_at_nothing_outside_the_repository():
    pages = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if "../shared" in text:
            broken.append((page.name, "../shared"))
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target or target.startswith("mailto:"):
                continue
            resolved = (page.parent / target).resolve()
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                broken.append((page.name, target))
    assert broken == []


def test_readme__links_the_architecture_and_contributing():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/architecture.md)" in readme and "(CONTRIBUTING.md)" in readme
    assert "make lint" in (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
