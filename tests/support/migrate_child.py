"""A process that opens (and so migrates) a database the moment its parent says "go".

    python -m tests.support.migrate_child <sqlite path | postgresql://…>

Prints "ready" once imported, waits for a line on stdin, opens the store, files one case and
prints the schema version."""

from __future__ import annotations

import asyncio
import sys
import uuid
from tests.support.kinds import PREFIX


async def main(database: str) -> None:
    from lotsen import cases
    from lotsen.storage import connect

    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    store = await connect(database)
    try:
        await cases.file_case(
            store,
            kind="avvikelse",
            prefix=PREFIX["avvikelse"],
            form_id=uuid.uuid4().hex,
            municipality=None,
            reporter_aad="a",
            reporter_name="A",
            reporter_ref=None,
            wants_feedback=False,
            data={},
        )
        print(await store.schema_version(), flush=True)
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
