"""The package as an operator gets it: the wheel built from this checkout, installed for real into a fresh
virtualenv and run from a folder where the checkout is not importable, serves the hub's pages."""

import gettext
import html
import importlib.metadata
import io
import json
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from hub import __version__
from tests.server import fetch, hub_environment, run_command, running_hub, stored_village

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
# What a clean clone holds: build output, caches and compiled catalogs stay behind, so the wheel
# proves the build compiles the catalogs itself and leftovers in build/ cannot leak into it.
NOT_SOURCE = {".git", ".venv", ".ci", "build", "dist", "instance", "__pycache__", ".pytest_cache", ".hypothesis"}
NOT_SOURCE_SUFFIXES = (".egg-info", ".mo", ".pyc")
INSTALL_TIMEOUT = 900


def copy_source(target):
    """Copy the checkout to target as a clean clone would hold it."""
    def ignore(folder, names):
        relative = Path(folder).relative_to(ROOT)
        return [name for name in names if name in NOT_SOURCE or name.endswith(NOT_SOURCE_SUFFIXES)
                or (relative == Path("bench") and name == "results")]
    shutil.copytree(ROOT, target, ignore=ignore)
    return target


def build_requirements_met(source):
    """True when this Python already has what [build-system] requires, so the build need not fetch it."""
    requires = tomllib.loads((source / "pyproject.toml").read_text())["build-system"]["requires"]
    for requirement in map(Requirement, requires):
        try:
            installed = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            return False
        if not requirement.specifier.contains(installed, prereleases=True):
            return False
    return True


def run(command, cwd, env=None, timeout=INSTALL_TIMEOUT):
    result = subprocess.run([str(part) for part in command], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (f"{command} exited with {result.returncode}\n"
                                    f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}")
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """(path of the built wheel, the source folder it was built from)."""
    source = copy_source(tmp_path_factory.mktemp("source") / "communityhub")
    outdir = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "build", "--wheel", "--outdir", outdir]
    if build_requirements_met(source):
        command.append("--no-isolation")
    run(command, cwd=source)
    (built,) = outdir.glob("communityhub-*.whl")
    return built, source


def test_wheel__carries_templates_static_files_and_compiled_catalogs(wheel):
    built, source = wheel
    catalogs = [path.with_suffix(".mo").relative_to(source).as_posix()
                for path in (source / "hub" / "translations").glob("*/LC_MESSAGES/messages.po")]
    with zipfile.ZipFile(built) as archive:
        names = set(archive.namelist())
        compiled = {name: archive.read(name) for name in catalogs if name in names}

    assert {"hub/templates/base.html", "hub/static/style.css"} <= names
    for folder in ("templates", "static"):
        missing = [str(path.relative_to(source)) for path in (source / folder).rglob("*")
                   if path.is_file() and f"hub/{path.relative_to(source)}" not in names]
        assert missing == [], f"files of {folder}/ missing from the wheel"
    assert catalogs, "the checkout has no catalogs"
    assert sorted(compiled) == sorted(catalogs), "a .po file has no compiled .mo in the wheel"
    for data in compiled.values():
        gettext.GNUTranslations(io.BytesIO(data))  # a readable catalog, not an empty file
    assert not any(name.startswith(("tests/", "bench/")) for name in names)


def test_wheel__installed_in_a_fresh_virtualenv_serves_the_hub(wheel, tmp_path):
    built, source = wheel
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    python, communityhub = environment / "bin" / "python", environment / "bin" / "communityhub"
    operator = tmp_path / "operator"  # the operator's shell: not the checkout, so it cannot be imported
    operator.mkdir()
    data_dir = operator / "instance"
    env = hub_environment(data_dir)
    env.pop("VIRTUAL_ENV", None)

    run([python, "-m", "pip", "install", "--quiet", built], cwd=operator, env=env)
    imported = json.loads(run([python, "-c", "import json, hub, federation; "
                               "print(json.dumps([hub.__file__, federation.__file__, hub.__version__]))"],
                              cwd=operator, env=env))
    assert all(Path(path).is_relative_to(environment) for path in imported[:2]), imported
    assert imported[2] == __version__

    run_command(["init"], data_dir, executable=communityhub, cwd=operator)
    run_command(["seed-demo", "--seed", "3"], data_dir, executable=communityhub, cwd=operator)
    village, numbers = stored_village(data_dir)

    with running_hub(data_dir, executable=communityhub, cwd=operator) as base_url:
        status, headers, body = fetch(base_url + "/healthz")
        assert status == 200 and headers.get_content_type() == "application/json"
        health = json.loads(body)
        assert health["status"] == "ok" and health["version"] == __version__

        status, headers, body = fetch(base_url + "/", headers={"Accept-Language": "en"})
        page = body.decode()
        assert status == 200 and headers.get_content_type() == "text/html"
        assert '<html lang="en">' in page and village in html.unescape(page)
        assert all(f'href="tel:{number}"' in page for _, number in numbers)
        assert "/static/style.css" in page

        # The installed catalogs are the ones the pages use.
        translations = Path(imported[0]).parent / "translations"
        for catalog in sorted(translations.glob("*/LC_MESSAGES/messages.mo")):
            language = catalog.parent.parent.name
            heading = gettext.translation("messages", translations, [language]).gettext("Emergency numbers")
            status, _, body = fetch(base_url + "/", headers={"Accept-Language": language})
            assert status == 200 and f'<html lang="{language}">' in body.decode()
            assert heading in html.unescape(body.decode()), language

        status, headers, body = fetch(base_url + "/static/style.css")
        assert status == 200 and headers.get_content_type() == "text/css"
        assert body == (source / "static" / "style.css").read_bytes()

        status, _, body = fetch(base_url + "/static/icons.svg")
        assert status == 200 and b"<symbol" in body
