"""Two processes opening one fresh database at the same moment: both migrate safely (SQLite:
the version is read under the write lock; PostgreSQL: one transaction under an advisory lock,
without which the test fails), 20 times in a row on each backend, no failure."""

from __future__ import annotations

import subprocess
import sys

from lotsen.storage import migrate
from lotsen.storage.sqlite import MIGRATIONS_DIR
from tests.conftest import ROOT
from tests.support.db import sql

ROUNDS = 20


class SqliteFile:
    backend = "sqlite"

    def __init__(self, path):
        self.path = path


def race(database: str) -> list[tuple[int, str, str]]:
    """Start two children, release them together; (exit code, stdout, stderr) of each."""
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.support.migrate_child", database],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for child in children:
        assert child.stdout.readline().strip() == "ready"
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    results = []
    for child in children:
        out, err = child.communicate(timeout=60)
        results.append((child.returncode, out.strip(), err))
    return results


def test_two_processes_migrate_a_fresh_sqlite_database_at_once(tmp_path):
    latest = len(migrate.load(MIGRATIONS_DIR))
    for round_ in range(ROUNDS):
        path = tmp_path / f"race-{round_}.sqlite3"
        results = race(str(path))
        assert [(code, out) for code, out, _ in results] == [(0, str(latest))] * 2, (
            f"round {round_}: {[err[-800:] for _, _, err in results]}"
        )
        db = sql(SqliteFile(path))
        assert db.execute("PRAGMA user_version").fetchone()[0] == latest
        references = [r[0] for r in db.execute("SELECT reference FROM cases ORDER BY reference")]
        assert [ref[-5:] for ref in references] == ["-0001", "-0002"], references  # one case each, in sequence


class PostgresDatabase:
    backend = "postgresql"

    def __init__(self, url):
        self.url = url


def test_two_processes_migrate_a_fresh_postgresql_database_at_once():
    """The same race on PostgreSQL (migrations under an advisory lock, in one transaction): a new
    empty database per round on the test server."""
    import uuid

    import psycopg

    from lotsen.storage.postgres import MIGRATIONS_DIR as PG_MIGRATIONS
    from tests.storage.conftest import require_postgres

    base = require_postgres()
    latest = len(migrate.load(PG_MIGRATIONS))
    for round_ in range(ROUNDS):
        name = f"lotsen_race_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = base.rsplit("/", 1)[0] + f"/{name}"
        try:
            results = race(url)
            assert [(code, out) for code, out, _ in results] == [(0, str(latest))] * 2, (
                f"round {round_}: {[err[-800:] for _, _, err in results]}"
            )
            db = sql(PostgresDatabase(url))
            references = [r["reference"] for r in db.execute("SELECT reference FROM cases ORDER BY reference")]
            assert [ref[-5:] for ref in references] == ["-0001", "-0002"], references  # one case each, in sequence
        finally:
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
