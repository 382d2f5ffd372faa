"""Build and check a knowledge base in a separate process (a reload of a large knowledge base).

A thread in the bot's own process would hold the GIL for long stretches (the YAML parser and
other C calls do not let go of it), so requests wait on it. Here the work runs in a child
process (`python -m lotsen.kb.isolated`); the bot's event loop only reads the result from a
pipe and unpickles it piece by piece, each piece small (PIECE_BYTES), yielding to other tasks
in between. The child then runs the quality check on the same snapshot while the new
knowledge base already answers in the bot.

Protocol on the child's stdout: messages of an 8-byte big-endian length and a pickle:
("errors", [Problem]) | ("kb", KnowledgeBase without entries) | ("part", attribute, kind,
value) … (the entries as "kb.entries", then the matcher's attributes) |
("ready",) | ("cache", file, key, records, problems | None) … (forked: the files read anew, for
the bot's loader cache, in pieces; problems on a file's last piece) | ("warnings", [Problem], KbDiff | None) | ("failed", traceback text). The parameters come as one
pickle on stdin. Only this package's own code runs on both ends (pickle is safe here).
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import os
import pickle
import signal
import struct
import sys
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from lotsen.kb.diff import KbDiff, diff_knowledge
from lotsen.kb.loader import Problem, ReadCache
from lotsen.knowledge import Snapshot
from lotsen.matching import Matcher

PIECE_BYTES = 256 * 1024  # a piece unpickles in a few milliseconds
CACHE_RECORDS_PER_PIECE = 500  # loader records (one entry each) per message
# The build runs at the bot's own priority: on a machine shared with other busy processes a
# lower one starved it (a 10,000-entry reload took minutes under load). Only the quality check
# after it, which nobody waits for, yields to everything else.
CHECK_NICENESS = 10
_HEADER = struct.Struct(">Q")


class IsolatedBuildFailed(RuntimeError):
    """The child process could not be started or died; the caller falls back to a thread."""


@dataclass
class Built:
    kb: Any = None
    matcher: Matcher | None = None
    errors: list[Problem] = field(default_factory=list)


# --- child ----------------------------------------------------------------------------------


def _send(out: BinaryIO, message: tuple) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_HEADER.pack(len(data)))
    out.write(data)
    out.flush()


def _pieces(value: Any) -> list[tuple[str, Any]]:
    """A large list or dict split into pieces that pickle to about PIECE_BYTES each."""
    if not isinstance(value, (list, dict)) or len(value) < 2:
        return [("whole", value)]
    items = list(value.items()) if isinstance(value, dict) else value
    total = len(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    if total <= PIECE_BYTES:
        return [("whole", value)]
    step = max(1, len(items) * PIECE_BYTES // total)
    kind = "dict" if isinstance(value, dict) else "list"
    return [
        (kind, dict(items[i : i + step]) if kind == "dict" else items[i : i + step]) for i in range(0, len(items), step)
    ]


def child_main(stdin: BinaryIO, stdout: BinaryIO) -> int:
    """The child started as `python -m lotsen.kb.isolated` (where fork is not available)."""
    return _build_and_send(stdout, pickle.load(stdin), None, None)


def _forked_main(fd: int, args: tuple, previous: Snapshot | None, cache: ReadCache | None) -> int:
    """The child forked from the bot: it already has the bot's modules, its knowledge base
    (`previous`) and the loader's cache of the files read before, so it parses only the files
    that changed and analyses only the phrasings that may have."""
    # The bot's signal handlers write to its event loop's wake-up pipe, which this copy
    # shares: a signal to this process must not look like one to the bot.
    signal.set_wakeup_fd(-1)
    for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGUSR1"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    gc.freeze()  # what the bot had: never walked by this process's collector
    with os.fdopen(fd, "wb") as out:
        return _build_and_send(out, args, previous, cache)


def _build_and_send(stdout: BinaryIO, args: tuple, previous: Snapshot | None, cache: ReadCache | None) -> int:
    from lotsen.kb import loader
    from lotsen.kb.quality import check_quality

    directory, review_days, today, seeds_dir = args
    try:
        cached = {name: value[0] for name, value in (cache or {}).items()}
        kb, errors = loader.check_knowledge_base(Path(directory), cache)
        if kb is None:
            _send(stdout, ("errors", errors))
            return 0
        matcher = Matcher(kb, previous=previous.matcher if previous is not None else None)
        # The entries (the bulk) in pieces too, like the matcher's tables.
        _send(stdout, ("kb", dataclasses.replace(kb, entries={})))
        for kind, piece in _pieces(kb.entries):
            _send(stdout, ("part", "kb.entries", kind, piece))
        state = matcher.__getstate__()
        state.pop("kb")  # sent above; the parent puts it back
        for attribute, value in state.items():
            for kind, piece in _pieces(value):
                _send(stdout, ("part", attribute, kind, piece))
        _send(stdout, ("ready",))
        if cache is not None:  # the files read anew, for the bot's cache (the next reload)
            for name, (key, records, problems) in cache.items():
                if cached.get(name) == key:
                    continue
                # A file's records in pieces too (the synthetic file of 10,000 entries: ~5 MB)
                step = CACHE_RECORDS_PER_PIECE
                for start in range(0, max(len(records), 1), step):
                    last = start + step >= len(records)
                    _send(stdout, ("cache", name, key, records[start : start + step], problems if last else None))
        try:
            os.nice(CHECK_NICENESS)
        except OSError:
            pass
        warnings = check_quality(kb, matcher=matcher, today=today, stale_after_days=review_days, seeds_dir=seeds_dir)
        # What changed, for the coordinator: here, where both versions are (forked), rather
        # than in the bot, where comparing 10,000 entries would hold up its requests.
        diff = diff_knowledge(previous.kb, kb) if previous is not None else None
        _send(stdout, ("warnings", warnings, diff))
    except Exception:  # noqa: BLE001 - reported to the parent, which keeps the old knowledge base
        _send(stdout, ("failed", traceback.format_exc()))
        return 1
    return 0


# --- parent ---------------------------------------------------------------------------------


class IsolatedBuild:
    """One child process building and checking the knowledge base in `directory`."""

    def __init__(
        self,
        directory: Path,
        *,
        review_days: int,
        today: date | None,
        seeds_dir: Path | None,
        previous: Snapshot | None = None,
        cache: ReadCache | None = None,
        fork: bool | None = None,
    ):
        self.args = (str(directory), review_days, today, seeds_dir)
        self.previous = previous
        self.cache = cache  # the bot's loader cache: the forked child starts from it, and gets the files it read anew
        self.fork = hasattr(os, "fork") if fork is None else fork
        self.process: asyncio.subprocess.Process | None = None
        self.pid: int | None = None  # the forked child
        self.reader: asyncio.StreamReader | None = None
        self.transport: asyncio.BaseTransport | None = None

    async def start(self) -> None:
        if self.fork:
            await self._fork()
        else:
            await self._spawn()

    async def _fork(self) -> None:
        """A copy of this process (fork): it starts in milliseconds with everything loaded."""
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError as exc:
            os.close(read_fd)
            os.close(write_fd)
            raise IsolatedBuildFailed(f"could not fork the knowledge-base builder: {exc}") from exc
        if pid == 0:  # the child: never returns into the bot's code
            code = 1
            try:
                os.close(read_fd)
                code = _forked_main(write_fd, self.args, self.previous, self.cache)
            except BaseException:  # noqa: BLE001 - reported as a stopped child
                # Straight to the file descriptor: sys.stderr's lock may have been held by
                # another of the bot's threads at the moment of the fork.
                os.write(2, traceback.format_exc().encode("utf-8", "replace"))
            finally:
                os._exit(code)
        os.close(write_fd)
        self.pid = pid
        reader = self.reader = asyncio.StreamReader(limit=PIECE_BYTES * 4)
        loop = asyncio.get_running_loop()
        self.transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(read_fd, "rb", buffering=0)
        )

    async def _spawn(self) -> None:
        from lotsen.settings import ROOT

        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        try:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "lotsen.kb.isolated",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=env,
                cwd=str(ROOT),
            )
        except OSError as exc:
            raise IsolatedBuildFailed(f"could not start the knowledge-base builder: {exc}") from exc
        assert self.process.stdin is not None
        self.process.stdin.write(pickle.dumps(self.args))
        await self.process.stdin.drain()
        self.process.stdin.close()
        self.reader = self.process.stdout

    async def _receive(self) -> tuple:
        assert self.reader is not None
        try:
            header = await self.reader.readexactly(_HEADER.size)
            data = await self.reader.readexactly(_HEADER.unpack(header)[0])
        except asyncio.IncompleteReadError as exc:
            code = await self._wait()
            raise IsolatedBuildFailed(f"the knowledge-base builder stopped (exit code {code})") from exc
        message = pickle.loads(data)  # noqa: S301 - our own child process
        if message[0] == "failed":
            raise IsolatedBuildFailed(f"the knowledge-base builder failed:\n{message[1]}")
        return message

    async def built(self) -> Built:
        """The valid knowledge base and its matcher, or the errors that make it invalid."""
        message = await self._receive()
        if message[0] == "errors":
            await self.close()
            return Built(errors=message[1])
        kb = message[1]
        state: dict[str, Any] = {}
        # Millions of new objects would trigger full garbage collections of the whole heap
        # (the old knowledge base too), each a pause of a second at 10,000 entries: none while
        # the pieces arrive; Knowledge.install then freezes the long-lived objects.
        collecting = gc.isenabled()
        gc.disable()
        try:
            while (message := await self._receive())[0] != "ready":
                _, attribute, kind, piece = message
                if kind == "whole":
                    state[attribute] = piece
                elif kind == "list":
                    state.setdefault(attribute, []).extend(piece)
                else:
                    state.setdefault(attribute, {}).update(piece)
                await asyncio.sleep(0)  # let requests in between two pieces
            # Out of the collector's sight before it runs again: its first collection would
            # otherwise walk every object that arrived (a pause of 0.2 s at 10,000 entries).
            gc.freeze()
        finally:
            if collecting:
                gc.enable()
        kb = dataclasses.replace(kb, entries=state.pop("kb.entries"))
        matcher = Matcher.__new__(Matcher)
        matcher.__setstate__({**state, "kb": kb})
        return Built(kb=kb, matcher=matcher)

    async def warnings(self) -> tuple[list[Problem], KbDiff | None]:
        """The quality warnings, and what changed since `previous` (None when not compared)."""
        arriving: dict[str, list] = {}
        collecting = gc.isenabled()
        gc.disable()  # as in built(): no full collections while many objects arrive
        try:
            while (message := await self._receive())[0] == "cache":
                _, name, key, records, problems = message
                arriving.setdefault(name, []).extend(records)
                if problems is not None and self.cache is not None:  # the file's last piece
                    self.cache[name] = (key, arriving.pop(name), problems)
                await asyncio.sleep(0)  # let requests in between two pieces
            gc.freeze()
        finally:
            if collecting:
                gc.enable()
        await self.close()
        return list(message[1]), message[2]

    async def _wait(self) -> int | None:
        if self.process is not None:
            return await self.process.wait()
        if self.pid is None:
            return None
        pid, self.pid = self.pid, None
        _, status = await asyncio.to_thread(os.waitpid, pid, 0)
        return os.waitstatus_to_exitcode(status)

    async def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
            self.transport = None
        if self.process is not None and self.process.returncode is None:
            try:
                self.process.kill()
            except ProcessLookupError:
                pass
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        await self._wait()


if __name__ == "__main__":
    _protocol = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the protocol
    sys.exit(child_main(sys.stdin.buffer, _protocol))
