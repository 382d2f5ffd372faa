"""A fake Bot Framework connector: what Teams' serviceUrl would receive from the bot."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Call:
    method: str  # reply | send | update | create
    conversation: str
    activity_id: str  # the path id (replyTo / updated activity)
    body: dict[str, Any]
    new_id: str = ""
    authorization: str = ""  # the bot's Authorization header (empty in local mode)


@dataclass
class FakeConnector:
    calls: list[Call] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    refuse: set[str] = field(default_factory=set)  # conversation ids answered 403 (e.g. bot removed from team)
    # Faults on demand, per conversation id (without ";messageid="): each request to it takes the
    # next fault: an HTTP status (502, 429, 412, 404 …), ("retry-after", seconds) for a 429 with
    # Retry-After, or "hang" (never answers, so the bot's timeout fires). Then normal answers.
    faults: dict[str, list[Any]] = field(default_factory=dict)
    refused: list[tuple[str, Any]] = field(default_factory=list)  # (conversation, fault) answered with a fault
    requested: list[str] = field(default_factory=list)  # every conversation a request went to, answered or not

    def fail_next(self, conversation: str, *faults: Any) -> None:
        self.faults.setdefault(conversation, []).extend(faults)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conv}/activities/{aid}", self._reply)
        app.router.add_post("/v3/conversations/{conv}/activities", self._send)
        app.router.add_put("/v3/conversations/{conv}/activities/{aid}", self._update)
        app.router.add_post("/v3/conversations", self._create)
        return app

    def _new_id(self) -> str:
        return f"bot-act-{next(self._ids)}"

    async def _fault(self, conversation: str) -> web.Response | None:
        queue = self.faults.get(conversation)
        if not queue:
            return None
        fault = queue.pop(0)
        self.refused.append((conversation, fault))
        if fault == "hang":
            await asyncio.sleep(3600)
        if isinstance(fault, tuple) and fault[0] == "retry-after":
            return web.json_response(
                {"error": {"code": "TooManyRequests"}}, status=429, headers={"Retry-After": str(fault[1])}
            )
        return web.json_response({"error": {"code": f"Fault{fault}"}}, status=int(fault))

    async def _record(self, request: web.Request, method: str) -> web.Response:
        body = await request.json()
        conversation = request.match_info.get("conv", "").split(";messageid=")[0]
        self.requested.append(conversation)
        if conversation in self.refuse:
            return web.json_response({"error": {"code": "BotNotInConversationRoster"}}, status=403)
        fault = await self._fault(conversation)
        if fault is not None:
            return fault
        call = Call(
            method,
            request.match_info.get("conv", ""),
            request.match_info.get("aid", ""),
            body,
            self._new_id(),
            request.headers.get("Authorization", ""),
        )
        self.calls.append(call)
        return web.json_response({"id": call.new_id})

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._record(request, "reply")

    async def _send(self, request: web.Request) -> web.Response:
        return await self._record(request, "send")

    async def _update(self, request: web.Request) -> web.Response:
        return await self._record(request, "update")

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        conv_id = f"created-{next(self._ids)}"
        self.calls.append(Call("create", conv_id, "", body))
        return web.json_response({"id": conv_id, "activityId": self._new_id()})

    # --- reading what was captured ---------------------------------------------------------

    def since(self, mark: int) -> list[Call]:
        return self.calls[mark:]
