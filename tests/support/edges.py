"""Which SDK edge (BOT_SDK) the bot under test runs on.

Every test that drives the bot over HTTP runs once per edge: the `bot_sdk` fixture
(tests/conftest.py) is parametrised over both and every fake-connector fixture depends on it,
so `make test` covers botbuilder and agents in one run. `start_bot` applies the current edge.
"""

from __future__ import annotations

from dataclasses import replace

from lotsen.settings import BOT_SDKS, Settings

current = ["botbuilder"]


def on_current_sdk(settings: Settings) -> Settings:
    return replace(settings, bot_sdk=current[0])


__all__ = ["BOT_SDKS", "current", "on_current_sdk"]
