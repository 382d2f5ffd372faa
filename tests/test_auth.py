"""bot/auth.py against a fake Bot Framework identity service (tests/support/botframework.py).

Fault matrix rows 2–12 at the unit level; tests/http/test_front_door_auth.py drives the same
rules over HTTP."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.auth import (
    AuthUnavailable,
    BotAuthenticator,
    Forbidden,
    SigningKeys,
    Unauthorized,
    activity_refusal,
    service_url_allowed,
)
from lotsen.settings import Settings
from tests.support.botframework import FakeIdentity

APP = "11111111-2222-3333-4444-555555555555"
TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
SERVICE_URL = "https://smba.trafficmanager.net/emea/"


def settings_for(identity: FakeIdentity, **kw) -> Settings:
    values = dict(
        app_id=APP,
        app_password="hemligt",
        app_type="SingleTenant",
        app_tenant_id=TENANT,
        allowed_tenant_ids=(TENANT,),
        openid_metadata_url=identity.metadata_url,
        auth_timeout_seconds=1.0,
    )
    values.update(kw)
    return Settings(**values)


def activity(**kw) -> dict:
    base = {
        "type": "message",
        "channelId": "msteams",
        "serviceUrl": SERVICE_URL,
        "conversation": {"id": "c1", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
    }
    base.update(kw)
    return base


@pytest.fixture
async def identity():
    fake = FakeIdentity()
    server = await fake.serve()
    yield fake
    await server.close()


@pytest.fixture
async def auth(identity):
    authenticator = BotAuthenticator(settings_for(identity))
    yield authenticator
    await authenticator.close()


async def test_a_valid_token_is_accepted(identity, auth):
    claims = await auth.authenticate(activity(), identity.header(APP, SERVICE_URL))
    assert claims["aud"] == APP and claims["serviceurl"] == SERVICE_URL


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Basic dXNlcjpwYXNz",
        "Bearer ",
        "Bearer not.a.jwt",
        "Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIn0.",
    ],
)
async def test_missing_garbage_and_unsigned_tokens_are_401(auth, header):
    with pytest.raises(Unauthorized):
        await auth.authenticate(activity(), header)


@pytest.mark.parametrize(
    "change",
    [
        {"audience": "some-other-bot"},
        {"issuer": "https://sts.windows.net/evil/"},
        {"expires_in": -600},  # expired 10 min ago: beyond the 5 min skew
    ],
)
async def test_wrong_audience_issuer_or_expired_is_401(identity, auth, change):
    with pytest.raises(Unauthorized):
        await auth.authenticate(activity(), identity.header(APP, SERVICE_URL, **change))


async def test_expired_within_the_clock_skew_is_accepted(identity, auth):
    await auth.authenticate(activity(), identity.header(APP, SERVICE_URL, expires_in=-120))


async def test_a_key_from_elsewhere_is_401(identity, auth):
    impostor = FakeIdentity()  # its own k1, never published by our identity service
    with pytest.raises(Unauthorized):
        await auth.authenticate(activity(), impostor.header(APP, SERVICE_URL))


# --- row 9: unknown key id → one rate-limited refresh, then decide -----------------------------


async def test_a_newly_published_key_is_accepted_after_one_refresh(identity, auth):
    await auth.authenticate(activity(), identity.header(APP, SERVICE_URL))
    assert identity.metadata_fetches == 1
    identity.add_key("k2")  # key rollover after our last fetch
    await auth.authenticate(activity(), identity.header(APP, SERVICE_URL, kid="k2"))
    assert identity.metadata_fetches == 2


async def test_unknown_key_ids_refresh_at_most_once_per_gap(identity, auth):
    await auth.authenticate(activity(), identity.header(APP, SERVICE_URL))
    for n in range(5):
        identity.add_key(f"forged{n}", publish=False)
        with pytest.raises(Unauthorized):
            await auth.authenticate(activity(), identity.header(APP, SERVICE_URL, kid=f"forged{n}"))
    assert identity.metadata_fetches == 2  # the first fetch and one refresh, not six


# --- row 10: endorsements ------------------------------------------------------------------------


async def test_key_not_endorsed_for_teams_is_403(identity, auth):
    identity.add_key("webchat-only", endorsements=("webchat",))
    with pytest.raises(Forbidden):
        await auth.authenticate(activity(), identity.header(APP, SERVICE_URL, kid="webchat-only"))


async def test_spoofed_channel_id_is_403(identity, auth):
    with pytest.raises(Forbidden):
        await auth.authenticate(activity(channelId="webchat"), identity.header(APP, SERVICE_URL))


# --- row 11: serviceUrl claim and the allow-list -------------------------------------------------


async def test_service_url_must_match_the_claim(identity, auth):
    with pytest.raises(Unauthorized):
        await auth.authenticate(activity(), identity.header(APP, "https://smba.trafficmanager.net/amer/"))
    with pytest.raises(Unauthorized):
        await auth.authenticate(activity(), identity.header(APP, None))


async def test_a_signed_service_url_off_the_allow_list_is_403(identity, auth):
    evil = "https://collector.exempel.se/"
    with pytest.raises(Forbidden):
        await auth.authenticate(activity(serviceUrl=evil), identity.header(APP, evil))


def test_service_url_allow_list():
    production = Settings(app_id=APP, connector_hosts=("smba.trafficmanager.net", "*.teams.microsoft.com"))
    assert service_url_allowed("https://smba.trafficmanager.net/emea/", production)
    assert service_url_allowed("https://smba.infra.gcc.teams.microsoft.com/", production)
    assert not service_url_allowed("http://smba.trafficmanager.net/emea/", production)  # no token over http
    assert not service_url_allowed("https://smba.trafficmanager.net.exempel.se/", production)
    assert not service_url_allowed("https://127.0.0.1:9/", production)
    assert not service_url_allowed("not a url", production)
    local = Settings()
    assert service_url_allowed("http://127.0.0.1:3978/", local)
    assert service_url_allowed("http://localhost:56150/", local)
    assert not service_url_allowed("https://smba.trafficmanager.net/emea/", local)
    tests = Settings(app_id=APP, connector_hosts=("127.0.0.1",))
    assert service_url_allowed("http://127.0.0.1:4000/", tests)


def test_connector_hosts_from_the_environment():
    env = {
        "MicrosoftAppId": APP,
        "MicrosoftAppPassword": "x",
        "MicrosoftAppTenantId": TENANT,
        "ALLOWED_TENANT_IDS": TENANT,
    }
    assert Settings.from_env(env).connector_hosts == ("smba.trafficmanager.net",)
    assert Settings.from_env({**env, "BOT_CONNECTOR_HOSTS": "a.exempel.se, b.exempel.se"}).connector_hosts == (
        "a.exempel.se",
        "b.exempel.se",
    )


# --- row 12: a hanging key service --------------------------------------------------------------


async def test_a_hanging_key_service_gives_503_within_the_timeout(identity, auth):
    identity.hang = True
    started = time.monotonic()
    with pytest.raises(AuthUnavailable):
        await auth.authenticate(activity(), identity.header(APP, SERVICE_URL))
    assert time.monotonic() - started < 3
    assert auth.keys.state()["ok"] is False


async def test_cached_keys_keep_working_while_the_key_service_hangs(identity, auth):
    await auth.authenticate(activity(), identity.header(APP, SERVICE_URL))
    identity.hang = True
    identity.add_key("k2")
    slow = asyncio.create_task(auth.authenticate(activity(), identity.header(APP, SERVICE_URL, kid="k2")))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    for _ in range(20):  # known key: no waiting for the hanging fetch
        await auth.authenticate(activity(), identity.header(APP, SERVICE_URL))
    assert time.monotonic() - started < 0.5
    with pytest.raises(AuthUnavailable):  # the new key cannot be checked: 503, not 401
        await slow


async def test_a_failing_key_service_is_not_hammered(identity, auth):
    identity.fail = True
    for _ in range(5):
        with pytest.raises(AuthUnavailable):
            await auth.authenticate(activity(), identity.header(APP, SERVICE_URL))
    assert identity.metadata_fetches == 1
    assert "signing keys could not be fetched" in auth.keys.state()["last_error"]


async def test_keys_come_back_after_an_outage():
    identity = FakeIdentity()
    server = await identity.serve()
    now = [1000.0]
    keys = SigningKeys(identity.metadata_url, timeout=1.0, clock=lambda: now[0])
    auth = BotAuthenticator(settings_for(identity), keys)
    try:
        identity.fail = True
        with pytest.raises(AuthUnavailable):
            await auth.authenticate(activity(), identity.header(APP, SERVICE_URL))
        identity.fail = False
        now[0] += 11  # after the retry gap
        await auth.authenticate(activity(), identity.header(APP, SERVICE_URL))
        assert keys.state()["ok"] is True
    finally:
        await auth.close()
        await server.close()


# --- rows 20–23: tenant rules -------------------------------------------------------------------


def test_tenant_rules_in_authenticated_mode():
    s = Settings(app_id=APP, allowed_tenant_ids=(TENANT,))
    assert activity_refusal(activity(), s) is None
    assert activity_refusal(activity(channelId="webchat"), s)[0] == "channel_rejected"
    missing = activity(channelData={}, conversation={"id": "c1"})
    assert activity_refusal(missing, s) == ("tenant_missing", "")
    other = "99999999-0000-0000-0000-000000000000"
    mismatch = activity(conversation={"id": "c1", "tenantId": other})
    assert activity_refusal(mismatch, s) == ("tenant_mismatch", TENANT)
    foreign = activity(conversation={"id": "c1", "tenantId": other}, channelData={"tenant": {"id": other}})
    assert activity_refusal(foreign, s) == ("tenant_rejected", other)
    everyone = Settings(app_id=APP, allow_all_tenants=True)
    assert activity_refusal(foreign, everyone) is None
    assert activity_refusal(missing, everyone) == ("tenant_missing", "")


def test_local_mode_only_applies_the_allow_list():
    assert (
        activity_refusal(activity(channelId="emulator", channelData={}, conversation={"id": "c"}), Settings()) is None
    )
