"""Outbound calls to the Bot Connector (Teams' serviceUrl), shared by both SDK edges.

One pooled `aiohttp.ClientSession` per process: keep-alive connections (in production, one TLS
handshake per connection instead of per reply), no thread pool. Each activity is serialised
once with `json.dumps`; a card is sent as the JSON the template rendered.

The bearer token comes from the SDK edge's `TokenProvider` (MSAL, fetched off the event loop
and cached by MSAL); none in local mode. A refusal or an unreachable connector raises
`lotsen.turn.DeliveryError(status, retry_after)`. A reply inside a turn is retried briefly
(429, 5xx, connection errors), honouring `Retry-After`; longer waits are the outbox's.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Callable, Protocol
from urllib.parse import quote

import aiohttp
import jwt
from yarl import URL

from lotsen.turn import DeliveryError

log = logging.getLogger(__name__)
RETRY_STATUSES = {408, 429, 500, 502, 503, 504}


class TokenProvider(Protocol):
    async def token(self, service_url: str) -> str | None:
        """A bearer token for calls to this service URL (None: send no Authorization header)."""


class NoTokens:
    """Local mode: the Bot Framework Emulator, Agents Playground and tests need no token."""

    async def token(self, service_url: str) -> str | None:
        return None


class CachedTokens:
    """The bot's token, kept until five minutes before it expires (its `exp` claim), so a reply
    costs no thread hop; one refresh at a time. Wraps the SDK edge's TokenProvider."""

    MARGIN_SECONDS = 300

    def __init__(self, provider: TokenProvider, clock: Any = time.time):
        self.provider = provider
        self.clock = clock
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def token(self, service_url: str) -> str | None:
        if self._token is not None and self.clock() < self._expires - self.MARGIN_SECONDS:
            return self._token
        async with self._lock:
            if self._token is None or self.clock() >= self._expires - self.MARGIN_SECONDS:
                token = await self.provider.token(service_url)
                self._token, self._expires = token, _expiry(token, self.clock())
        return self._token


def _expiry(token: str | None, now: float) -> float:
    """When a token expires (unverified `exp`: it is our own token, fresh from Entra ID);
    `now` for anything that is not a JWT with an expiry, so it is not cached."""
    if not token:
        return now
    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
        return float(exp) if isinstance(exp, (int, float)) else now
    except jwt.PyJWTError:
        return now


def _retry_after(headers: Any) -> float | None:
    raw = headers.get("Retry-After") if headers is not None else None
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except ValueError:
        return None


class Connector:
    def __init__(
        self,
        tokens: TokenProvider,
        *,
        timeout: float = 15.0,
        retries: int = 2,
        max_wait: float = 3.0,
        allowed: Callable[[str], bool] | None = None,
    ):
        self.tokens = tokens
        # bot.auth.service_url_allowed: the bot's token only ever goes to a Bot Connector host
        self.allowed = allowed
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.retries = retries
        self.max_wait = max_wait
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """Created on first use, inside the running event loop; reused for the process's life."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self.timeout,
                connector=aiohttp.TCPConnector(limit=100, limit_per_host=32, keepalive_timeout=60),
                json_serialize=json.dumps,
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    @staticmethod
    def _url(service_url: str, conversation_id: str, activity_id: str | None = None) -> URL:
        base = service_url.rstrip("/") + "/v3/conversations/" + quote(conversation_id, safe="") + "/activities"
        if activity_id:
            base += "/" + quote(activity_id, safe="")
        return URL(base, encoded=True)

    async def send(self, activity: dict[str, Any], *, retries: int | None = None) -> str:
        """Post an addressed activity: a reply when it names `replyToId`, else a new message.
        Returns the new activity's id."""
        conversation = (activity.get("conversation") or {}).get("id") or ""
        url = self._url(activity["serviceUrl"], conversation, activity.get("replyToId"))
        body = await self._call("POST", url, activity, retries)
        return str((body or {}).get("id") or "")

    async def update(self, activity: dict[str, Any], *, retries: int | None = None) -> None:
        """Replace the activity `activity["id"]` in place."""
        conversation = (activity.get("conversation") or {}).get("id") or ""
        await self._call("PUT", self._url(activity["serviceUrl"], conversation, activity["id"]), activity, retries)

    async def _call(self, method: str, url: URL, activity: dict[str, Any], retries: int | None) -> Any:
        if self.allowed is not None and not self.allowed(str(activity.get("serviceUrl") or "")):
            log.error("refused to send to a serviceUrl that is not a Bot Connector host on the allow-list")
            raise DeliveryError(None, None, "serviceUrl is not on the Bot Connector allow-list")
        data = json.dumps(activity, ensure_ascii=False).encode("utf-8")
        attempts = 1 + (self.retries if retries is None else retries)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                token = await self.tokens.token(activity["serviceUrl"])
            except Exception as exc:  # noqa: BLE001 - any failure to get a token: not delivered
                log.error("could not get a token for the Bot Connector: %s", type(exc).__name__)
                raise DeliveryError(None, None, "no token for the Bot Connector") from exc
            headers = {"Content-Type": "application/json; charset=utf-8"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            try:
                async with self.session.request(method, url, data=data, headers=headers) as response:
                    payload = await response.read()
                    if response.status < 300:
                        try:
                            return json.loads(payload) if payload else None
                        except ValueError:
                            return None
                    error = DeliveryError(response.status, _retry_after(response.headers))
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                error = DeliveryError(None, None, f"Bot Connector could not be reached: {type(exc).__name__}")
            if last or (error.status is not None and error.status not in RETRY_STATUSES):
                raise error
            wait = error.retry_after if error.retry_after is not None else 0.25 * 2**attempt
            if wait > self.max_wait:
                raise error
            log.warning("Bot Connector %s; retrying in %.2f s", error.status or "unreachable", wait)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")
