"""A fake Bot Framework connector: what Teams' serviceUrl would receive from the bot."""

from __future__ import annotations

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

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conv}/activities/{aid}", self._reply)
        app.router.add_post("/v3/conversations/{conv}/activities", self._send)
        app.router.add_put("/v3/conversations/{conv}/activities/{aid}", self._update)
        app.router.add_post("/v3/conversations", self._create)
        return app

    def _new_id(self) -> str:
        return f"bot-act-{next(self._ids)}"

    async def _record(self, request: web.Request, method: str) -> web.Response:
        body = await request.json()
        if request.match_info.get("conv", "").split(";messageid=")[0] in self.refuse:
            return web.json_response({"error": {"code": "BotNotInConversationRoster"}}, status=403)
        call = Call(method, request.match_info.get("conv", ""), request.match_info.get("aid", ""), body, self._new_id(),
                    request.headers.get("Authorization", ""))
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
