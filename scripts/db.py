"""Database chores for operators.

    python -m scripts.db migrate                       # apply migrations, print the schema version
    python -m scripts.db copy --to postgresql://…      # copy the SQLite database into PostgreSQL

The database is the one the app would open: DATABASE_URL (PostgreSQL) when set, otherwise
samverkanslotsen.sqlite3 in DATA_DIR (default ./data). `copy` reads that SQLite file
(or --from) and writes into a migrated, empty PostgreSQL database, then compares row counts
per table. It refuses a target that already has rows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Sequence

from lotsen.settings import ROOT
from lotsen.storage import is_postgres_url


def sqlite_path() -> Path:
    return Path(os.environ.get("DATA_DIR", "").strip() or ROOT / "data") / "samverkanslotsen.sqlite3"


def configured_database() -> str | Path:
    return os.environ.get("DATABASE_URL", "").strip() or sqlite_path()


def main(argv: Sequence[str] | None = None, *, out=sys.stdout, err=sys.stderr) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.db", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply pending migrations to the configured database")
    copy = sub.add_parser("copy", help="copy the SQLite database into an empty PostgreSQL database")
    copy.add_argument("--to", required=True, metavar="postgresql://…", help="the target PostgreSQL URL")
    copy.add_argument(
        "--from",
        dest="source",
        type=Path,
        default=None,
        help="the SQLite file (default: samverkanslotsen.sqlite3 in DATA_DIR)",
    )
    args = parser.parse_args(argv)

    from lotsen.storage.postgres.copy import CopyRefused, copy_sqlite_to_postgres, migrate

    if args.command == "migrate":
        database = configured_database()
        version, backend = asyncio.run(migrate(database))
        where = "PostgreSQL (DATABASE_URL)" if backend == "postgresql" else f"SQLite {database}"
        print(f"{where}: schema version {version}", file=out)
        return 0

    if not is_postgres_url(args.to):
        print("--to must be a postgresql:// URL", file=err)
        return 2
    source = args.source or sqlite_path()
    try:
        counts = asyncio.run(copy_sqlite_to_postgres(source, args.to))
    except CopyRefused as refused:
        print(f"copy refused: {refused}", file=err)
        return 1
    width = max(len(t) for t in counts)
    print(f"{'table':<{width}}  {'sqlite':>8}  {'postgresql':>10}", file=out)
    for table, (n_source, n_target) in counts.items():
        print(
            f"{table:<{width}}  {n_source:>8}  {n_target:>10}{'' if n_source == n_target else '  MISMATCH'}", file=out
        )
    if any(a != b for a, b in counts.values()):
        print("row counts differ: do not switch to the PostgreSQL database", file=err)
        return 1
    print(f"copied {sum(a for a, _ in counts.values())} rows in {len(counts)} tables; counts match", file=out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
