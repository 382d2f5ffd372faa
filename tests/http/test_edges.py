"""Both SDK edges (BOT_SDK=botbuilder|agents) behave the same; these tests run on each
(the `connector` fixture is parametrised over both edges, see tests/support/edges.py)."""

from __future__ import annotations

import json

import pytest

from bot.app_factory import EDGE, SERVICES, sdk_edge
from lotsen.settings import Settings, SettingsError
from lotsen.turn import DeliveryError
from tests.conftest import FIXTURE_KB, make_settings, start_bot
from tests.support.teams import BOT, CASEWORKER, TENANT, card_strings

# connector_hosts: the fake connector on loopback is this test's Bot Connector (bot/auth.py allow-list)
CREDENTIALS = dict(
    app_id="11111111-2222-3333-4444-555555555555",
    app_password="hemligt",
    host="0.0.0.0",
    connector_hosts=("127.0.0.1",),
)


def stored_by_botbuilder(activity: dict) -> dict:
    """A reference as the botbuilder edge stored it before the restructure (4.17.1's serialiser)."""
    from botbuilder.core import TurnContext
    from botbuilder.schema import Activity

    ref = TurnContext.get_conversation_reference(Activity().deserialize(activity)).serialize()
    ref["conversation"]["tenantId"] = TENANT
    return ref


def stored_by_agents(activity: dict) -> dict:
    """A reference as the Agents SDK's own model dumps it."""
    from microsoft_agents.activity import Activity

    return (
        Activity.model_validate(activity)
        .get_conversation_reference()
        .model_dump(mode="json", by_alias=True, exclude_none=True)
    )


async def test_healthz_names_the_sdk(teams_small, bot_sdk):
    health = await (await teams_small.http.get("/healthz")).json()
    assert health["sdk"] == bot_sdk and health["status"] == "ok"


@pytest.mark.parametrize("stored_by", [stored_by_botbuilder, stored_by_agents])
async def test_a_reference_stored_by_either_edge_reaches_the_channel(teams_small, stored_by):
    thread = "19:kanal@thread.tacv2;messageid=1700000000000"
    ref = stored_by(teams_small.activity(text="koppla kanal", conversation=thread, conversation_type="channel"))
    messenger = teams_small.app[SERVICES].messenger
    mark = len(teams_small.connector.calls)
    new_id = await messenger.send(ref, text="Ny avvikelse: AVV-2026-0001")
    [call] = teams_small.connector.since(mark)
    # A new post in the channel (not a reply in the thread it was connected from).
    assert call.method == "send" and call.conversation == "19:kanal@thread.tacv2"
    assert new_id == call.new_id and call.body["text"] == "Ny avvikelse: AVV-2026-0001"
    assert call.body["from"]["id"] == BOT["id"] and call.body["conversation"]["tenantId"] == TENANT
    assert "replyToId" not in call.body
    await messenger.update(ref, new_id, {"type": "AdaptiveCard", "version": "1.5", "body": []})
    assert teams_small.connector.calls[-1].method == "update"
    assert teams_small.connector.calls[-1].activity_id == new_id


async def test_a_personal_chat_reference_reaches_the_person(teams_small):
    for stored_by in (stored_by_botbuilder, stored_by_agents):
        ref = stored_by(teams_small.activity(text="hej", conversation="a:personal-42"))
        mark = len(teams_small.connector.calls)
        await teams_small.app[SERVICES].messenger.send(
            ref, card={"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Kvitto"}]}
        )
        [call] = teams_small.connector.since(mark)
        assert call.conversation == "a:personal-42" and call.body["recipient"]["id"] == CASEWORKER.id
        assert card_strings(call.body["attachments"][0]["content"]) == "Kvitto"


async def test_a_refused_proactive_message_raises_delivery_error(teams_small):
    teams_small.connector.refuse.add("19:gone@thread.tacv2")
    ref = stored_by_botbuilder(
        teams_small.activity(text="x", conversation="19:gone@thread.tacv2", conversation_type="channel")
    )
    with pytest.raises(DeliveryError) as raised:
        await teams_small.app[SERVICES].messenger.send(ref, text="hej")
    assert raised.value.status == 403


async def test_unknown_invokes_are_not_implemented_and_reactions_are_ignored(teams_small):
    status, replies, _ = await teams_small.post(teams_small.activity(type_="invoke", name="task/fetch", value={}))
    assert status == 501 and list(replies) == []
    status, replies, _ = await teams_small.post(
        teams_small.activity(type_="messageReaction", reactionsAdded=[{"type": "like"}])
    )
    assert status == 201 and list(replies) == []
    status, replies, _ = await teams_small.post(teams_small.activity(type_="installationUpdate", action="add"))
    assert status == 201 and list(replies) == []


async def test_with_credentials_replies_carry_the_bots_token(connector, tmp_path, bot_sdk):
    import time

    import jwt

    teams = await start_bot(connector, make_settings(tmp_path, knowledge_dir=FIXTURE_KB, **CREDENTIALS))
    try:
        edge = teams.app[EDGE]
        calls: list[str] = []
        bot_token = jwt.encode(
            {"aud": "https://api.botframework.com", "exp": int(time.time()) + 3600}, "k" * 32, algorithm="HS256"
        )

        async def token(service_url: str) -> str:
            calls.append(service_url)
            return bot_token

        assert edge.connector.tokens.provider.name == bot_sdk
        edge.connector.tokens.provider.token = token  # the SDK's MSAL call, replaced: no Entra ID here
        await edge.on_activity(teams.activity(text="vem kallar till sip"))
        await edge.on_activity(teams.activity(text="hjälp"))
        assert len(connector.calls) >= 2 and {c.authorization for c in connector.calls} == {f"Bearer {bot_token}"}
        assert calls == [connector.url]  # fetched once, then cached until shortly before it expires
    finally:
        await teams.http.close()


@pytest.mark.parametrize("sdk", ["botbuilder", "agents"])
def test_each_edge_maps_the_same_configuration(sdk):
    single = Settings(
        bot_sdk=sdk,
        app_id="11111111-2222-3333-4444-555555555555",
        app_password="p",
        app_type="SingleTenant",
        app_tenant_id="22222222-0000-0000-0000-000000000000",
    )
    edge = sdk_edge(single)
    assert edge.name == sdk
    if sdk == "agents":
        assert edge.config.CLIENT_ID == single.app_id and edge.config.CLIENT_SECRET == "p"
        assert edge.config.TENANT_ID == single.app_tenant_id and edge.config.AUTH_TYPE == "ClientSecret"
        multi = sdk_edge(Settings(bot_sdk=sdk, app_id=single.app_id, app_password="p"))
        assert multi.config.TENANT_ID == "botframework.com"
        msi = sdk_edge(
            Settings(bot_sdk=sdk, app_id=single.app_id, app_type="UserAssignedMSI", app_tenant_id=single.app_tenant_id)
        )
        assert msi.config.AUTH_TYPE == "UserManagedIdentity"


def test_bot_sdk_setting():
    assert Settings.from_env({}).bot_sdk == "botbuilder"
    assert Settings.from_env({"BOT_SDK": "agents"}).bot_sdk == "agents"
    assert Settings.from_env({"BOT_SDK": " Agents "}).bot_sdk == "agents"
    with pytest.raises(SettingsError, match="BOT_SDK must be botbuilder or agents"):
        Settings.from_env({"BOT_SDK": "teams"})


def test_the_agents_sdk_names_for_the_credentials_are_accepted():
    sc = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
    app = "11111111-2222-3333-4444-555555555555"
    tenant = "22222222-0000-0000-0000-000000000000"
    base = {"ALLOWED_TENANT_IDS": tenant}
    single = Settings.from_env(
        {
            **base,
            sc + "CLIENTID": app,
            sc + "CLIENTSECRET": "p",
            sc + "TENANTID": tenant,
            sc + "AUTHTYPE": "ClientSecret",
        }
    )
    assert (single.app_id, single.app_password, single.app_type, single.app_tenant_id) == (
        app,
        "p",
        "SingleTenant",
        tenant,
    )
    assert not single.local_mode
    msi = Settings.from_env(
        {**base, sc + "CLIENTID": app, sc + "TENANTID": tenant, sc + "AUTHTYPE": "UserManagedIdentity"}
    )
    assert msi.app_type == "UserAssignedMSI" and msi.app_password == ""
    # The same fail-closed rules as with the MicrosoftApp* names.
    with pytest.raises(SettingsError, match="MultiTenant is not accepted"):
        Settings.from_env({**base, sc + "CLIENTID": app, sc + "CLIENTSECRET": "p", sc + "TENANTID": "botframework.com"})
    with pytest.raises(SettingsError, match="MicrosoftAppPassword is required"):
        Settings.from_env({**base, sc + "CLIENTID": app, sc + "TENANTID": tenant})
    with pytest.raises(SettingsError, match="AUTHTYPE must be ClientSecret or UserManagedIdentity"):
        Settings.from_env({**base, sc + "CLIENTID": app, sc + "AUTHTYPE": "certificate"})
    with pytest.raises(SettingsError, match="name different apps"):
        Settings.from_env(
            {
                **base,
                "MicrosoftAppId": "33333333-0000-0000-0000-000000000000",
                "MicrosoftAppPassword": "p",
                sc + "CLIENTID": app,
                sc + "CLIENTSECRET": "p",
            }
        )
    same = Settings.from_env(
        {
            **base,
            "MicrosoftAppId": app,
            "MicrosoftAppPassword": "p",
            "MicrosoftAppTenantId": tenant,
            sc + "CLIENTID": app,
        }
    )
    assert same.app_id == app


async def test_unreachable_signing_keys_are_503_on_both_edges(connector, tmp_path, monkeypatch):
    """A well-formed RS256 token whose keys cannot be fetched (no route to the Bot Framework's
    OpenID metadata): 503, so Teams retries; nothing is answered."""
    import socket
    import time

    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    real_getaddrinfo = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise socket.gaierror(socket.EAI_NONAME, "no network in this test")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)
    settings = make_settings(
        tmp_path,
        knowledge_dir=FIXTURE_KB,
        app_type="SingleTenant",
        app_tenant_id="22222222-0000-0000-0000-000000000000",
        allowed_tenant_ids=(TENANT,),
        **CREDENTIALS,
    )
    teams = await start_bot(connector, settings)
    try:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = int(time.time())
        token = jwt.encode(
            {
                "iss": "https://api.botframework.com",
                "aud": CREDENTIALS["app_id"],
                "exp": now + 600,
                "nbf": now - 10,
                "serviceurl": connector.url,
            },
            key,
            algorithm="RS256",
            headers={"kid": "unknown-key"},
        )
        response = await teams.http.post(
            "/api/messages",
            data=json.dumps(teams.activity(text="hej")),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        assert response.status == 503
        assert connector.calls == []
    finally:
        await teams.http.close()
