"""The front door of /api/messages, shared by both SDK edges: what a request must look like
before the bot looks at it, and which HTTP status each kind of refusal gets.

| request | status |
|---|---|
| body not `application/json` | 415 |
| malformed JSON, not an object, no `type` | 400 |
| body over MAX_BODY_BYTES | 413 (aiohttp's client_max_size) |
| with credentials: no/garbage/unsigned Bearer token, or a token the SDK rejects | 401 |
| with credentials: token's serviceUrl claim differs from the activity's | 401 |
| the signing keys cannot be fetched to check a token | 503 |
| accepted activity | 201; an invoke: 200 + invoke response (501 for unknown invokes) |
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable

import aiohttp
import jwt
from aiohttp import web

from lotsen.settings import Settings

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 256 * 1024
SIGNED_ALGORITHMS = {"RS256", "RS384", "RS512"}


class Unauthorized(Exception):
    """The request's token is missing or not valid (→ 401)."""


class AuthUnavailable(Exception):
    """The token could not be checked (signing keys unreachable) (→ 503)."""


Authenticate = Callable[[dict[str, Any], str], Awaitable[dict[str, Any] | None]]


def plausible_bot_token(header: str) -> bool:
    """Cheap checks before the full validation: "Bearer <JWT>" signed with RSA.

    Rejects garbage and unsigned ("alg": "none") tokens without fetching signing keys;
    everything that passes is still validated in full."""
    scheme, _, token = header.partition(" ")
    if scheme != "Bearer" or not token.strip():
        return False
    try:
        return jwt.get_unverified_header(token.strip()).get("alg") in SIGNED_ALGORITHMS
    except jwt.PyJWTError:
        return False


def refuse(status: int, error: str) -> web.Response:
    return web.json_response({"error": error}, status=status)


async def read_activity(request: web.Request) -> dict[str, Any] | web.Response:
    """The activity in the body, or the response refusing it."""
    if request.content_type != "application/json":
        return refuse(415, "Content-Type must be application/json")
    try:
        body: Any = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return refuse(400, "malformed JSON")
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        return refuse(400, "an activity object with a type is required")
    return body


def _service_url_matches(claims: dict[str, Any] | None, activity: dict[str, Any]) -> bool:
    claimed = (claims or {}).get("serviceurl") or (claims or {}).get("serviceUrl")
    if not claimed or not activity.get("serviceUrl"):
        return True
    return str(claimed).rstrip("/").lower() == str(activity["serviceUrl"]).rstrip("/").lower()


async def admit(request: web.Request, settings: Settings, authenticate: Authenticate) -> dict[str, Any] | web.Response:
    """Read and authenticate a request: the activity, or the response refusing it.

    `authenticate(activity, authorization_header)` is the SDK edge's token validation; it
    returns the token's claims or raises. In local mode (no MicrosoftAppId) nothing is
    authenticated (loopback only, see lotsen.settings)."""
    activity = await read_activity(request)
    if isinstance(activity, web.Response) or settings.local_mode:
        return activity
    header = request.headers.get("Authorization", "")
    if not plausible_bot_token(header):
        log.warning("rejected a request without a usable Bot Framework token")
        return refuse(401, "unauthorized")
    try:
        claims = await authenticate(activity, header)
    except web.HTTPException:
        raise
    except (AuthUnavailable, aiohttp.ClientError, asyncio.TimeoutError, OSError):
        log.error("could not reach the Bot Framework's signing keys to check a token")
        return refuse(503, "authentication service unavailable")
    except Exception as exc:  # noqa: BLE001 - every other failure to validate: not authenticated
        # A token the SDK cannot even parse (garbage, unknown key, wrong audience) is not a
        # server error: the caller is not authenticated.
        log.warning("rejected a request with an unusable token: %s", type(exc).__name__)
        return refuse(401, "unauthorized")
    if not _service_url_matches(claims, activity):
        log.warning("rejected a request whose serviceUrl differs from its token's")
        return refuse(401, "unauthorized")
    return activity
