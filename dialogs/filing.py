"""The case service: files what a flow collected, in one transaction, then delivers it.

A flow only collects and validates; `CaseService.file` stores the case with its routing
decision and audit entry, removes the draft, remembers the reporter's personal chat and queues
the channel post in the outbox — one transaction, so a crash cannot leave half of it. After the
commit it makes the first delivery attempt and records on the case what the receipt says.
Filing is idempotent on the form id: a second submit gets the first case back (created=False).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

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


class CaseService:
    """Injected into every flow by the composition root (dialogs.build_flows)."""

    async def file(self, ctx: "Context", filing: Filing) -> tuple[cases.Case, bool]:
        """File the case (raises if storage fails: then nothing was stored)."""
        turn = ctx.turn
        queued = None
        async with ctx.store.transaction() as tx:
            case, created = await cases.file_case(
                tx, kind=filing.kind, form_id=filing.form_id, municipality=filing.municipality,
                reporter_aad=turn.user.aad_object_id, reporter_name=turn.user.name,
                reporter_ref=turn.conversation_ref or None, wants_feedback=filing.wants_feedback,
                data=filing.data, draft_key=turn.draft_key,
                routed_to=casework.plan_route(ctx, filing.purpose, filing.municipality),
            )
            if created:
                await casework.remember_reporter(ctx, tx, case)
                queued = await casework.queue_case_post(ctx, tx, case)
        if created:
            lines = await casework.route_case(ctx, case, purpose=filing.purpose, queued=queued)
            lines += filing.next_steps(ctx, case)
            await cases.set_routing(ctx.store, case, {**case.routed_to, "lines": lines},
                                    case.channel_ref, case.channel_activity_id)
        return case, created
