"""The front door of /api/messages, shared by both SDK edges: what a request must look like
before the bot looks at it, and which HTTP status each kind of refusal gets.

| request | status |
|---|---|
| body not `application/json` | 415 |
| malformed JSON, not an object, no `type` | 400 |
| body over MAX_BODY_BYTES | 413 (aiohttp's client_max_size) |
| JSON nested deeper than MAX_JSON_DEPTH, or a number with more than MAX_NUMBER_DIGITS digits | 400 |
| with credentials: no/garbage/unsigned Bearer token, or one bot/auth.py rejects | 401 |
| with credentials: token's serviceUrl claim differs from the activity's | 401 |
| with credentials: key not endorsed for the channel; serviceUrl not a Bot Connector host | 403 |
| the signing keys cannot be fetched to check a token | 503 |
| with credentials: channel not msteams, tenant missing, or different in conversation and channelData | 201, not processed, audited |
| accepted activity | 201; an invoke: 200 + invoke response (501 for unknown invokes) |

Token validation and the tenant rules are in bot/auth.py (SDK-free, the same for both edges).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable

import aiohttp
import jwt
from aiohttp import web

from bot.auth import AuthError, AuthUnavailable, Forbidden, Unauthorized, activity_refusal
from lotsen.settings import Settings

__all__ = ["AuthUnavailable", "Forbidden", "Unauthorized", "admit", "read_activity", "refuse"]

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 256 * 1024
SIGNED_ALGORITHMS = {"RS256", "RS384", "RS512"}
# A Teams activity is a few levels deep; 2,000 levels would overflow the parser's recursion.
MAX_JSON_DEPTH = 64
# Python refuses to parse integers over 4,300 digits (ValueError); no activity has a long one.
MAX_NUMBER_DIGITS = 40


class _BadJson(ValueError):
    pass


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _BadJson("number too long")
    return int(text)


def _bounded_float(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS * 2:
        raise _BadJson("number too long")
    return float(text)


def _no_constant(name: str) -> Any:
    raise _BadJson(f"{name} is not JSON")


def _too_deep(node: Any) -> bool:
    """Iterative depth check (no recursion, so the check itself cannot overflow)."""
    stack = [(node, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return False


def parse_json(raw: bytes) -> Any:
    """The body as JSON; raises ValueError for anything a Teams activity cannot be (malformed,
    deeper than MAX_JSON_DEPTH, numbers longer than MAX_NUMBER_DIGITS, NaN/Infinity)."""
    text = raw.decode("utf-8")
    # Cheap pre-check: nesting deeper than the limit needs that many brackets in a row.
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and _deep_brackets(text):
        raise _BadJson("nested too deeply")
    try:
        body = json.loads(text, parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_no_constant)
    except RecursionError as exc:
        raise _BadJson("nested too deeply") from exc
    if _too_deep(body):
        raise _BadJson("nested too deeply")
    return body


def _deep_brackets(text: str) -> bool:
    """Does the bracket nesting (outside strings) exceed MAX_JSON_DEPTH?"""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


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
        body: Any = parse_json(await request.read())
    except (ValueError, UnicodeDecodeError, RecursionError):  # JSONDecodeError is a ValueError
        return refuse(400, "malformed JSON")
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        return refuse(400, "an activity object with a type is required")
    return body


def _service_url_matches(claims: dict[str, Any] | None, activity: dict[str, Any]) -> bool:
    claimed = (claims or {}).get("serviceurl") or (claims or {}).get("serviceUrl")
    if not claimed or not activity.get("serviceUrl"):
        return True
    return str(claimed).rstrip("/").lower() == str(activity["serviceUrl"]).rstrip("/").lower()


Audit = Callable[[str, str], Awaitable[None] | None]


async def admit(
    request: web.Request, settings: Settings, authenticate: Authenticate, audit: Audit | None = None
) -> dict[str, Any] | web.Response:
    """Read and authenticate a request: the activity, or the response refusing it.

    `authenticate(activity, authorization_header)` is bot.auth.BotAuthenticator.authenticate:
    it returns the token's claims or raises bot.auth.AuthError. In local mode (no
    MicrosoftAppId) nothing is authenticated (loopback only, see lotsen.settings).
    `audit(event, tenant)` records an authenticated activity that is not processed (rows 21–23)."""
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
    except Forbidden as exc:
        log.warning("refused a request (403): %s", exc)
        return refuse(403, "forbidden")
    except Exception as exc:  # noqa: BLE001 - every other failure to validate: not authenticated
        # A token that cannot even be parsed (garbage, unknown key, wrong audience) is not a
        # server error: the caller is not authenticated. One line, no traceback.
        reason = str(exc) if isinstance(exc, AuthError) else type(exc).__name__
        log.warning("rejected a request with an unusable token: %s", reason)
        return refuse(401, "unauthorized")
    if not _service_url_matches(claims, activity):
        log.warning("rejected a request whose serviceUrl differs from its token's")
        return refuse(401, "unauthorized")
    refusal = activity_refusal(activity, settings, allow_list=False)
    if refusal is not None:
        event, tenant = refusal
        log.warning("authenticated activity not processed: %s", event)
        if audit is not None:
            result = audit(event, tenant or "(saknas)")
            if asyncio.iscoroutine(result):
                await result
        return web.Response(status=201)
    return activity
