"""The weekly digest by hand, for testing.

python -m scripts.digest [--days 7] [--card]
    Show the digest the bot would post now, from the bot's database (DATA_DIR), as text
    (or, with --card, as the Adaptive Card JSON). Nothing is sent.

python -m scripts.digest --send PID
    Ask the running bot (process id PID) to post the digest now to every channel connected
    with "koppla kanal sammanfattning" (the same as "skicka sammanfattning" in chat, or
    `kill -USR1 PID`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import dialogs
from lotsen import digest
from lotsen.kb.loader import check_knowledge_base
from lotsen.settings import Settings, SettingsError
from lotsen.storage import connect, utcnow


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.digest", description="Veckosammanfattningen för hand.")
    parser.add_argument("--days", type=int, default=digest.DAYS, help="antal dagar bakåt (standard 7)")
    parser.add_argument("--card", action="store_true", help="skriv ut kortet som JSON")
    parser.add_argument("--data-dir", type=Path, default=None, help="botens DATA_DIR (standard: som boten)")
    parser.add_argument("--send", type=int, metavar="PID", help="be den körande boten (process-id) skicka nu")
    args = parser.parse_args(argv)

    if args.send:
        if not hasattr(signal, "SIGUSR1"):
            print(
                "Det här systemet saknar SIGUSR1: skriv ”skicka sammanfattning” i chatten i stället.", file=sys.stderr
            )
            return 2
        try:
            os.kill(args.send, signal.SIGUSR1)
        except ProcessLookupError:
            print(f"Ingen process med id {args.send}.", file=sys.stderr)
            return 1
        print(f"Bad boten (process {args.send}) att skicka veckosammanfattningen nu. Se botens logg för resultatet.")
        return 0

    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"Konfigurationsfel: {exc}", file=sys.stderr)
        return 2
    database: str | Path = (args.data_dir or settings.data_dir) / settings.database_path.name
    if settings.database_url and not args.data_dir:
        database = settings.database_url
    elif not Path(database).exists():
        print(f"Databasen {database} finns inte ännu: boten har inte körts med den här DATA_DIR.", file=sys.stderr)
        return 1

    kb, _ = check_knowledge_base(settings.knowledge_dir)
    kinds = dialogs.case_kinds(dialogs.build_flows(), kb) if kb is not None else None  # as create_app builds them

    async def build() -> digest.Digest:
        store = await connect(database)
        try:
            return await digest.build_digest(store, utcnow(), kinds=kinds, days=max(1, args.days))
        finally:
            await store.close()

    d = asyncio.run(build())
    zone = ZoneInfo(settings.digest_timezone)
    if args.card:
        print(json.dumps(digest.digest_card(d, kb, zone), ensure_ascii=False, indent=2))
    else:
        print("\n".join(digest.digest_lines(d, kb, zone)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
