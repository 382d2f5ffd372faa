"""A process that opens (and so migrates) a database the moment its parent says "go".

    python -m tests.support.migrate_child <sqlite path | postgresql://…>

Prints "ready" once imported, waits for a line on stdin, opens the store, files one case and
prints the schema version."""

from __future__ import annotations

import asyncio
import sys
import uuid
from tests.support.kinds import file_test_case


async def main(database: str) -> None:
    from lotsen.storage import connect

    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    store = await connect(database)
    try:
        await file_test_case(store, "avvikelse", uuid.uuid4().hex)
        print(await store.schema_version(), flush=True)
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
