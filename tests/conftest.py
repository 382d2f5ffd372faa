"""Shared fixtures: a running bot behind a fake Teams connector."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app_factory import create_app
from lotsen.settings import Settings
from tests.support import edges
from tests.support.fake_connector import FakeConnector
from tests.support.teams import COORDINATOR, TeamsClient

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KB = ROOT / "tests" / "fixtures" / "kb"


def make_settings(tmp_path: Path, **overrides) -> Settings:
    values = dict(
        data_dir=tmp_path / "data", knowledge_dir=ROOT / "knowledge", coordinator_ids=(COORDINATOR.aad.lower(),)
    )
    values.update(overrides)
    return Settings(**values)


async def serve_connector(fake: FakeConnector) -> TestServer:
    """Start a fake connector on loopback; its `url` is what activities carry as serviceUrl."""
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("/"))
    return server


@pytest.fixture(params=edges.BOT_SDKS)
def bot_sdk(request):
    """The SDK edge (BOT_SDK) the bot under test runs on; every HTTP test runs on both."""
    edges.current[0] = request.param
    yield request.param
    edges.current[0] = "botbuilder"


@pytest.fixture
async def connector(bot_sdk):
    fake = FakeConnector()
    server = await serve_connector(fake)
    yield fake
    await server.close()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


async def start_bot(connector: FakeConnector, settings: Settings) -> TeamsClient:
    app = create_app(edges.on_current_sdk(settings))
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    tc = TeamsClient(client, connector, connector.url)
    tc.app = app
    return tc


@pytest.fixture
async def teams(connector, settings):
    """A TeamsClient talking to a freshly started bot on the real knowledge base."""
    tc = await start_bot(connector, settings)
    yield tc
    await tc.http.close()


@pytest.fixture
async def teams_small(connector, tmp_path):
    """The bot on the small, stable fixture knowledge base (tests/fixtures/kb)."""
    tc = await start_bot(connector, make_settings(tmp_path, knowledge_dir=FIXTURE_KB))
    yield tc
    await tc.http.close()
