"""bot/connector.py: the one pooled outbound session, retries inside a turn, DeliveryError."""

from __future__ import annotations

import json

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.connector import Connector, NoTokens
from lotsen.turn import DeliveryError


class Script:
    """A Bot Connector answering from a script of (status, headers) and recording the calls."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls: list[tuple[str, str, dict]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.calls.append((request.method, request.raw_path, await request.json()))
        status, headers = self.answers.pop(0) if self.answers else (200, {})
        if status < 300:
            return web.json_response({"id": f"act-{len(self.calls)}"}, headers=headers)
        return web.json_response({"error": {"code": "x"}}, status=status, headers=headers)


@pytest.fixture
async def bot_connector():
    async def serve(script: Script) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", script.handle)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return str(server.make_url("/"))

    servers: list[TestServer] = []
    yield serve
    for server in servers:
        await server.close()


def message(service_url: str, conversation: str = "19:abc@thread.tacv2;messageid=17", reply_to: str | None = "u-1"):
    activity = {
        "type": "message",
        "text": "Hej",
        "serviceUrl": service_url,
        "conversation": {"id": conversation},
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "Å ä ö"}]},
            }
        ],
    }
    if reply_to:
        activity["replyToId"] = reply_to
    return activity


async def test_a_reply_goes_to_the_encoded_path_with_the_card_unchanged(bot_connector):
    script = Script()
    connector = Connector(NoTokens())
    try:
        url = await bot_connector(script)
        assert await connector.send(message(url)) == "act-1"
        method, path, body = script.calls[0]
        assert method == "POST"
        assert path == "/v3/conversations/19%3Aabc%40thread.tacv2%3Bmessageid%3D17/activities/u-1"
        assert body == json.loads(json.dumps(message(url)))
        await connector.update(dict(message(url, reply_to=None), id="bot-7"))
        assert script.calls[1][:2] == (
            "PUT",
            "/v3/conversations/19%3Aabc%40thread.tacv2%3Bmessageid%3D17/activities/bot-7",
        )
        session = connector.session
        await connector.send(message(url, reply_to=None))
        assert connector.session is session  # one pooled session for the process
        assert script.calls[2][1] == "/v3/conversations/19%3Aabc%40thread.tacv2%3Bmessageid%3D17/activities"
    finally:
        await connector.close()


async def test_throttling_is_retried_after_the_time_teams_asks_for(bot_connector):
    script = Script((429, {"Retry-After": "0.05"}), (503, {}))
    connector = Connector(NoTokens())
    try:
        assert await connector.send(message(await bot_connector(script))) == "act-3"
        assert len(script.calls) == 3
    finally:
        await connector.close()


@pytest.mark.parametrize(
    "answers, status, retry_after, calls",
    [
        ([(403, {})], 403, None, 1),  # the bot was removed from the team: no retry
        ([(404, {})], 404, None, 1),
        ([(503, {}), (503, {}), (503, {"Retry-After": "1"})], 503, 1.0, 3),  # retries used up
        ([(429, {"Retry-After": "120"})], 429, 120.0, 1),  # a long wait is the outbox's, not the turn's
    ],
)
async def test_refusals_raise_delivery_error(bot_connector, answers, status, retry_after, calls):
    script = Script(*answers)
    connector = Connector(NoTokens())
    try:
        with pytest.raises(DeliveryError) as raised:
            await connector.send(message(await bot_connector(script)))
        assert (raised.value.status, raised.value.retry_after, len(script.calls)) == (status, retry_after, calls)
    finally:
        await connector.close()


async def test_an_unreachable_connector_raises_delivery_error_without_status():
    connector = Connector(NoTokens(), retries=0)
    try:
        with pytest.raises(DeliveryError) as raised:
            await connector.send(message("http://127.0.0.1:9/"))
        assert raised.value.status is None
    finally:
        await connector.close()


async def test_a_failing_token_is_a_delivery_error_and_nothing_is_sent(bot_connector):
    class Broken:
        async def token(self, service_url):
            raise RuntimeError("AADSTS7000215: invalid client secret")

    script = Script()
    connector = Connector(Broken())
    try:
        with pytest.raises(DeliveryError):
            await connector.send(message(await bot_connector(script)))
        assert script.calls == []
    finally:
        await connector.close()


async def test_the_bots_token_is_cached_until_five_minutes_before_it_expires():
    import jwt

    from bot.connector import CachedTokens

    now = [1_000_000.0]
    fetched: list[str] = []

    class Provider:
        async def token(self, service_url):
            fetched.append(service_url)
            return jwt.encode({"exp": int(now[0]) + 3600, "n": len(fetched)}, "k" * 32, algorithm="HS256")

    tokens = CachedTokens(Provider(), clock=lambda: now[0])
    first = await tokens.token("https://smba.trafficmanager.net/emea/")
    assert await tokens.token("https://smba.trafficmanager.net/emea/") == first and len(fetched) == 1
    now[0] += 3600 - 301
    assert await tokens.token("x") == first
    now[0] += 2  # within five minutes of expiry: a new token
    assert await tokens.token("x") != first and len(fetched) == 2


async def test_a_token_without_expiry_is_not_cached():
    from bot.connector import CachedTokens

    fetched: list[int] = []

    class Provider:
        async def token(self, service_url):
            fetched.append(1)
            return "opaque"

    tokens = CachedTokens(Provider())
    assert await tokens.token("x") == "opaque" and await tokens.token("x") == "opaque"
    assert len(fetched) == 2
