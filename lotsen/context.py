"""What every handler gets: the turn and the services, with small conveniences."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Awaitable, Callable

from cards.render import render
from lotsen.casekinds import CaseKinds
from lotsen.cases import local_zone
from lotsen.kb.model import KnowledgeBase
from lotsen.knowledge import Knowledge, Snapshot
from lotsen.matching import Matcher
from lotsen.settings import Settings
from lotsen.storage import Store, utcnow
from lotsen.turn import Card, Messenger, Turn

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    knowledge: Knowledge
    store: Store
    messenger: Messenger | None = None
    clock: Callable[[], datetime] = utcnow
    kinds: CaseKinds = field(default_factory=CaseKinds)  # the case kinds the flows file (composition root)
    extras: dict[str, Any] = field(default_factory=dict)  # feature-owned helpers
    pending: set[asyncio.Future] = field(default_factory=set)  # writes left running by soon()

    async def soon(self, work: Awaitable[Any], wait: float = 0.5) -> None:
        """A write the answer need not wait for (statistics): awaited up to `wait` seconds, then
        left to finish in the background, so a locked database never holds up a reply.
        Failures are logged; shutdown waits for what is left (drain)."""
        task = asyncio.ensure_future(work)
        self.pending.add(task)
        task.add_done_callback(self._finished)
        await asyncio.wait({task}, timeout=wait)

    def _finished(self, task: asyncio.Future) -> None:
        self.pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a background write failed: %s", type(task.exception()).__name__, exc_info=task.exception())

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait (at most `timeout` seconds) for writes left running by soon()."""
        if self.pending:
            await asyncio.wait(set(self.pending), timeout=timeout)

    def today(self) -> date:
        """Today's date in Sweden (the host may run in UTC)."""
        return self.clock().astimezone(local_zone()).date()


@dataclass
class Context:
    turn: Turn
    services: Services
    send_typing: Callable[[], Awaitable[None]] | None = None
    _snapshot: Snapshot | None = field(default=None, init=False, repr=False)

    async def typing(self) -> None:
        """Show the typing indicator now, before slow work (filing, compiling, reloading)."""
        if self.send_typing is not None:
            try:
                await self.send_typing()
            except Exception:  # noqa: BLE001 - a lost typing indicator must not fail the turn
                pass

    @property
    def snapshot(self) -> Snapshot:
        """The knowledge base this turn uses, fixed at first use: a reload while the turn
        awaits something never mixes the old and the new knowledge base."""
        if self._snapshot is None:
            self._snapshot = self.services.knowledge.snapshot
        return self._snapshot

    @property
    def kb(self) -> KnowledgeBase:
        return self.snapshot.kb

    @property
    def matcher(self) -> Matcher:
        return self.snapshot.matcher

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def value(self) -> dict[str, Any]:
        return self.turn.value if isinstance(self.turn.value, dict) else {}

    @property
    def user_key(self) -> str:
        """Who is writing, for per-person settings: the Entra object id, else the channel account id."""
        return self.turn.user.aad_object_id or self.turn.user.id

    @property
    def is_coordinator(self) -> bool:
        return self.settings.is_coordinator(self.turn.user.aad_object_id)

    async def in_private_scope(self) -> bool:
        """A personal chat, or a channel the coordinators have connected ("koppla kanal"):
        the only places where lists of cases and questions are shown."""
        if self.turn.is_personal:
            return True
        if self.turn.conversation_type != "channel":
            return False
        from lotsen import channels

        return await channels.is_connected(self.store, self.turn.conversation_id)

    def card(self, template: str, **data: Any) -> Card:
        return Card(render(template, **data))
