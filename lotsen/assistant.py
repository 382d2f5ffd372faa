"""The router: a Turn in, a list of Out back. Features register verbs and commands.

Order for a message:
1. a card submit → the handler registered for its verb (unknown verb → friendly reply);
2. a typed command ("hjälp", "avbryt", coordinator commands …) → its handler;
3. otherwise the fallback handler (question answering).
Anything that goes wrong inside a handler becomes a Swedish apology; nothing a user
confirmed is lost because storage writes happen before replies.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Awaitable, Callable

from lotsen.context import Context, Services
from lotsen.text import fold
from lotsen.texts import say
from lotsen.turn import Out, Text, Turn

log = logging.getLogger(__name__)

Handler = Callable[[Context], Awaitable[list[Out]]]
Hint = Callable[[Context], Awaitable[str | None]]  # a line added after an answer ("you have a form open")

MAX_TEXT = 2000
NOT_UNDERSTOOD_CARD = say("assistant.card_not_understood")
NOT_ALLOWED = say("assistant.not_allowed")
NOT_HERE = say("assistant.not_here")


@dataclass(frozen=True)
class Command:
    name: str
    matches: Callable[[str], bool]  # gets folded, trimmed text (as typed when `typed`)
    handler: Handler
    coordinator_only: bool = False
    private: bool = False  # only in a personal chat or a connected coordinators' channel
    typed: bool = False  # the predicate reads the text as typed, with its diacritics


class Assistant:
    def __init__(self, services: Services):
        self.services = services
        self._verbs: dict[str, Handler] = {}
        self._commands: list[Command] = []
        self._fallback: Handler | None = None
        self._welcome: Handler | None = None
        self._hints: list[Hint] = []

    # --- registration ----------------------------------------------------------------------

    def verb(self, name: str, handler: Handler) -> None:
        """Register a card verb. A name ending in "." is a prefix ("dev." takes "dev.next")."""
        if name in self._verbs:
            raise ValueError(f"verb {name!r} registered twice")
        self._verbs[name] = handler

    def command(
        self,
        name: str,
        pattern: str | Callable[[str], bool],
        handler: Handler,
        *,
        coordinator_only: bool = False,
        private: bool = False,
        typed: bool = False,
    ) -> None:
        """A typed command: a regex (searched in the folded text) or a predicate on it.

        `private`: the answer lists cases or questions, so it is only given in a personal chat
        or in a channel the coordinators have connected (fault matrix row 25). `typed`: the
        predicate gets the trimmed text as typed, not folded (Vägvisaren's patterns tell "värken"
        from "varken" by its diacritics)."""
        matches = re.compile(pattern).search if isinstance(pattern, str) else pattern
        self._commands.append(
            Command(name, lambda text: bool(matches(text)), handler, coordinator_only or private, private, typed)
        )

    def fallback(self, handler: Handler) -> None:
        self._fallback = handler

    def welcome_handler(self, handler: Handler) -> None:
        self._welcome = handler

    def hint(self, hint: Hint) -> None:
        """A hook run after the fallback answer: a returned text is added as its own message."""
        self._hints.append(hint)

    # --- dispatch --------------------------------------------------------------------------

    def _handler_for_verb(self, verb: str) -> Handler | None:
        if verb in self._verbs:
            return self._verbs[verb]
        prefix = verb.split(".", 1)[0] + "."
        return self._verbs.get(prefix)

    def match_command(self, text: str) -> Command | None:
        typed = text.strip()
        folded = fold(typed)
        for command in self._commands:
            if command.matches(typed if command.typed else folded):
                return command
        return None

    async def on_message(self, turn: Turn, typing: Callable[[], Awaitable[None]] | None = None) -> list[Out]:
        ctx = Context(turn, self.services, typing)
        try:
            return await self._dispatch(ctx)
        except Exception:  # noqa: BLE001 - the user must always get an answer
            log.exception("handler failed (activity %s)", turn.activity_id)
            return [Text(say("assistant.failed"))]

    async def on_welcome(self, turn: Turn) -> list[Out]:
        if self._welcome is None:
            return []
        return await self._welcome(Context(turn, self.services))

    async def _dispatch(self, ctx: Context) -> list[Out]:
        turn = ctx.turn
        if turn.value is not None and not turn.text:
            verb = turn.verb
            handler = self._handler_for_verb(verb) if verb else None
            if handler is None:
                log.info("unknown card verb %r", verb[:40])
                return [Text(NOT_UNDERSTOOD_CARD)]
            return await handler(ctx)
        text = turn.text.strip()
        if not text:
            return [Text(say("assistant.empty"))]
        if len(text) > MAX_TEXT:
            return [Text(say("assistant.too_long", length=len(text), limit=MAX_TEXT))]
        command = self.match_command(text)
        if command is not None:
            if command.coordinator_only and not ctx.is_coordinator:
                await ctx.store.audit.record("admin_denied", turn.user.aad_object_id, command.name, "denied")
                return [Text(NOT_ALLOWED)]
            if command.private and not await ctx.in_private_scope():
                await ctx.store.audit.record("admin_scope_denied", turn.user.aad_object_id, command.name, "denied")
                return [Text(NOT_HERE)]
            return await command.handler(ctx)
        if self._fallback is None:
            return [Text(say("assistant.not_understood"))]
        outs = await self._fallback(ctx)
        for hint in self._hints:
            line = await hint(ctx)
            if line:
                outs.append(Text(line))
        return outs
