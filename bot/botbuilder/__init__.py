"""The botbuilder (Bot Framework SDK 4.17.1) edge: token validation and the bot's own token.

Everything else (activities, turns, replies, invoke responses, proactive messages) is shared
(bot/activities.py, bot/edge.py, bot/connector.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticationConstants, MicrosoftAppCredentials

from lotsen.settings import Settings

NAME = "botbuilder"


class _AuthConfig:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    def __init__(self, settings: Settings):
        self.APP_ID = settings.app_id
        self.APP_PASSWORD = settings.app_password
        self.APP_TYPE = settings.app_type
        self.APP_TENANTID = settings.app_tenant_id


class BotbuilderEdge:
    name = NAME

    def __init__(self, settings: Settings):
        self.settings = settings
        self.auth = ConfigurationBotFrameworkAuthentication(_AuthConfig(settings))
        self._credentials: Any = None

    async def authenticate(self, activity: dict[str, Any], header: str) -> dict[str, Any] | None:
        """The SDK's full validation (issuer, audience, signature, endorsements); raises if invalid."""
        probe = Activity(channel_id=activity.get("channelId"), service_url=activity.get("serviceUrl"))
        result = await self.auth.authenticate_request(probe, header)
        identity = result.claims_identity
        if identity is None or not identity.is_authenticated:
            raise PermissionError("not authenticated")
        return dict(identity.claims or {})

    def _app_credentials(self) -> Any:
        """One MSAL client for the process (its token cache is what makes tokens cheap)."""
        if self._credentials is None:
            s = self.settings
            if s.app_type == "UserAssignedMSI":
                from botframework.connector.auth import ManagedIdentityAppCredentials

                self._credentials = ManagedIdentityAppCredentials(
                    s.app_id, AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE)
            else:
                tenant = s.app_tenant_id if s.app_type == "SingleTenant" else None
                self._credentials = MicrosoftAppCredentials(
                    s.app_id, s.app_password, channel_auth_tenant=tenant,
                    oauth_scope=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE)
        return self._credentials

    async def token(self, service_url: str) -> str | None:
        """The bot's token for the Bot Connector; MSAL is synchronous, so it runs in a thread."""
        if self.settings.local_mode:
            return None
        credentials = self._app_credentials()
        return await asyncio.to_thread(credentials.get_access_token)

    async def close(self) -> None:
        return None
