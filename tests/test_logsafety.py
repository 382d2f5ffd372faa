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


# --- row 61: secrets and tokens never reach a log line ------------------------------------

import jwt as pyjwt  # noqa: E402

from lotsen import logsafety  # noqa: E402
from lotsen.settings import Settings  # noqa: E402

APP_PASSWORD = "Qx7~s3cr3t.Pa55word-for-tests"
DB_PASSWORD = "pg-Pa55-hemligt"
TOKEN = pyjwt.encode({"iss": "https://api.botframework.com", "aud": "app"}, "k" * 32, algorithm="HS256")


def configure_secrets():
    settings = Settings(app_id="app", app_password=APP_PASSWORD)
    env = {"DATABASE_URL": f"postgresql://lotsen:{DB_PASSWORD}@db.exempel.se:5432/lotsen"}
    logsafety.install(logging.getLogger("test.unused"), secrets=logsafety.secrets_from_settings(settings, env))


def test_configured_app_password_in_an_exception_message_is_redacted():
    configure_secrets()
    line = emit("token request failed", exc=RuntimeError(f"AADSTS7000215: invalid client secret {APP_PASSWORD}"))
    assert APP_PASSWORD not in line and "[borttaget]" in line
    assert "AADSTS7000215" in line  # the useful part stays


def test_app_password_in_the_message_and_its_arguments_is_redacted():
    configure_secrets()
    line = emit("credentials %s", {"MicrosoftAppPassword": APP_PASSWORD})
    assert APP_PASSWORD not in line


def test_database_url_password_is_redacted_everywhere():
    configure_secrets()
    line = emit("could not connect", exc=ConnectionError(f"password authentication failed ({DB_PASSWORD})"))
    assert DB_PASSWORD not in line
    # an unconfigured URL with a password: the password part is hidden, the host kept
    line = emit("dsn %s", "postgresql://other:annat-hemligt@db2.exempel.se/x")
    assert "annat-hemligt" not in line and "postgresql://other:[borttaget]@db2.exempel.se/x" in line
    line = emit("dsn %s", "host=db user=lotsen password=ett-hemligt dbname=x")
    assert "ett-hemligt" not in line and "user=lotsen" in line


def test_bearer_tokens_and_jwts_are_redacted_in_messages_and_tracebacks():
    line = emit("outbound headers %s", {"Authorization": f"Bearer {TOKEN}"})
    assert TOKEN not in line and "Bearer [borttaget]" in line
    line = emit("bad token", exc=ValueError(f"could not decode {TOKEN}"))
    assert TOKEN not in line
    for part in TOKEN.split("."):
        assert part not in line


def test_a_traceback_keeps_its_lines_but_loses_the_secret():
    configure_secrets()

    def connect(dsn):
        raise OSError(f"refused: {dsn}")

    try:
        connect(f"postgresql://lotsen:{DB_PASSWORD}@db/x")
    except OSError as exc:
        line = emit("startup failed", exc=exc)
    assert DB_PASSWORD not in line and "Traceback" in line and "connect" in line
