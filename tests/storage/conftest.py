"""The repositories' contract, run against every backend.

SQLite always runs. PostgreSQL runs when the PG* variables name a server (`make test` starts
one with pg_virtualenv); without one the PostgreSQL cases are skipped, except under CI=true
where a missing server is an error."""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone

import pytest

from lotsen.storage import connect


def postgres_url() -> str | None:
    """A URL for the server in the PG* environment (pg_virtualenv), or None."""
    if os.environ.get("LOTSEN_TEST_DATABASE_URL"):
        return os.environ["LOTSEN_TEST_DATABASE_URL"]
    if not os.environ.get("PGHOST") and not os.environ.get("PGPORT"):
        return None
    from urllib.parse import quote

    user = quote(os.environ.get("PGUSER", "postgres"))
    password = os.environ.get("PGPASSWORD")
    auth = f"{user}:{quote(password)}@" if password else f"{user}@"
    host = os.environ.get("PGHOST", "localhost")
    host = quote(host, safe="") if host.startswith("/") else host
    return f"postgresql://{auth}{host}:{os.environ.get('PGPORT', '5432')}/{os.environ.get('PGDATABASE', 'postgres')}"


def require_postgres() -> str:
    url = postgres_url()
    if url is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                "CI=true but no PostgreSQL server in the environment (PGHOST/PGPORT): "
                "run the tests with `make test`, which starts one with pg_virtualenv"
            )
        pytest.skip("no PostgreSQL server (PGHOST/PGPORT unset); `make test` starts one")
    return url


async def fresh_postgres_database(clock=None, **options):
    """A store on a new, empty database of its own on the test server (dropped by the caller's
    `drop()`)."""
    base = require_postgres()
    import psycopg

    name = f"lotsen_test_{uuid.uuid4().hex[:12]}"
    async with await psycopg.AsyncConnection.connect(base, autocommit=True) as conn:
        await conn.execute(f'CREATE DATABASE "{name}"')
    url = base.rsplit("/", 1)[0] + f"/{name}"

    async def drop() -> None:
        async with await psycopg.AsyncConnection.connect(base, autocommit=True) as conn:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url, drop


class Clock:
    def __init__(self):
        self.moment = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request, tmp_path):
    """A URL or path of a fresh, empty database of each backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "contract.sqlite3")
        return
    url, drop = await fresh_postgres_database()
    try:
        yield url
    finally:
        await drop()


@pytest.fixture
async def store(database, clock):
    s = await connect(database, clock=clock)
    try:
        yield s
    finally:
        await s.close()
