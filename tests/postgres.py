"""A throwaway PostgreSQL cluster for the aggregator's tests: made at the start of the session, removed at
the end, nothing shared with a system cluster.

Debian's postgresql package (installed by `make test`) gives initdb and pg_ctl under
/usr/lib/postgresql/<version>/bin. initdb refuses to run as root, so as root the cluster is made and run as
the `postgres` user in a temporary folder it owns. The server listens on a free port on 127.0.0.1 only
(trust authentication there) with its socket in that folder; each test gets a database of its own, copied
from a template the aggregator's migrations were applied to once (the same tables `aggregator init` makes).
If the binaries are missing the fixture fails, with how to install them: the aggregator must be tested
on PostgreSQL, not silently only on SQLite.
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.server import LOOPBACK, free_port

BIN_GLOB = "/usr/lib/postgresql/*/bin"
START_TIMEOUT = 60  # seconds for pg_ctl to see the server accept connections
USER = "postgres"


@dataclass
class Cluster:
    """A running throwaway cluster: connect as `user` to 127.0.0.1:`port`."""

    port: int
    folder: Path
    bin_dir: Path
    user: str = USER

    def url(self, database):
        return f"postgresql://{self.user}@{LOOPBACK}:{self.port}/{database}"

    def admin(self, sql):
        """Run one statement in the `postgres` database (CREATE / DROP DATABASE)."""
        import psycopg2

        connection = psycopg2.connect(host=LOOPBACK, port=self.port, user=self.user, dbname="postgres",
                                      connect_timeout=10)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def create_database(self, template=None):
        name = "test_" + uuid.uuid4().hex[:12]
        self.admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return name

    def drop_database(self, name):
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def binaries():
    """The newest PostgreSQL bin folder with initdb and pg_ctl; pytest.fail with the remedy otherwise."""
    found = sorted((Path(p) for p in glob.glob(BIN_GLOB) if (Path(p) / "initdb").exists()
                    and (Path(p) / "pg_ctl").exists()), key=lambda p: int(p.parent.name.split(".")[0]))
    if not found:
        pytest.fail("PostgreSQL is not installed (no initdb/pg_ctl under /usr/lib/postgresql/*/bin): "
                    "run `make test`, which installs it, or `apt-get install postgresql`.", pytrace=False)
    return found[-1]


def _as_postgres(command, **kwargs):
    """Run command as the postgres user when we are root (initdb refuses root), as ourselves otherwise."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", USER, "--", *command]
    return subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL, **kwargs)


def _check(result, what):
    if result.returncode != 0:
        pytest.fail(f"{what} failed with status {result.returncode}:\n{result.stdout}\n{result.stderr}",
                    pytrace=False)


def start_cluster(durable=False):
    """Make, start and return a Cluster; stop_cluster() removes it. Tests run without fsync; durable=True
    keeps PostgreSQL's own settings (fsync, synchronous commits, full page writes on), as the bench wants."""
    bin_dir = binaries()
    folder = Path(tempfile.mkdtemp(prefix="communityhub-pg-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam(USER)
        except KeyError:
            pytest.fail(f"no `{USER}` user to run PostgreSQL as (the postgresql package makes it)",
                        pytrace=False)
        os.chown(folder, account.pw_uid, account.pw_gid)
    os.chmod(folder, 0o700)
    data = folder / "data"
    port = free_port()
    _check(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust",
                         "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"], timeout=120), "initdb")
    options = (f"-c listen_addresses={LOOPBACK} -c port={port} -c unix_socket_directories={folder} "
               "-c max_connections=100")
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    _check(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                         str(folder / "server.log"), "-w", "-t", str(START_TIMEOUT), "start"],
                        timeout=START_TIMEOUT + 30), "pg_ctl start")
    cluster = Cluster(port, folder, bin_dir)
    deadline = time.monotonic() + START_TIMEOUT
    while True:  # pg_ctl -w waited already; this proves TCP on loopback answers too
        try:
            cluster.admin("SELECT 1")
            return cluster
        except Exception:
            if time.monotonic() > deadline:
                stop_cluster(cluster)
                raise
            time.sleep(0.2)


def stop_cluster(cluster):
    _as_postgres([str(cluster.bin_dir / "pg_ctl"), "-D", str(cluster.folder / "data"), "-m", "immediate",
                  "-w", "-t", "30", "stop"], timeout=60)
    shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL cluster for the whole session."""
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        stop_cluster(cluster)


@pytest.fixture(scope="session")
def migrated_postgres(postgres_cluster, tmp_path_factory):
    """The name of a database with every aggregator migration applied, for test databases to copy."""
    from federation.aggregator import db, migrations

    name = postgres_cluster.create_database()
    real = db.make(postgres_cluster.url(name), tmp_path_factory.mktemp("unused"))
    with real.connection_context():
        migrations.migrate(real)
    real.close_all()  # a template must have no connections when it is copied
    return name


@pytest.fixture
def postgres_url(postgres_cluster, migrated_postgres):
    """The URL of a new migrated database holding no rows, dropped after the test."""
    name = postgres_cluster.create_database(template=migrated_postgres)
    try:
        yield postgres_cluster.url(name)
    finally:
        postgres_cluster.drop_database(name)
