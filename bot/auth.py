"""Who may talk to the bot, and where the bot may talk back. SDK-free, shared by both edges.

Bot Framework "Connector to Bot" authentication (MicrosoftDocs/bot-docs,
rest-api/bot-framework-rest-connector-authentication.md), done here instead of in an SDK, so
both edges apply the same rules and each failure has the right HTTP status
(fault matrix rows 2–12, docs/reliability.md):

| check | refusal |
|---|---|
| `Authorization: Bearer <JWT>` signed with RS256/384/512, a `kid` in the header | 401 |
| signature by a key from the OpenID metadata's `jwks_uri` | 401 |
| a `kid` we do not know: one refresh of the keys (rate-limited), then decide | 401 |
| `iss` = https://api.botframework.com, `aud` = MicrosoftAppId, `exp`/`nbf` with 5 min skew | 401 |
| the key endorses the activity's `channelId` (and `msteams`) | 403 |
| the token's `serviceurl` claim equals the activity's `serviceUrl` | 401 |
| the `serviceUrl` host is on the Bot Connector allow-list (BOT_CONNECTOR_HOSTS) | 403 |
| the signing keys cannot be fetched (timeout) and none that fit are cached | 503 |

The keys are fetched with aiohttp (never blocking the event loop) with a timeout, at most one
fetch at a time; turns whose key is cached never wait for a fetch. `SigningKeys.state()` is
what /readyz reports.

After authentication, `activity_refusal` applies the tenant rules (rows 20–23): in
authenticated mode the channel must be `msteams`, the tenant must be present, the same in
`conversation` and `channelData`, and on ALLOWED_TENANT_IDS.

`service_url_allowed` is the outbound allow-list: the bot's token only ever goes to a Bot
Connector host (loopback in local mode).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm

from lotsen.settings import Settings

log = logging.getLogger(__name__)

ISSUER = "https://api.botframework.com"
SIGNED_ALGORITHMS = ("RS256", "RS384", "RS512")
CLOCK_SKEW_SECONDS = 5 * 60
TEAMS_CHANNEL = "msteams"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class AuthError(Exception):
    """A request is refused; `status` is the HTTP status it gets."""

    status = 401


class Unauthorized(AuthError):
    """The request's token is missing or not valid (→ 401)."""

    status = 401


class Forbidden(AuthError):
    """A valid token that may not be used for this activity (→ 403)."""

    status = 403


class AuthUnavailable(AuthError):
    """The token could not be checked: the signing keys cannot be fetched (→ 503)."""

    status = 503


# --- the signing keys --------------------------------------------------------------------


@dataclass
class _Key:
    jwk: dict[str, Any]
    endorsements: frozenset[str]


class SigningKeys:
    """The Bot Framework's signing keys: fetched off the request path, cached, refreshed.

    * `max_age`: keys are refreshed in the background after this long (the docs allow days);
    * an unknown `kid` triggers one refresh, but at most one per `unknown_kid_gap` seconds, so a
      flood of made-up key ids cannot make us hammer the key service;
    * after a failed fetch, the next is tried after `retry_gap` seconds at the earliest;
    * every fetch has a `timeout`; concurrent callers share one fetch.
    """

    def __init__(
        self,
        metadata_url: str,
        *,
        timeout: float = 5.0,
        max_age: float = 24 * 3600,
        unknown_kid_gap: float = 300.0,
        retry_gap: float = 10.0,
        clock: Any = time.monotonic,
    ):
        self.metadata_url = metadata_url
        self.timeout = timeout
        self.max_age = max_age
        self.unknown_kid_gap = unknown_kid_gap
        self.retry_gap = retry_gap
        self.clock = clock
        self._keys: dict[str, _Key] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._unknown_kid_refresh_at: float | None = None
        self._last_error: str | None = None
        self._inflight: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self.fetches = 0

    def state(self) -> dict[str, Any]:
        """For /readyz: are keys available, how many, how old, the last error."""
        now = self.clock()
        return {
            "ok": bool(self._keys) and self._last_error is None,
            "keys": len(self._keys),
            "age_seconds": None if self._fetched_at is None else round(now - self._fetched_at, 1),
            "last_error": self._last_error,
            "fetching": self._inflight is not None and not self._inflight.done(),
        }

    async def close(self) -> None:
        if self._inflight is not None and not self._inflight.done():
            self._inflight.cancel()
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def prefetch(self) -> None:
        """Start fetching in the background (at start-up); never raises."""
        self._start_refresh()

    async def get(self, kid: str) -> _Key | None:
        """The key with this id; None if the key service does not publish it (→ 401).

        Raises AuthUnavailable when the key is not cached and the keys cannot be fetched now
        (timeout, error), because then we cannot tell a forged key id from a new key (→ 503)."""
        now = self.clock()
        key = self._keys.get(kid)
        if key is not None:
            if self._fetched_at is not None and now - self._fetched_at > self.max_age:
                self._start_refresh()  # stale: refresh in the background, use the cached key now
            return key
        idle = self._inflight is None or self._inflight.done()
        if (
            idle
            and self._last_error is not None
            and self._attempted_at is not None
            and now - self._attempted_at < self.retry_gap
        ):
            raise AuthUnavailable(self._last_error)
        if (
            idle
            and self._keys
            and self._unknown_kid_refresh_at is not None
            and now - self._unknown_kid_refresh_at < self.unknown_kid_gap
        ):
            log.warning("token signed with an unknown key id; keys were refreshed for one recently, not again")
            return None
        if idle and self._keys:
            self._unknown_kid_refresh_at = now
        task = self._start_refresh()
        try:
            # shield: a caller giving up does not cancel the fetch other callers share
            await asyncio.wait_for(asyncio.shield(task), self.timeout + 1.0)
        except asyncio.TimeoutError:
            raise AuthUnavailable("signing keys could not be fetched in time") from None
        key = self._keys.get(kid)
        if key is None and self._last_error is not None:
            raise AuthUnavailable(self._last_error)
        return key

    def _start_refresh(self) -> asyncio.Task[None]:
        if self._inflight is None or self._inflight.done():
            self._attempted_at = self.clock()
            self._inflight = asyncio.get_running_loop().create_task(self._refresh())
        return self._inflight

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def _refresh(self) -> None:
        self.fetches += 1
        try:
            async with self._http().get(self.metadata_url) as response:
                response.raise_for_status()
                metadata = await response.json(content_type=None)
            jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
            if not isinstance(jwks_uri, str):
                raise ValueError("OpenID metadata without jwks_uri")
            async with self._http().get(jwks_uri) as response:
                response.raise_for_status()
                document = await response.json(content_type=None)
            keys = {}
            for jwk in (document or {}).get("keys", []) if isinstance(document, dict) else []:
                if isinstance(jwk, dict) and isinstance(jwk.get("kid"), str) and jwk.get("kty") == "RSA":
                    endorsements = jwk.get("endorsements") if isinstance(jwk.get("endorsements"), list) else []
                    keys[jwk["kid"]] = _Key(jwk, frozenset(str(e).lower() for e in endorsements))
            if not keys:
                raise ValueError("the key set has no RSA keys")
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, OSError) as exc:
            self._last_error = f"signing keys could not be fetched: {type(exc).__name__}"
            log.error("the Bot Framework signing keys could not be fetched (%s)", type(exc).__name__)
            return
        self._keys = keys
        self._fetched_at = self.clock()
        self._last_error = None
        log.info("fetched %d Bot Framework signing keys", len(keys))


# --- token validation ---------------------------------------------------------------------


def _bearer(header: str) -> str:
    scheme, _, token = (header or "").partition(" ")
    token = token.strip()
    if scheme != "Bearer" or not token:
        raise Unauthorized("no bearer token")
    return token


def _host(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url)
        return (parts.scheme.lower(), (parts.hostname or "").lower())
    except ValueError:
        return ("", "")


def service_url_allowed(url: str, settings: Settings) -> bool:
    """May the bot (and its token) talk to this serviceUrl?

    Local mode: loopback only. Authenticated mode: https to a host on BOT_CONNECTOR_HOSTS (an
    entry `*.example.org` also allows its subdomains); a loopback host on the list may use http
    (tests, a local connector)."""
    scheme, host = _host(url)
    if not host or scheme not in {"http", "https"}:
        return False
    if settings.local_mode:
        return host in LOOPBACK_HOSTS
    for allowed in settings.connector_hosts:
        allowed = allowed.lower()
        matches = host == allowed or (allowed.startswith("*.") and host.endswith(allowed[1:]))
        if matches:
            return scheme == "https" or host in LOOPBACK_HOSTS
    return False


def _same_url(a: str, b: str) -> bool:
    return a.rstrip("/").lower() == b.rstrip("/").lower()


class BotAuthenticator:
    """Validates a request's Bot Framework token against the activity it carries."""

    def __init__(self, settings: Settings, keys: SigningKeys | None = None):
        self.settings = settings
        self.keys = keys or SigningKeys(settings.openid_metadata_url, timeout=settings.auth_timeout_seconds)

    async def authenticate(self, activity: dict[str, Any], header: str) -> dict[str, Any]:
        """The token's claims; raises Unauthorized (401), Forbidden (403) or AuthUnavailable (503)."""
        token = _bearer(header)
        try:
            unverified = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("not a JWT") from exc
        alg, kid = unverified.get("alg"), unverified.get("kid")
        if alg not in SIGNED_ALGORITHMS or not isinstance(kid, str) or not kid:
            raise Unauthorized("unsigned token or no key id")
        key = await self.keys.get(kid)
        if key is None:
            raise Unauthorized("unknown signing key")
        try:
            public_key = RSAAlgorithm.from_jwk(key.jwk)
            claims = jwt.decode(
                token,
                public_key,
                algorithms=[alg],
                audience=self.settings.app_id,
                issuer=ISSUER,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise Unauthorized(type(exc).__name__) from exc
        channel = str(activity.get("channelId") or "").lower()
        if channel not in key.endorsements or TEAMS_CHANNEL not in key.endorsements:
            raise Forbidden("signing key not endorsed for the channel")
        claimed = claims.get("serviceurl") or claims.get("serviceUrl")
        service_url = activity.get("serviceUrl")
        if not isinstance(claimed, str) or not isinstance(service_url, str) or not _same_url(claimed, service_url):
            raise Unauthorized("serviceUrl differs from the token's")
        if not service_url_allowed(service_url, self.settings):
            raise Forbidden("serviceUrl is not a Bot Connector host on the allow-list")
        return claims

    async def close(self) -> None:
        await self.keys.close()


# --- tenant rules (after authentication) ---------------------------------------------------


def activity_refusal(
    activity: dict[str, Any], settings: Settings, *, allow_list: bool = True
) -> tuple[str, str] | None:
    """Why an authenticated activity must not be processed: (reason, tenant), or None.

    Authenticated mode: channel `msteams`, a tenant, the same tenant in `conversation` and
    `channelData`. Any mode (unless `allow_list` is False, when the edge's tenant policy
    checks it): the tenant on ALLOWED_TENANT_IDS when that is set."""
    channel_data = activity.get("channelData") if isinstance(activity.get("channelData"), dict) else {}
    tenant_block = channel_data.get("tenant") if isinstance(channel_data.get("tenant"), dict) else {}
    conversation = activity.get("conversation") if isinstance(activity.get("conversation"), dict) else {}
    from_channel = str(tenant_block.get("id") or "").strip()
    from_conversation = str(conversation.get("tenantId") or "").strip()
    tenant = from_channel or from_conversation
    if not settings.local_mode:
        if str(activity.get("channelId") or "") != TEAMS_CHANNEL:
            return ("channel_rejected", tenant)
        if not tenant:
            return ("tenant_missing", "")
        if from_channel and from_conversation and from_channel.lower() != from_conversation.lower():
            return ("tenant_mismatch", from_channel)
    if allow_list and settings.allowed_tenant_ids and not settings.tenant_allowed(tenant):
        return ("tenant_rejected", tenant)
    return None
