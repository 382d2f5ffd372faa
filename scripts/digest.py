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
from lotsen.texts import say


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.digest", description=say("cli.digest.description"))
    parser.add_argument("--days", type=int, default=digest.DAYS, help=say("cli.digest.days_help"))
    parser.add_argument("--card", action="store_true", help=say("cli.digest.card_help"))
    parser.add_argument("--data-dir", type=Path, default=None, help=say("cli.digest.data_dir_help"))
    parser.add_argument("--send", type=int, metavar="PID", help=say("cli.digest.send_help"))
    args = parser.parse_args(argv)

    if args.send:
        if not hasattr(signal, "SIGUSR1"):
            print(say("cli.digest.no_sigusr1"), file=sys.stderr)
            return 2
        try:
            os.kill(args.send, signal.SIGUSR1)
        except ProcessLookupError:
            print(say("cli.digest.no_process", pid=args.send), file=sys.stderr)
            return 1
        print(say("cli.digest.asked", pid=args.send))
        return 0

    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(say("cli.digest.settings_error", error=exc), file=sys.stderr)
        return 2
    database: str | Path = (args.data_dir or settings.data_dir) / settings.database_path.name
    if settings.database_url and not args.data_dir:
        database = settings.database_url
    elif not Path(database).exists():
        print(say("cli.digest.no_database", database=database), file=sys.stderr)
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
