"""The front door in authenticated mode, over HTTP, with tokens signed by a fake Bot Framework
identity service on loopback (tests/support/botframework.py). Runs on both SDK edges.

Fault matrix rows 9–12 (keys, endorsements, serviceUrl, hanging key service), 15 (JSON
bombs) and 21–23 (tenant and channel rules)."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app_factory import EDGE, SERVICES, create_app
from tests.support.db import sql
from tests.conftest import make_settings, serve_connector
from tests.support import edges
from tests.support.botframework import FakeIdentity
from tests.support.fake_connector import FakeConnector
from tests.support.teams import TENANT, TeamsClient

APP = "11111111-2222-3333-4444-555555555555"
OTHER_TENANT = "99999999-0000-0000-0000-000000000000"


class BotToken:
    """The bot's own outbound token (instead of MSAL and Entra ID)."""

    async def token(self, service_url: str) -> str:
        return "bot-token-for-tests"


class SignedTeams:
    def __init__(self, teams: TeamsClient, identity: FakeIdentity):
        self.teams, self.identity = teams, identity

    def activity(self, **kw):
        return self.teams.activity(**kw)

    async def post(self, activity, header: str | None = None, *, body: str | None = None):
        if header is None:
            header = self.identity.header(APP, activity.get("serviceUrl"))
        mark = len(self.teams.connector.calls)
        response = await self.teams.http.post(
            "/api/messages",
            data=body if body is not None else json.dumps(activity),
            headers={"Content-Type": "application/json", "Authorization": header},
        )
        await response.read()
        return response.status, self.teams.connector.calls[mark:]

    def audit(self, event: str) -> list[str]:
        rows = sql(self.teams.app[SERVICES].store).execute("SELECT target FROM audit WHERE event = ?", (event,))
        return [r[0] for r in rows.fetchall()]


@pytest.fixture
async def identity():
    fake = FakeIdentity()
    server = await fake.serve()
    yield fake
    await server.close()


@pytest.fixture
async def signed(bot_sdk, identity, tmp_path):
    connector = FakeConnector()
    connector_server = await serve_connector(connector)
    settings = make_settings(
        tmp_path,
        app_id=APP,
        app_password="hemligt",
        app_type="SingleTenant",
        app_tenant_id=TENANT,
        allowed_tenant_ids=(TENANT,),
        openid_metadata_url=identity.metadata_url,
        connector_hosts=("127.0.0.1",),
        auth_timeout_seconds=1.0,
        host="0.0.0.0",
    )
    app = create_app(edges.on_current_sdk(settings))
    app[EDGE].connector.tokens = BotToken()
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    teams = TeamsClient(client, connector, connector.url)
    teams.app = app
    yield SignedTeams(teams, identity)
    await client.close()
    await connector_server.close()


async def test_a_signed_activity_is_answered_with_the_bots_token(signed):
    status, calls = await signed.post(signed.activity(text="hjälp"))
    assert status in (200, 201) and calls
    assert all(c.authorization == "Bearer bot-token-for-tests" for c in calls)


# --- row 9 ---------------------------------------------------------------------------------------


async def test_a_key_published_after_start_is_accepted_after_one_refresh(signed, identity):
    assert (await signed.post(signed.activity(text="hjälp")))[0] == 201
    identity.add_key("rollover")
    status, calls = await signed.post(
        signed.activity(text="hjälp"), identity.header(APP, signed.teams.service_url, kid="rollover")
    )
    assert status == 201 and calls
    assert identity.metadata_fetches == 2


async def test_made_up_key_ids_are_401_and_refresh_the_keys_once(signed, identity):
    await signed.post(signed.activity(text="hjälp"))
    for n in range(4):
        identity.add_key(f"made-up-{n}", publish=False)
        status, calls = await signed.post(
            signed.activity(text="hjälp"), identity.header(APP, signed.teams.service_url, kid=f"made-up-{n}")
        )
        assert status == 401 and calls == []
    assert identity.metadata_fetches == 2


# --- row 10 --------------------------------------------------------------------------------------


async def test_a_key_not_endorsed_for_teams_is_403_with_one_log_line(signed, identity, caplog):
    identity.add_key("webchat", endorsements=("webchat",))
    caplog.clear()
    status, calls = await signed.post(
        signed.activity(text="hjälp"), identity.header(APP, signed.teams.service_url, kid="webchat")
    )
    assert status == 403 and calls == []
    records = [r for r in caplog.records if r.name.startswith("bot.")]
    assert len(records) == 1 and records[0].exc_info is None and "endorsed" in records[0].getMessage()


async def test_a_spoofed_channel_id_is_403(signed):
    status, calls = await signed.post(signed.activity(text="hjälp", channelId="webchat"))
    assert status == 403 and calls == []


# --- row 11 --------------------------------------------------------------------------------------


async def test_a_signed_foreign_service_url_never_gets_the_bots_token(signed, identity):
    collector = FakeConnector()  # an attacker's endpoint, signed into a valid token
    server = TestServer(collector.app(), host="localhost")
    await server.start_server()
    evil = str(server.make_url("/"))
    try:
        activity = signed.activity(text="hjälp", serviceUrl=evil)
        status, _ = await signed.post(activity, identity.header(APP, evil))
        assert status == 403
        assert collector.calls == []
    finally:
        await server.close()


async def test_a_stored_reference_to_a_foreign_host_is_never_sent_to(signed):
    from lotsen.turn import DeliveryError

    messenger = signed.teams.app[SERVICES].messenger
    ref = {"serviceUrl": "https://collector.exempel.se/", "conversation": {"id": "c1"}, "bot": {"id": "b"}}
    with pytest.raises(DeliveryError):
        await messenger.send(ref, text="hej")


async def test_service_url_must_match_the_token(signed, identity):
    status, calls = await signed.post(
        signed.activity(text="hjälp"), identity.header(APP, "https://smba.trafficmanager.net/emea/")
    )
    assert status == 401 and calls == []


# --- row 12 --------------------------------------------------------------------------------------


async def test_a_hanging_key_service_does_not_freeze_other_turns(signed, identity):
    assert (await signed.post(signed.activity(text="hjälp")))[0] == 201  # keys cached
    assert (await signed.teams.http.get("/readyz")).status == 200
    identity.hang = True
    identity.add_key("new-key")
    stuck = asyncio.create_task(
        signed.post(signed.activity(text="hjälp"), identity.header(APP, signed.teams.service_url, kid="new-key"))
    )
    await asyncio.sleep(0.1)
    started = time.monotonic()
    for _ in range(3):  # other turns keep flowing while the key fetch hangs
        status, calls = await signed.post(signed.activity(text="hjälp"))
        assert status == 201 and calls
    flowing = time.monotonic() - started
    status, _ = await stuck
    assert status == 503  # the new key cannot be checked now
    assert flowing < 1.0, flowing
    ready = await signed.teams.http.get("/readyz")
    assert ready.status == 503
    body = await ready.json()
    assert body["status"] == "unavailable" and "could not be fetched" in body["signing_keys"]["last_error"]


# --- row 15 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"type": "message", "value": ' + "[" * 2000 + "]" * 2000 + "}",
        '{"type": "message", "value": ' + '{"a":' * 2000 + "1" + "}" * 2000 + "}",
        '{"type": "message", "value": ' + "9" * 5000 + "}",
        '{"type": "message", "value": NaN}',
    ],
)
async def test_json_bombs_are_400(signed, body):
    status, calls = await signed.post({}, body=body)
    assert status == 400 and calls == []


async def test_json_bombs_are_400_in_local_mode_too(teams_small):
    for body in ('{"type":"message","v":' + "[" * 2000 + "]" * 2000 + "}", '{"type":"message","v":' + "1" * 5000 + "}"):
        response = await teams_small.http.post("/api/messages", data=body, headers={"Content-Type": "application/json"})
        assert response.status == 400


# --- rows 21–23 ----------------------------------------------------------------------------------


async def test_tenant_missing_is_not_processed_and_audited(signed):
    activity = signed.activity(text="hjälp")
    activity["channelData"].pop("tenant")
    activity["conversation"].pop("tenantId")
    status, calls = await signed.post(activity)
    assert status == 201 and calls == []
    assert signed.audit("tenant_missing") == ["(saknas)"]


async def test_tenant_mismatch_is_not_processed_and_audited(signed):
    activity = signed.activity(text="hjälp")
    activity["conversation"]["tenantId"] = OTHER_TENANT
    status, calls = await signed.post(activity)
    assert status == 201 and calls == []
    assert signed.audit("tenant_mismatch") == [TENANT]


async def test_a_channel_other_than_teams_is_not_processed_and_audited(signed, identity):
    identity.add_key("all-channels", endorsements=("msteams", "webchat"))
    activity = signed.activity(text="hjälp", channelId="webchat")
    status, calls = await signed.post(activity, identity.header(APP, signed.teams.service_url, kid="all-channels"))
    assert status == 201 and calls == []
    assert signed.audit("channel_rejected") == [TENANT]


async def test_a_foreign_tenant_is_not_processed(signed):
    activity = signed.activity(text="hjälp", channel_data={"tenant": {"id": OTHER_TENANT}})
    activity["conversation"]["tenantId"] = OTHER_TENANT
    status, calls = await signed.post(activity)
    assert status == 201 and calls == []
    assert signed.audit("tenant_rejected") == [OTHER_TENANT]
