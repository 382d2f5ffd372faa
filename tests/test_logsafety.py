"""Logs never carry a personnummer or a forged line, whatever is logged."""

import logging

from lotsen.logsafety import SafeLogFilter


def emit(message, *args, exc=None):
    records = []

    class Capture(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Capture()
    handler.addFilter(SafeLogFilter())
    logger = logging.getLogger("test.logsafety")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        if exc is not None:
            try:
                raise exc
            except Exception:
                logger.exception(message, *args)
        else:
            logger.warning(message, *args)
    finally:
        logger.removeHandler(handler)
    return records[0]


def test_personnummer_in_a_log_message_is_redacted():
    line = emit("card value %s was odd", "klient 19121212-1212 i Vetlanda")
    assert "19121212" not in line and "[personnummer borttaget]" in line


def test_control_characters_cannot_forge_a_new_line():
    line = emit("verb %s", "x\n2026-11-23 INFO admin logged in\r")
    assert "\n" not in line and "\r" not in line
    assert line == "verb x 2026-11-23 INFO admin logged in "


def test_tracebacks_are_redacted_too():
    line = emit("failed", exc=ValueError("bad value 121212-1212"))
    assert "121212-1212" not in line and "[personnummer borttaget]" in line


def test_ordinary_lines_are_untouched():
    assert emit("filed %s", "AVV-2026-0007") == "filed AVV-2026-0007"
