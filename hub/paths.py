"""Where the shared templates/, static/ and translations/ folders are, installed or in a checkout.

A built wheel carries templates/ and static/ inside the `hub` package (see setup.py); a source
checkout keeps them at the top level, beside `hub/`.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def asset_dir(name):
    """The folder `name` (templates or static) of this installation."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


TRANSLATIONS_DIR = PACKAGE_DIR / "translations"
