"""The botbuilder (Bot Framework SDK 4.17.1) edge: the bot's own token.

Incoming tokens are validated by the shared, SDK-free bot/auth.py on both edges.

Everything else (activities, turns, replies, invoke responses, proactive messages) is shared
(bot/activities.py, bot/edge.py, bot/connector.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from botframework.connector.auth import AuthenticationConstants, MicrosoftAppCredentials

from lotsen.settings import Settings

NAME = "botbuilder"


class BotbuilderEdge:
    name = NAME

    def __init__(self, settings: Settings):
        self.settings = settings
        self._credentials: Any = None

    def _app_credentials(self) -> Any:
        """One MSAL client for the process (its token cache is what makes tokens cheap)."""
        if self._credentials is None:
            s = self.settings
            if s.app_type == "UserAssignedMSI":
                from botframework.connector.auth import ManagedIdentityAppCredentials

                self._credentials = ManagedIdentityAppCredentials(
                    s.app_id, AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
                )
            else:
                tenant = s.app_tenant_id if s.app_type == "SingleTenant" else None
                self._credentials = MicrosoftAppCredentials(
                    s.app_id,
                    s.app_password,
                    channel_auth_tenant=tenant,
                    oauth_scope=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
                )
        return self._credentials

    async def token(self, service_url: str) -> str | None:
        """The bot's token for the Bot Connector; MSAL is synchronous, so it runs in a thread."""
        if self.settings.local_mode:
            return None
        credentials = self._app_credentials()
        return await asyncio.to_thread(credentials.get_access_token)

    async def close(self) -> None:
        return None
