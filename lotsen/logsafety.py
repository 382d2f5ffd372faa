"""Defence in depth for logs: no personnummer, no secrets and no forged lines, whatever is logged.

Flows never log user text or credentials, but a library might (a traceback with a card value,
an exception message quoting a connection string or an ``Authorization`` header). This filter,
on every handler of the root logger, rewrites each record before it is written:

* personnummer/samordningsnummer are replaced (``lotsen.pii``);
* the configured secrets (``MicrosoftAppPassword``, the password in ``DATABASE_URL``, see
  :func:`install`) are replaced wherever they appear;
* bearer tokens, JWT-shaped strings, the password part of ``scheme://user:password@host`` URLs
  and ``password=…`` / ``client_secret=…`` pairs are replaced even when they are not configured;
* control characters are replaced in the message, so a value cannot start a fake log line.

This applies to the message, its arguments, the exception message and the whole traceback.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Iterable
from urllib.parse import urlsplit

from lotsen.pii import redact

__all__ = [
    "SafeLogFilter",
    "clean",
    "install",
    "redact_secrets",
    "register_secret",
    "secrets_from_settings",
]

REDACTED = "[borttaget]"

_CONTROL = re.compile(r"[\r\n\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# "Bearer <anything token-like>" (RFC 6750 b64token).
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*")
# Three base64url segments, the first a JSON object: a JWT (signed or not).
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
# scheme://user:password@host → keep the user, hide the password.
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]*:)([^\s@/]+)(@)")
# password=…, client_secret: … (libpq DSNs, form bodies, repr of dicts).
_KEY_VALUE = re.compile(
    r"(?i)\b(password|passwd|pwd|client_secret|secret|app_password|microsoftapppassword)"
    r"""(["']?\s*[=:]\s*["']?)([^\s"'&;,}]+)"""
)

_secrets: set[str] = set()
_lock = threading.Lock()

# Secrets shorter than this would redact ordinary words; they are refused by settings anyway.
_MIN_SECRET = 4


def register_secret(value: str | None) -> None:
    """Redact ``value`` from every log line from now on (no-op for empty or tiny values)."""
    if value and len(value) >= _MIN_SECRET:
        with _lock:
            _secrets.add(value)


def _url_password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def redact_secrets(text: str) -> str:
    """Replace configured secrets and anything token- or password-shaped in ``text``."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _BEARER.sub(lambda m: f"{m[1]} {REDACTED}", text)
    text = _JWT.sub(REDACTED, text)
    text = _URL_PASSWORD.sub(lambda m: f"{m[1]}{REDACTED}{m[3]}", text)
    text = _KEY_VALUE.sub(lambda m: f"{m[1]}{m[2]}{REDACTED}", text)
    return text


def clean(value: str) -> str:
    """What a single log line may contain: no identity numbers, no secrets, no line breaks."""
    return _CONTROL.sub(" ", redact_secrets(redact(value)))


def _clean_block(value: str) -> str:
    """Tracebacks keep their line breaks but lose identity numbers and secrets."""
    return redact_secrets(redact(value))


class SafeLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not hide the record
            message = f"{record.msg!r} {record.args!r}"
        safe = clean(message)
        if safe != message or record.args:
            record.msg, record.args = safe, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _clean_block(record.exc_text)
            # The traceback is now in exc_text; formatters use it instead of exc_info.
        if record.stack_info:
            record.stack_info = _clean_block(record.stack_info)
        return True


def install(logger: logging.Logger | None = None, secrets: Iterable[str | None] = ()) -> None:
    """Attach the filter to every handler of ``logger`` (default: the root logger; call after
    basicConfig) and redact ``secrets`` from every line."""
    for secret in secrets:
        register_secret(secret)
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, SafeLogFilter) for f in handler.filters):
            handler.addFilter(SafeLogFilter())


def secrets_from_settings(settings: object, env: dict[str, str] | None = None) -> list[str]:
    """The values to redact for a configuration: the app password and any database password."""
    import os

    env = dict(os.environ) if env is None else env
    values: list[str] = [getattr(settings, "app_password", "") or ""]
    for name in ("DATABASE_URL",):
        url = getattr(settings, name.lower(), "") or env.get(name, "")
        password = _url_password(url) if url else None
        if password:
            values.append(password)
    return [v for v in values if v]


class JsonFormatter(logging.Formatter):
    """One JSON object per line (LOG_FORMAT=json). Runs after SafeLogFilter, so it sees the
    redacted message and traceback."""

    def format(self, record: logging.LogRecord) -> str:
        import json
        from datetime import datetime, timezone

        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": clean(record.getMessage()),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = _clean_block(self.formatException(record.exc_info))
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str = "INFO", fmt: str = "text", secrets: Iterable[str | None] = (), stream=None) -> None:
    """The process's logging: one handler on the root logger, text or JSON, redacting."""
    handler = logging.StreamHandler(stream)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    install(secrets=secrets)
