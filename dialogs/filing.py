"""The case service: files what a flow collected, in one transaction, then delivers it.

A flow only collects and validates; `CaseService.file` stores the case with its routing
decision and audit entry, removes the draft, remembers the reporter's personal chat and queues
the channel post in the outbox — one transaction, so a crash cannot leave half of it. After the
commit it makes the first delivery attempt and records on the case what the receipt says.
Filing is idempotent on the form id: a second submit gets the first case back (created=False).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dialogs import casework
from lotsen import cases

if TYPE_CHECKING:
    from lotsen.context import Context


@dataclass(frozen=True)
class Filing:
    """What a flow hands over: the collected data and how the case is routed."""

    kind: str
    form_id: str
    municipality: str | None
    wants_feedback: bool
    data: dict
    purpose: str  # the routing purpose (knowledge/routing.yaml)
    next_steps: Callable[["Context", cases.Case], list[str]]  # receipt lines after the routing


class FilingTimeout(Exception):
    """The store did not commit the filing within the budget (settings.filing_budget_seconds).
    The filing goes on in the background; the person is told it is not registered and to try
    again, and a retry of the same form (same form id) gets the first case back, never a second."""


class CaseService:
    """Injected into every flow by the composition root (dialogs.build_flows)."""

    async def file(self, ctx: "Context", filing: Filing) -> tuple[cases.Case, bool]:
        """File the case (raises if storage fails: then nothing was stored; FilingTimeout when
        the store has not committed within the budget, fault matrix rows 44/47)."""
        committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        work = asyncio.ensure_future(self._file(ctx, filing, committed))
        waiting: set[asyncio.Future[Any]] = {committed, work}
        done, _ = await asyncio.wait(
            waiting, timeout=ctx.services.settings.filing_budget_seconds, return_when=asyncio.FIRST_COMPLETED
        )
        if not done:
            await ctx.services.soon(work, wait=0)  # finishes (or fails) in the background, drained at shutdown
            raise FilingTimeout(filing.form_id)
        return await work  # committed (the first delivery attempt is this turn's) or failed

    async def _file(self, ctx: "Context", filing: Filing, committed: "asyncio.Future[None]") -> tuple[cases.Case, bool]:
        turn = ctx.turn
        queued = None
        async with ctx.store.transaction() as tx:
            case, created = await cases.file_case(
                tx,
                kind=filing.kind,
                prefix=ctx.services.kinds[filing.kind].prefix,
                form_id=filing.form_id,
                municipality=filing.municipality,
                reporter_aad=turn.user.aad_object_id,
                reporter_name=turn.user.name,
                reporter_ref=turn.conversation_ref or None,
                wants_feedback=filing.wants_feedback,
                data=filing.data,
                draft_key=turn.draft_key,
                routed_to=casework.plan_route(ctx, filing.purpose, filing.municipality),
            )
            if created:
                await casework.remember_reporter(ctx, tx, case)
                queued = await casework.queue_case_post(ctx, tx, case)
        if not committed.done():
            committed.set_result(None)
        if created:
            # The row was inserted complete (with the routing decision) in the transaction; what the
            # first delivery attempt saw, and the receipt's lines, are one update after it.
            delivery = await casework.route_case(ctx, case, purpose=filing.purpose, queued=queued)
            lines = delivery.lines + filing.next_steps(ctx, case)
            routed = {**delivery.routed, "lines": lines}
            await cases.set_routing(ctx.store, case, routed, delivery.channel_ref, delivery.activity_id)
        return case, created
