"""Samverkanslotsen: start the bot.

    python app.py            # local mode without MicrosoftAppId: http://127.0.0.1:3978/api/messages

Configuration comes from the environment (see .env.example); a `.env` file in this folder
is read too, without overriding variables that are already set.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from aiohttp import web

from lotsen.kb import KnowledgeBaseError
from lotsen.settings import Settings, SettingsError
from lotsen.texts import say

HERE = Path(__file__).resolve().parent


def load_dotenv(path: Path) -> None:
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip().strip('"'))


def main() -> int:
    load_dotenv(HERE / ".env" if (HERE / ".env").exists() else HERE / ".env.example")
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"Konfigurationsfel: {exc}", file=sys.stderr)
        return 2
    from lotsen import logsafety

    logsafety.configure(settings.log_level, settings.log_format, secrets=logsafety.secrets_from_settings(settings))
    log = logging.getLogger("samverkanslotsen")
    from bot.app_factory import create_app

    try:
        app = create_app(settings)
    except KnowledgeBaseError as exc:
        print(say("edge.kb_errors_at_start"), file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 3
    if settings.local_mode:
        log.warning(
            "LOCAL MODE: no MicrosoftAppId set, so requests are NOT authenticated. "
            "Listening on %s only. Set MicrosoftAppId/MicrosoftAppPassword for Teams.",
            settings.host,
        )
    if not settings.local_mode and settings.allow_all_tenants and not settings.allowed_tenant_ids:
        log.warning("ALLOW_ALL_TENANTS=true: activities from every Microsoft 365 tenant are accepted")
    log.info("Samverkanslotsen on http://%s:%d/api/messages", settings.host, settings.port)
    # SIGTERM/SIGINT: stop accepting, let in-flight requests finish (up to shutdown_timeout),
    # then the cleanup hooks close the outbound session and the store (its pool).
    web.run_app(app, host=settings.host, port=settings.port, print=None, shutdown_timeout=settings.shutdown_timeout)
    log.info("Samverkanslotsen stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
