"""Export filed reports to a CSV file that Excel (Swedish settings) opens directly.

    python -m scripts.export_cases --from 2026-01-01 --to 2026-12-31 [--kind avvikelse]
                                   [--kommun Vetlanda] [--out avvikelser.csv] [--data-dir data]
                                   [--knowledge-dir knowledge] [--include-reporter]

One row per report, oldest first, all form answers as people read them (multi-choice answers
joined with "; "), status, who received it, and the latest coordinator comment. The file is
UTF-8 with a byte order mark and ";" between columns. The period counts the Swedish calendar
day the report came in; both ends are inclusive and optional. The reporter's name is left out
unless --include-reporter is given (the yearly compilation does not need it).

Reads the bot's database (DATA_DIR/samverkanslotsen.sqlite3); safe while the bot is running.
Exit code 0 when the file was written, 1 when the database or a kommun is not found, 2 on
wrong arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any, Sequence

from lotsen import cases
from lotsen.kb import load_knowledge_base
from lotsen.settings import ROOT
from lotsen.texts import say

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _date(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(say("cli.export.not_a_date", text=repr(text))) from None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.export_cases", description=say("cli.export.description"))
    parser.add_argument("--from", dest="date_from", type=_date, help=say("cli.export.from_help"))
    parser.add_argument("--to", dest="date_to", type=_date, help=say("cli.export.to_help"))
    parser.add_argument("--kind", default="avvikelse", help=say("cli.export.kind_help"))
    parser.add_argument("--kommun", help=say("cli.export.kommun_help"))
    parser.add_argument("--out", type=Path, help=say("cli.export.out_help"))
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=say("cli.export.data_dir_help"),
    )
    parser.add_argument(
        "--knowledge-dir", type=Path, default=Path(os.environ.get("KNOWLEDGE_DIR", "").strip() or ROOT / "knowledge")
    )
    parser.add_argument("--include-reporter", action="store_true", help=say("cli.export.include_reporter_help"))
    args = parser.parse_args(argv)
    if args.date_from and args.date_to and args.date_from > args.date_to:
        parser.error(say("cli.export.from_after_to"))
    return args


def safe_cell(value: Any) -> str:
    """Text as Excel should show it: a cell that starts like a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([safe_cell(cell) for cell in row])


def main(argv: Sequence[str] | None = None, *, out=sys.stdout, err=sys.stderr) -> int:
    args = parse_args(argv)
    data_dir = args.data_dir or Path(os.environ.get("DATA_DIR", "").strip() or ROOT / "data")
    database: str | Path = data_dir / "samverkanslotsen.sqlite3"
    if os.environ.get("DATABASE_URL", "").strip() and args.data_dir is None:
        database = os.environ["DATABASE_URL"].strip()
    elif not database.exists():
        print(say("cli.export.no_database", data_dir=data_dir, file=database.name), file=err)
        return 1
    kb = load_knowledge_base(args.knowledge_dir)
    municipality = None
    if args.kommun:
        muni = kb.municipalities.get(args.kommun.lower()) or kb.municipality_by_name(args.kommun)
        if muni is None:
            print(say("cli.export.unknown_municipality", name=repr(args.kommun)), file=err)
            return 1
        municipality = muni.id

    import dialogs
    from dialogs.export import export_table, latest_comments
    from lotsen.storage import connect

    kinds = dialogs.case_kinds(dialogs.build_flows(), kb)
    if args.kind not in kinds:
        print(say("cli.export.unknown_kind", kind=repr(args.kind), kinds=", ".join(kinds.ids())), file=err)
        return 2

    async def read() -> tuple[list[str], list[list[str]]]:
        store = await connect(database)
        try:
            reports = await cases.list_cases(
                store, kinds=(args.kind,), municipality=municipality, date_from=args.date_from, date_to=args.date_to
            )
            reports.reverse()  # oldest first
            return export_table(
                kb, kinds, reports, await latest_comments(store, reports), include_reporter=args.include_reporter
            )
        finally:
            await store.close()

    header, rows = asyncio.run(read())
    target = args.out or Path(
        say(
            "cli.export.default_file",
            kind=args.kind,
            date_from=args.date_from or say("cli.export.open_start"),
            date_to=args.date_to or say("cli.export.open_end"),
        )
    )
    write_csv(target, header, rows)
    if len(rows) == 1:
        print(say("cli.export.wrote_one", target=target), file=out)
    else:
        print(say("cli.export.wrote", count=len(rows), target=target), file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
