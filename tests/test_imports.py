"""Dependencies point one way: checked by reading the imports of every module."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imports_of(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def modules(package):
    return sorted((ROOT / package).rglob("*.py"))


def test_bleach__imported_in_one_module_only():
    users = [str(p.relative_to(ROOT)) for p in modules("hub") + modules("federation")
             if any(name.split(".")[0] == "bleach" for name in imports_of(p))]
    assert len(users) <= 1, users


def test_hub__only_cli_scheduler_doctor_and_sharing_call_federation():
    allowed = {"hub/cli.py", "hub/scheduler.py", "hub/doctor.py"}
    offenders = [str(p.relative_to(ROOT)) for p in modules("hub")
                 if str(p.relative_to(ROOT)) not in allowed
                 and not str(p.relative_to(ROOT)).startswith("hub/sharing/")
                 and any(name.split(".")[0] == "federation" for name in imports_of(p))]
    assert offenders == []


def test_migrations__never_import_live_models():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "hub" / "migrations").glob("*.py")
                 if any(name.startswith("hub.") for name in imports_of(p))]
    assert offenders == []


def test_importing__opens_no_database():
    # STYLE rule 1: importing the app, the CLI and every area does no work; checked in a fresh process.
    import subprocess
    import sys

    code = ("import hub.app, hub.cli, hub.demo, hub.doctor; from hub import db; "
            "assert db.database.deferred, 'the database was initialised at import'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
