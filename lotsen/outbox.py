"""The outbox: every message the bot sends on its own is stored first, then delivered.

A proactive message (a new case posted to the coordinators' channel, the reporter's note when
a status changes, the weekly digest) is written to the `outbox` table, tried once at once, and
otherwise delivered by a background worker (`Outbox.run`), also after a restart:

| Bot Connector answer (lotsen.turn.DeliveryError) | what happens |
|---|---|
| 2xx | delivered; the `on_delivered` hook of its kind runs (e.g. the case remembers its channel post) |
| 429 | retried after `Retry-After` (or the backoff below if there is none) |
| 408, 412, 5xx, timeout, connection error | retried with exponential backoff and full jitter: a random delay in [0, min(MAX_DELAY, BASE_DELAY · 2^attempt)] |
| 403, 404 (bot removed from the team or chat) | not retried; the message and its conversation are marked `inactive` and shown to coordinators |
| any other 4xx (400, 401, 413 …) | not retried: dead-lettered |
| MAX_ATTEMPTS failed attempts | dead-lettered |

A message for a conversation marked inactive is not tried: it is held (status `inactive`) until
a coordinator connects the channel again ("koppla kanal", which requeues what was held) or
retries. Dead-lettered and inactive messages are shown to coordinators ("3 meddelanden kunde inte
levereras", typed command `leveranser`) with a button that puts them back in the queue.

A message is leased while it is being sent, so two processes sharing the database do not send
it twice; a lease that runs out (the process died mid-send) makes it due again. Delivery is
therefore at least once: a crash after Teams accepted a message but before it was marked
delivered sends it again after the lease.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta
from typing import Any, Awaitable, Callable

from lotsen.storage.models import conversation_key
from lotsen.turn import DeliveryError

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY = 1.0  # seconds
MAX_DELAY = 300.0  # seconds; with 8 attempts the last retry is at most ~10 min after the first
LEASE = timedelta(seconds=60)
POLL_SECONDS = 1.0
RETRY_STATUSES = frozenset({408, 412, 429, 500, 502, 503, 504})
GONE_STATUSES = frozenset({403, 404})

Delivered = Callable[[dict[str, Any], str], Awaitable[None] | None]


def backoff(attempt: int, rng: random.Random | None = None) -> float:
    """Full jitter (AWS architecture blog; Microsoft's Teams rate-limit guidance):
    a uniformly random delay in [0, min(MAX_DELAY, BASE_DELAY · 2^attempt)]."""
    return (rng or random).uniform(0.0, min(MAX_DELAY, BASE_DELAY * 2**attempt))


def classify(error: DeliveryError, attempt: int, rng: random.Random | None = None) -> tuple[str, float]:
    """("retry", delay in seconds) | ("inactive", 0) | ("dead", 0) for a failed attempt number
    `attempt` (0 for the first)."""
    status = error.status
    if status in GONE_STATUSES:
        return ("inactive", 0.0)
    if status is not None and status not in RETRY_STATUSES:
        return ("dead", 0.0)
    if attempt + 1 >= MAX_ATTEMPTS:
        return ("dead", 0.0)
    if status == 429 and error.retry_after is not None:
        return ("retry", min(MAX_DELAY, max(0.0, error.retry_after)))
    return ("retry", backoff(attempt, rng))


class Outbox:
    def __init__(
        self, store: Any, messenger: Any, *, rng: random.Random | None = None, poll_seconds: float = POLL_SECONDS
    ):
        self.store = store
        self.messenger = messenger
        self.rng = rng or random.Random()
        self.poll_seconds = poll_seconds
        self._hooks: dict[str, Delivered] = {}
        # alert(message, "dead" | "inactive"): tell the coordinators (lotsen.features.delivery)
        self.alert: Callable[[dict[str, Any], str], Any] | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def on_delivered(self, kind: str, hook: Delivered) -> None:
        """Run `hook(message, activity_id)` after a message of this kind reached Teams."""
        self._hooks[kind] = hook

    # --- writing --------------------------------------------------------------------------

    async def add(
        self,
        kind: str,
        conversation_ref: dict[str, Any],
        *,
        card: dict[str, Any] | None = None,
        text: str | None = None,
        meta: dict[str, Any] | None = None,
        tx: Any = None,
    ) -> int:
        """Queue a message (inside the caller's unit of work when `tx` is given, so the message
        commits with the state change)."""
        message_id = await (tx or self.store).outbox.enqueue(kind, conversation_ref, card=card, text=text, meta=meta)
        if tx is None:
            # Inside a unit of work the row is not visible before the commit; the caller tries
            # it with send_now after the commit, and the worker's polling picks it up otherwise.
            self._wake.set()
        return message_id

    async def send_now(self, message_id: int) -> str | None:
        """Try a queued message once, at once (inside the turn that queued it). Returns the new
        activity id, or None when it was not delivered now (the worker keeps trying)."""
        message = await self.store.outbox.claim(message_id, LEASE)
        if message is None:
            return None
        return await self._attempt(message)

    # --- delivering -----------------------------------------------------------------------

    async def _attempt(self, message: dict[str, Any]) -> str | None:
        key = conversation_key(message["conversation_ref"])
        gone = await self.store.conversations.inactive(key) if key else None
        if gone is not None:  # the bot was removed there: hold the message, do not try
            await self._give_up(message, "held", gone["last_status"], "conversation inactive")
            return None
        try:
            activity_id = await self.messenger.send(
                message["conversation_ref"], card=message["card"], text=message["text"]
            )
        except DeliveryError as error:
            await self._failed(message, error)
            return None
        except Exception as exc:  # noqa: BLE001 - an unexpected failure counts as a timeout
            await self._failed(message, DeliveryError(None, None, type(exc).__name__))
            return None
        await self.store.outbox.delivered(message["id"], activity_id or "")
        hook = self._hooks.get(message["kind"])
        if hook is not None:
            try:
                result = hook(message, activity_id or "")
                if asyncio.iscoroutine(result):
                    await result
            except Exception:  # noqa: BLE001 - delivered is delivered; the hook is bookkeeping
                log.exception("after delivering outbox message %s", message["id"])
        return activity_id or ""

    async def _failed(self, message: dict[str, Any], error: DeliveryError) -> None:
        verdict, delay = classify(error, int(message["attempts"]), self.rng)
        reason = f"HTTP {error.status}" if error.status is not None else "unreachable"
        if verdict == "retry":
            attempts = await self.store.outbox.retry_at(message["id"], timedelta(seconds=delay), error.status, reason)
            log.warning(
                "outbox message %s (%s): %s; attempt %d, next in %.1f s",
                message["id"],
                message["kind"],
                reason,
                attempts,
                delay,
            )
            return
        await self._give_up(message, verdict, error.status, reason)

    async def _give_up(self, message: dict[str, Any], verdict: str, status: int | None, reason: str) -> None:
        """Dead-letter the message ("dead"), or mark it inactive: refused for good ("inactive",
        403/404: its conversation is marked inactive too, so nothing more is tried there) or held
        because its conversation already is ("held"). Then tell the coordinators."""
        async with self.store.transaction() as tx:
            await tx.outbox.give_up(message["id"], "dead" if verdict == "dead" else "inactive", status, reason)
            if verdict == "inactive":
                await tx.conversations.mark_inactive(
                    conversation_key(message["conversation_ref"]), status, message["kind"]
                )
            event = {"inactive": "delivery_inactive", "held": "delivery_held"}.get(verdict, "delivery_dead")
            await tx.audit.record(event, None, f"outbox:{message['id']}:{message['kind']}", reason)
        log.error("outbox message %s (%s) not delivered: %s (%s)", message["id"], message["kind"], reason, verdict)
        if self.alert is not None:
            try:
                result = self.alert(message, verdict)
                if asyncio.iscoroutine(result):
                    await result
            except Exception:  # noqa: BLE001
                log.exception("could not queue the delivery alert")

    async def deliver_due(self) -> int:
        """One pass: send every due message; returns how many were delivered."""
        delivered = 0
        for message in await self.store.outbox.claim_due(LEASE):
            if await self._attempt(message) is not None:
                delivered += 1
        return delivered

    async def run(self) -> None:
        """The background worker: poll, and wake up at once when a message is queued."""
        while True:
            try:
                await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep the worker alive (a locked database, say)
                log.exception("outbox pass failed")
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            except asyncio.TimeoutError:
                pass

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.run(), name="outbox")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
            self._task = None

    # --- for coordinators -----------------------------------------------------------------

    async def failed(self) -> list[dict[str, Any]]:
        return await self.store.outbox.failed()

    async def retry_failed(self) -> int:
        count = await self.store.outbox.requeue_failed()
        if count:
            self._wake.set()
        return count


OUTBOX_KEY = "outbox"


def for_services(services: Any) -> Outbox | None:
    """The process's outbox, kept in `services.extras` (created on first use when there is a
    messenger; the app factory starts its worker)."""
    extras = getattr(services, "extras", None)
    if extras is None:  # a bare services object (tests, scripts): an outbox for this call
        messenger = getattr(services, "messenger", None)
        return Outbox(services.store, messenger) if messenger is not None else None
    outbox = extras.get(OUTBOX_KEY)
    if outbox is None and getattr(services, "messenger", None) is not None:
        outbox = Outbox(services.store, services.messenger)
        extras[OUTBOX_KEY] = outbox
    return outbox
