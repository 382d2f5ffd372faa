"""Defence in depth for logs: no personnummer and no forged lines, whatever a caller logs.

Flows never log user text, but a library might (a traceback with a card value, say). This
filter redacts personnummer/samordningsnummer and replaces control characters, so a value
can neither leak an identity number nor start a fake log line.
"""

from __future__ import annotations

import logging
import re

from lotsen.pii import redact

_CONTROL = re.compile(r"[\r\n\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(value: str) -> str:
    return _CONTROL.sub(" ", redact(value))


class SafeLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        safe = _clean(message)
        if safe != message:
            record.msg, record.args = safe, None
        if record.exc_info and not record.exc_text:
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Attach the filter to every handler of the root logger (call after basicConfig)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, SafeLogFilter) for f in handler.filters):
            handler.addFilter(SafeLogFilter())
