"""Two processes opening one fresh database at the same moment: both migrate safely (the
version is read under the write lock), 20 times in a row, no failure."""

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
