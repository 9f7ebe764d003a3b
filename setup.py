"""Build hook: ship the top-level templates/ and static/ inside the wheel and compile the catalogs.

Everything else about the package is declared in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
ASSET_DIRS = ("templates", "static")


class BuildWithAssets(build_py):
    """Copy the shared asset folders into the `hub` package and compile .po files to .mo."""

    def run(self):
        super().run()
        package_dir = Path(self.build_lib) / "hub"
        for name in ASSET_DIRS:
            target = package_dir / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(ROOT / name, target)
        compile_catalogs(package_dir / "translations")


def compile_catalogs(translations_dir):
    """Write a .mo beside every .po under translations_dir."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in Path(translations_dir).glob("*/LC_MESSAGES/*.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog)


setup(cmdclass={"build_py": BuildWithAssets})
