"""The single app factory: settings in, aiohttp application out.

`BOT_SDK` (lotsen.settings) picks the SDK edge: `botbuilder` (bot/botbuilder/) or `agents`
(bot/agents/, the Microsoft 365 Agents SDK). Both share the front door (bot/front_door.py),
the turn logic (bot/edge.py, bot/activities.py) and the pooled outbound connector
(bot/connector.py); an edge only validates tokens and fetches the bot's own token.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from bot.auth import BotAuthenticator, service_url_allowed
from bot.composition import build_assistant, build_flows, case_kinds
from bot.connector import CachedTokens, Connector, NoTokens
from bot.edge import ConnectorMessenger, Edge
from bot.front_door import MAX_BODY_BYTES, admit
from lotsen.assistant import Assistant
from lotsen.background import Background
from lotsen.context import Services
from lotsen.features import delivery
from lotsen.knowledge import Knowledge
from lotsen.settings import Settings
from lotsen.storage import Store, open_store
from lotsen.tenancy import TenantPolicy

log = logging.getLogger(__name__)
SERVICES = web.AppKey("services", Services)
ASSISTANT = web.AppKey("assistant", Assistant)
EDGE = web.AppKey("edge", Edge)
BACKGROUND = web.AppKey("background", Background)
READY_TIMEOUT = 2.0  # seconds /readyz waits for the database


def sdk_edge(settings: Settings) -> Any:
    """The SDK-specific part of the edge: token validation and the bot's own token."""
    if settings.bot_sdk == "agents":
        from bot.agents import AgentsEdge

        return AgentsEdge(settings)
    from bot.botbuilder import BotbuilderEdge

    return BotbuilderEdge(settings)


def create_app(
    settings: Settings, *, store: Store | None = None, knowledge: Knowledge | None = None
) -> web.Application:
    knowledge = knowledge or Knowledge(settings.knowledge_dir)
    store = store or open_store(settings.database)
    sdk = sdk_edge(settings)
    connector = Connector(
        NoTokens() if settings.local_mode else CachedTokens(sdk), allowed=lambda url: service_url_allowed(url, settings)
    )
    # Token validation for both edges (bot/auth.py); the SDK edge only fetches the bot's own token.
    auth = BotAuthenticator(settings)
    flows = build_flows()
    services = Services(
        settings=settings,
        knowledge=knowledge,
        store=store,
        messenger=ConnectorMessenger(connector),
        kinds=case_kinds(flows, knowledge.kb),
    )
    outbox = delivery.install(services)  # proactive messages: stored first, delivered with retries
    assistant = build_assistant(services, flows)
    edge = Edge(assistant, connector, TenantPolicy(settings, store))

    async def messages(request: web.Request) -> web.Response:
        activity = await admit(
            request,
            settings,
            auth.authenticate,
            audit=lambda event, tenant: store.audit.record(event, None, tenant, "rejected"),
        )
        if isinstance(activity, web.Response):
            return activity
        result = await edge.on_activity(activity)
        if result.body is not None:
            return web.json_response(result.body, status=result.status)
        return web.Response(status=result.status)

    async def healthz(_: web.Request) -> web.Response:
        """Alive: answers without touching the database."""
        kb = knowledge.kb
        return web.json_response(
            {
                "status": "ok",
                "knowledge_base": {"loaded": True, "entries": len(kb.entries), "directory": kb.directory},
                "storage": {"backend": store.backend, "schema_version": store.opened_version},
                "mode": "local" if settings.local_mode else "authenticated",
                "sdk": sdk.name,
            }
        )

    async def readyz(_: web.Request) -> web.Response:
        """Ready for traffic: database reachable, migrations applied, knowledge base loaded, and in
        authenticated mode the signing keys at hand (a hanging or failing key service makes this
        503, while cached keys keep serving)."""
        keys = None if settings.local_mode else auth.keys.state()
        body: dict[str, Any] = {
            "knowledge_base": {"loaded": knowledge.kb is not None, "entries": len(knowledge.kb.entries)},
            "signing_keys": keys,
        }
        try:
            await asyncio.wait_for(store.ping(), READY_TIMEOUT)
            version = await asyncio.wait_for(store.schema_version(), READY_TIMEOUT)
        except Exception as error:  # noqa: BLE001 - any failure means "not ready"
            body["storage"] = {"backend": store.backend, "reachable": False, "error": type(error).__name__}
            return web.json_response({"status": "unavailable", **body}, status=503)
        applied = version >= store.latest_version
        body["storage"] = {
            "backend": store.backend,
            "reachable": True,
            "schema_version": version,
            "expected_version": store.latest_version,
            "migrations_applied": applied,
        }
        ok = applied and body["knowledge_base"]["loaded"] and (keys is None or keys["ok"])
        return web.json_response({"status": "ready" if ok else "unavailable", **body}, status=200 if ok else 503)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app[SERVICES] = services
    app[ASSISTANT] = assistant
    app[EDGE] = edge

    async def store_life(_: web.Application):
        """Open the store (connect, migrate) at start-up; close it after shutdown."""
        await store.open()
        yield
        await services.drain()  # writes left running by Services.soon
        await store.close()

    app.cleanup_ctx.append(store_life)

    # SIGHUP → reload the knowledge base; the weekly digest schedule (lotsen.background).
    background = Background(services)
    app[BACKGROUND] = background

    async def start_background(_: web.Application) -> None:
        if not settings.local_mode:
            auth.keys.prefetch()  # in the background: start-up does not wait for the key service
        await background.start()
        if outbox is not None:
            outbox.start()  # also delivers what a previous process left in the outbox

    async def stop_background(_: web.Application) -> None:
        if outbox is not None:
            await outbox.stop()
        await background.stop()

    async def close_outbound(_: web.Application) -> None:
        await connector.close()
        await auth.close()
        await sdk.close()

    app.on_startup.append(start_background)
    app.on_shutdown.append(stop_background)
    app.on_cleanup.append(close_outbound)
    return app
