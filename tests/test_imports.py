"""Dependencies point one way: checked by reading the imports of every module (docs/architecture.md says
which imports are never allowed, and why)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Sub-packages of hub that are not village areas: the schema's steps and the demo village's builder.
NOT_AREAS = {"migrations", "demo", "translations"}
VILLAGE_AREAS = sorted(path.parent.name for path in (ROOT / "hub").glob("*/__init__.py")
                       if path.parent.name not in NOT_AREAS)


def imports_of(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def modules(package):
    return sorted((ROOT / package).rglob("*.py"))


def imported_names(path):
    """Every dotted name a module imports: `from a.b import c` gives a.b and a.b.c."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def village_area_of(name):
    """The village area a dotted name belongs to (hub.cases.service -> "cases"), or None."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "hub" and parts[1] in VILLAGE_AREAS else None


def relative(path):
    return str(path.relative_to(ROOT))


def test_village_areas__found():
    assert {"cases", "people", "sharing", "auth"} <= set(VILLAGE_AREAS)


def test_federation__imports_no_village_area_but_summary_reads_hub_models():
    # The pipeline's stages are pure and shared with the district: only `summary` reads the village's records.
    offenders = {relative(path): sorted({name for name in imported_names(path) if village_area_of(name)})
                 for path in modules("federation") if relative(path) != "federation/summary.py"}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_aggregator__imports_no_village_area_and_not_the_hub_command():
    # hub.cli registers the village's commands on import, and with them its areas.
    offenders = {relative(path): sorted({name for name in imported_names(path)
                                         if village_area_of(name) or name.startswith("hub.cli")})
                 for path in modules("federation/aggregator")}
    assert {path: names for path, names in offenders.items() if names} == {}


def private_names_used(path):
    """Private names (`_x`, not dunders) a module takes from another module, by import or by attribute."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules_bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    yield f"{node.module}.{alias.name}"
                modules_bound.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules_bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules_bound
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            yield f"{node.value.id}.{node.attr}"


def test_aggregator__uses_no_private_name_of_another_module():
    offenders = {relative(path): sorted(set(private_names_used(path))) for path in modules("federation/aggregator")}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_district_process__loads_no_village_area():
    # What the imports above promise, seen in a fresh process: the aggregator's app and commands load only
    # the hub's shell modules (database, forms, languages, settings), never an area.
    import subprocess
    import sys

    code = ("import sys, federation.aggregator.app, federation.aggregator.cli; "
            f"areas = {VILLAGE_AREAS!r}; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'hub' and m.count('.') "
            "and m.split('.')[1] in areas or m == 'hub.cli'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


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



# Run in a fresh interpreter: imports each module alone, each in its own forked child, after the third-party
# libraries (which cannot take part in a cycle of ours) so each child only loads the project's modules.
IMPORT_EACH = """
import importlib, os, sys
import flask, flask_babel, flask_wtf, jinja2, peewee, wtforms
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except Exception as error:
            print(f"{name}: {type(error).__name__}: {error}")
            sys.stdout.flush()
            os._exit(1)
        os._exit(0)
    os.waitpid(pid, 0)
"""


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_every_module__imports_on_its_own():
    # A script, a command or a test may import any one module first: no import cycle may depend on the
    # order the app happens to load things in (an area's package used to load its views, and through them
    # half the hub, so `import hub.clockcheck.service` alone failed).
    import subprocess
    import sys

    names = [module_name(path) for path in modules("hub") + modules("federation") if path.name != "__main__.py"]
    result = subprocess.run([sys.executable, "-c", IMPORT_EACH, *names], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_area_packages__define_only_their_blueprint():
    # The root of the cycles above: routes and template globals are wired in the area's routes.py, which
    # only hub.app imports, so `hub.<area>` stays a leaf any module can import.
    offenders = {area: names for area in VILLAGE_AREAS
                 if (names := sorted(name for name in imports_of(ROOT / "hub" / area / "__init__.py")
                                     if name.split(".")[0] == "hub"))}
    assert offenders == {}


WRITES = {"create", "update", "insert", "insert_many", "replace", "delete", "delete_by_id", "get_or_create",
          "bulk_create", "bulk_update"}


def foreign_model_writes(path):
    """`Model.create/update/...` calls in an area's module on a model imported from another area's models."""
    own = relative(path).split("/")[1]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    foreign = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               and node.module and node.module.endswith(".models") and village_area_of(node.module) not in (None, own)
               for alias in node.names}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES
                and isinstance(node.func.value, ast.Name) and node.func.value.id in foreign):
            yield f"{node.func.value.id}.{node.func.attr}"


def test_areas__write_only_their_own_models():
    # Each area's service is the only writer of its models (STYLE rule 5): another area asks that service.
    offenders = {relative(path): sorted(set(foreign_model_writes(path))) for path in modules("hub")
                 if village_area_of(".".join(path.relative_to(ROOT).with_suffix("").parts))}
    assert {path: names for path, names in offenders.items() if names} == {}


ROLE_NAMES = {"COORDINATOR", "CASE_WORKER", "FACILITATOR", "MEMBER"}


def role_groups_spelled_out(path):
    """Tuples, lists and sets of two or more roles (`(User.COORDINATOR, User.CASE_WORKER)`) in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Tuple | ast.List | ast.Set) or isinstance(getattr(node, "ctx", None), ast.Store):
            continue  # `COORDINATOR, CASE_WORKER, ... = User.ROLES` names the roles, it groups none
        if len(node.elts) >= 2 and all((isinstance(elt, ast.Attribute) and elt.attr in ROLE_NAMES)
                                       or (isinstance(elt, ast.Name) and elt.id in ROLE_NAMES) for elt in node.elts):
            yield node.lineno


def test_role_groups__defined_once_on_the_user_model():
    # CASE_STAFF and the rest live on hub.auth.models.User; a second spelling would drift from it.
    offenders = {relative(path): list(role_groups_spelled_out(path)) for path in modules("hub") + modules("federation")
                 if relative(path) != "hub/auth/models.py"}
    assert {path: lines for path, lines in offenders.items() if lines} == {}


def test_migrations__one_runner_for_hub_and_aggregator():
    # hub/migrator.py alone decides how steps are found, ordered and recorded.
    recorders = [relative(path) for path in modules("hub") + modules("federation")
                 if "schema_migration (" in path.read_text(encoding="utf-8")
                 or "pkgutil.iter_modules" in path.read_text(encoding="utf-8")]
    assert recorders == ["hub/migrator.py"]
