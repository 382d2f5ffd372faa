"""Work the running bot does on its own: reload the knowledge base on SIGHUP, send the
weekly digest on its schedule, and send the digest at once on SIGUSR1
(`python -m scripts.digest --send PID`, or `kill -USR1 PID`).

The edge starts it when the web app starts and stops it when the app shuts down:

    background = Background(services)
    app.on_startup.append(lambda _: background.start())
    app.on_shutdown.append(lambda _: background.stop())
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from datetime import datetime, timezone
from typing import Any

from lotsen import digest
from lotsen.kb.reload import ReloadResult, reload_knowledge
from lotsen.storage import SEEN_WINDOW

log = logging.getLogger(__name__)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def store_clock(services: Any) -> datetime:
    clock = getattr(services, "clock", None)
    return clock() if callable(clock) else datetime.now(timezone.utc)


class Background:
    def __init__(self, services: Any, *, handle_signals: bool = True, schedule_digest: bool = True):
        self.services = services
        self.handle_signals = handle_signals
        self.schedule_digest = schedule_digest
        self.signals: list[int] = []  # the signal handlers installed (removed again on stop)
        self.digest_task: asyncio.Task | None = None
        self.reload_task: asyncio.Task | None = None
        self.digest_now_task: asyncio.Task | None = None
        self.housekeeping_task: asyncio.Task | None = None
        self.last_reload: ReloadResult | None = None

    @property
    def sighup_installed(self) -> bool:
        return hasattr(signal, "SIGHUP") and signal.SIGHUP in self.signals

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self.handle_signals and threading.current_thread() is threading.main_thread():
            for name, handler in (("SIGHUP", self._on_sighup), ("SIGUSR1", self._on_sigusr1)):
                signum = getattr(signal, name, None)
                if signum is None:
                    continue
                try:
                    loop.add_signal_handler(signum, handler)
                    self.signals.append(signum)
                except (NotImplementedError, RuntimeError, ValueError):
                    log.warning("%s is not available here; use the chat commands instead", name)
        self.housekeeping_task = asyncio.create_task(self._housekeeping_loop(), name="housekeeping")
        schedule = self.services.settings.digest if self.schedule_digest else None
        if schedule is not None:
            self.digest_task = asyncio.create_task(digest.run_schedule(self.services, schedule), name="weekly-digest")

    # --- housekeeping ------------------------------------------------------------------------

    HOUSEKEEPING_SECONDS = 3600

    async def housekeep(self, slot: str | None = None) -> int:
        """Remove unfinished forms that have expired (DRAFT_TTL_HOURS); returns how many.

        With a `slot` (the hour), only the first of the instances sharing the database runs it."""
        store = getattr(self.services, "store", None)
        if store is None:
            return 0
        if slot is not None and not await store.jobs.claim("purge", slot):
            return 0
        removed = await store.drafts.purge_expired()
        if removed:
            log.info("removed %d expired draft(s)", removed)
        # replay protection older than SEEN_WINDOW
        await store.seen.purge(iso(datetime.fromisoformat(store.now()) - SEEN_WINDOW))
        return removed

    async def _housekeeping_loop(self) -> None:
        while True:
            try:
                moment = store_clock(self.services)
                await self.housekeep(moment.replace(minute=0, second=0, microsecond=0).isoformat())
            except Exception:  # noqa: BLE001 - housekeeping must never stop the bot
                log.exception("housekeeping failed")
            await asyncio.sleep(self.HOUSEKEEPING_SECONDS)

    # --- SIGHUP: reload ----------------------------------------------------------------------

    def _on_sighup(self) -> None:
        log.info("SIGHUP: reloading the knowledge base")
        self.reload_task = asyncio.get_running_loop().create_task(self.reload(), name="kb-reload")

    async def reload(self) -> ReloadResult:
        settings = self.services.settings
        result = await reload_knowledge(
            self.services.knowledge, review_days=settings.kb_review_days, today=self.services.today()
        )
        self.last_reload = result
        for line in result.summary_lines():
            (log.info if result.ok else log.error)("%s", line)
        store = getattr(self.services, "store", None)
        if store is not None and not result.busy:
            await store.audit.record(
                "kb_reload", "SIGHUP", str(self.services.knowledge.directory), "ok" if result.ok else "refused"
            )
        return result

    # --- SIGUSR1: the digest now ----------------------------------------------------------------

    def _on_sigusr1(self) -> None:
        log.info("SIGUSR1: sending the weekly digest now")
        self.digest_now_task = asyncio.get_running_loop().create_task(self.send_digest_now(), name="digest-now")

    async def send_digest_now(self) -> digest.SendResult:
        result = await digest.send_digest(self.services, actor="SIGUSR1")
        log.info("digest sent by hand to %s; failed: %s", result.channels or "no channel", result.failed or "none")
        return result

    # --- stop ----------------------------------------------------------------------------------

    async def stop(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in self.signals:
            try:
                loop.remove_signal_handler(signum)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        self.signals = []
        for task in (self.digest_task, self.reload_task, self.digest_now_task, self.housekeeping_task):
            if task is not None and not task.done():
                task.cancel()
                try:
                    await task
                except (asyncio.CancelledError, Exception):  # noqa: BLE001 - stopping anyway
                    pass
        self.digest_task = self.reload_task = self.digest_now_task = None
