"""The Microsoft 365 Agents SDK (1.9) edge: the bot's own token.

Incoming tokens are validated by the shared, SDK-free bot/auth.py on both edges.

Configured from the same names as the botbuilder edge (MicrosoftAppId, MicrosoftAppPassword,
MicrosoftAppType, MicrosoftAppTenantId), mapped here to the SDK's connection settings (the
SDK's own CONNECTIONS__SERVICE_CONNECTION__SETTINGS__… names are read by lotsen.settings).
Everything else (activities, turns, replies, invoke responses, proactive messages) is shared
(bot/activities.py, bot/edge.py, bot/connector.py)."""

from __future__ import annotations


from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration, AuthTypes
from microsoft_agents.hosting.core.authorization.authentication_constants import AuthenticationConstants

from lotsen.settings import Settings

NAME = "agents"
BOT_FRAMEWORK = AuthenticationConstants.AGENTS_SDK_SCOPE  # https://api.botframework.com
MULTI_TENANT = "botframework.com"


def connection_settings(settings: Settings) -> AgentAuthConfiguration:
    """MicrosoftApp* → the SDK's service connection (what CONNECTIONS__SERVICE_CONNECTION__
    SETTINGS__AUTHTYPE/CLIENTID/CLIENTSECRET/TENANTID would say)."""
    if settings.app_type == "UserAssignedMSI":
        return AgentAuthConfiguration(
            auth_type=AuthTypes.user_managed_identity,
            client_id=settings.app_id,
            tenant_id=settings.app_tenant_id,
            validate_issuer=True,
        )
    tenant = settings.app_tenant_id if settings.app_type == "SingleTenant" else MULTI_TENANT
    return AgentAuthConfiguration(
        auth_type=AuthTypes.client_secret,
        client_id=settings.app_id,
        tenant_id=tenant,
        client_secret=settings.app_password,
        validate_issuer=True,
    )


class AgentsEdge:
    name = NAME

    def __init__(self, settings: Settings):
        self.settings = settings
        self.config = connection_settings(settings)
        self._msal: MsalAuth | None = None

    async def token(self, service_url: str) -> str | None:
        """The bot's token for the Bot Connector; MSAL runs in a thread (the SDK's MsalAuth)
        and caches tokens, so one client serves the process."""
        if self.settings.local_mode:
            return None
        if self._msal is None:
            self._msal = MsalAuth(self.config)
        return await self._msal.get_access_token(BOT_FRAMEWORK, [f"{BOT_FRAMEWORK}/.default"])

    async def close(self) -> None:
        return None
