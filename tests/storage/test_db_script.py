"""scripts/db.py: `migrate` on the configured database and `copy` from SQLite into PostgreSQL."""

from __future__ import annotations

import io
from datetime import timedelta


from lotsen import cases
from lotsen.storage import connect
from scripts import db
from tests.storage.conftest import fresh_postgres_database
from tests.support.kinds import file_test_case


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = db.main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_migrate_creates_and_reports_the_sqlite_schema(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    code, out, _ = run("migrate")
    path = tmp_path / "samverkanslotsen.sqlite3"
    assert code == 0 and path.exists()
    from lotsen.storage.sqlite import SqliteStore

    latest = SqliteStore(path).latest_version
    assert f"schema version {latest}" in out and str(path) in out
    assert run("migrate")[1] == out  # running it again changes nothing


def test_copy_refuses_a_non_postgres_target(tmp_path):
    code, _, err = run("copy", "--to", "sqlite:///x", "--from", str(tmp_path / "x.sqlite3"))
    assert code == 2 and "postgresql://" in err


async def _filled_sqlite(path):
    store = await connect(path)
    try:
        for n in range(3):
            await file_test_case(
                store,
                "avvikelse",
                f"form-{n}",
                "vetlanda",
                reporter_aad="aad-1",
                reporter_name="Anna",
                data={"values": {"x": "å"}},
            )
        await store.drafts.save("k", "avvikelse", {"step": 1, "text": "Åsa"}, timedelta(hours=72))
        await store.audit.record("inside", "x")
    finally:
        await store.close()


async def test_copy_moves_every_row_into_postgres_and_refuses_a_second_time(tmp_path):
    url, drop = await fresh_postgres_database()
    try:
        source = tmp_path / "samverkanslotsen.sqlite3"
        await _filled_sqlite(source)
        import asyncio

        code, out, err = await asyncio.to_thread(run, "copy", "--to", url, "--from", str(source))
        assert code == 0, err
        assert "counts match" in out and "MISMATCH" not in out
        lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:-1]}
        assert lines["cases"] == ["3", "3"] and lines["drafts"] == ["1", "1"]

        pg = await connect(url)
        try:
            copied = await cases.list_cases(pg, kinds=("avvikelse",))
            assert sorted(c.form_id for c in copied) == ["form-0", "form-1", "form-2"]
            assert (await pg.drafts.get("k")).data == {"step": 1, "text": "Åsa"}
            # New rows get fresh ids and references after the copied ones.
            new, _ = await file_test_case(
                pg, "avvikelse", "form-new", "vetlanda", reporter_aad="aad-1", reporter_name="Anna"
            )
            assert new.id > max(c.id for c in copied)
            assert new.reference not in {c.reference for c in copied}
        finally:
            await pg.close()

        code, out, err = await asyncio.to_thread(run, "copy", "--to", url, "--from", str(source))
        assert code == 1 and "already has rows" in err and "cases (4)" in err
    finally:
        await drop()
