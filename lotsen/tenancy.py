"""Which Entra tenants may use the bot: the policy the edge asks before it processes a turn."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from lotsen.settings import Settings
from lotsen.storage import Store

log = logging.getLogger(__name__)


@dataclass
class TenantPolicy:
    """Only our own organisation's tenant(s), when ALLOWED_TENANT_IDS is set.

    A foreign or missing tenant is refused; the refusal is audited with the tenant id only."""

    settings: Settings
    store: Store

    async def admits(self, tenant: str | None) -> bool:
        if not self.settings.allowed_tenant_ids or self.settings.tenant_allowed(tenant or ""):
            return True
        self.store.audit("tenant_rejected", None, tenant or "(saknas)", "rejected")
        log.warning("activity from a tenant that is not allowed was ignored")
        return False
