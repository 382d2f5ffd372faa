"""Typed configuration, read from the environment once at start-up.

The Bot Framework names (`MicrosoftAppId`, `MicrosoftAppPassword`, `MicrosoftAppType`,
`MicrosoftAppTenantId`) are kept as they are so the usual Azure Bot set-up works unchanged.
Everything is documented in `.env.example`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from lotsen.schedule import ScheduleError, WeeklySchedule

ROOT = Path(__file__).resolve().parent.parent


BOT_FRAMEWORK_OPENID_METADATA = "https://login.botframework.com/v1/.well-known/openidconfiguration"
# Teams' Bot Connector (the serviceUrl of every Teams activity, e.g. https://smba.trafficmanager.net/emea/).
DEFAULT_CONNECTOR_HOSTS = ("smba.trafficmanager.net",)

BOT_SDKS = ("botbuilder", "agents")
# The Microsoft 365 Agents SDK's own names for the bot's credentials, accepted as an
# alternative to MicrosoftAppId & co. (docs/sdk.md).
SERVICE_CONNECTION = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
_AGENTS_AUTH_TYPES = {"clientsecret": "ClientSecret", "usermanagedidentity": "UserAssignedMSI"}


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc


def _bool(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in {"", "false", "0", "no", "nej"}:
        return False
    if raw in {"true", "1", "yes", "ja"}:
        return True
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _path(raw: str, default: str) -> Path:
    """Relative paths are relative to the repository, so the bot runs from any directory."""
    path = Path(raw.strip() or default)
    return path if path.is_absolute() else ROOT / path


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name, "")
    return tuple(part.strip().lower() for part in raw.replace(";", ",").split(",") if part.strip())


def _agents_connection(env: Mapping[str, str]) -> tuple[str, str, str, str] | None:
    """(app id, password, MicrosoftAppType, tenant) from CONNECTIONS__SERVICE_CONNECTION__SETTINGS__…,
    or None when those names are not used."""
    client_id = env.get(SERVICE_CONNECTION + "CLIENTID", "").strip()
    if not client_id:
        return None
    auth_type = env.get(SERVICE_CONNECTION + "AUTHTYPE", "").strip() or "ClientSecret"
    tenant = env.get(SERVICE_CONNECTION + "TENANTID", "").strip()
    if auth_type.lower() not in _AGENTS_AUTH_TYPES:
        raise SettingsError(
            f"{SERVICE_CONNECTION}AUTHTYPE must be ClientSecret or UserManagedIdentity "
            f"(the types MicrosoftAppType covers), got {auth_type!r}"
        )
    if _AGENTS_AUTH_TYPES[auth_type.lower()] == "UserAssignedMSI":
        app_type = "UserAssignedMSI"
    else:
        app_type = "SingleTenant" if tenant and tenant.lower() != "botframework.com" else "MultiTenant"
    if app_type == "MultiTenant":
        tenant = ""
    return client_id, env.get(SERVICE_CONNECTION + "CLIENTSECRET", ""), app_type, tenant


@dataclass(frozen=True)
class Settings:
    app_id: str = ""
    app_password: str = field(default="", repr=False)
    app_type: str = "MultiTenant"  # local mode; from_env requires SingleTenant/UserAssignedMSI with an app id
    app_tenant_id: str = ""
    port: int = 3978
    host: str = "127.0.0.1"
    knowledge_dir: Path = ROOT / "knowledge"
    data_dir: Path = ROOT / "data"
    coordinator_ids: tuple[str, ...] = ()
    allowed_tenant_ids: tuple[str, ...] = ()  # empty: every tenant (only local mode or ALLOW_ALL_TENANTS)
    allow_all_tenants: bool = False
    # Hosts the bot sends to (and so hands its token to): Teams' Bot Connector. Loopback in local mode.
    connector_hosts: tuple[str, ...] = DEFAULT_CONNECTOR_HOSTS
    # Where the Bot Framework publishes its signing keys (not configurable from the environment).
    openid_metadata_url: str = BOT_FRAMEWORK_OPENID_METADATA
    auth_timeout_seconds: float = 5.0
    draft_ttl_hours: int = 72
    log_level: str = "INFO"
    log_format: str = "text"  # "text" (one readable line) or "json" (one JSON object per line)
    shutdown_timeout: int = 20  # seconds in-flight requests get to finish after SIGTERM
    # Seconds a filing may wait on the store before the person is told it is not registered
    # (the store goes on in the background; a retry of the same form files it once). Teams
    # gives a turn 15 s.
    filing_budget_seconds: float = 12.0
    digest_schedule: str = "mon 08:00"  # weekly digest to the "sammanfattning" channels; "off" turns it off
    digest_timezone: str = "Europe/Stockholm"
    kb_review_days: int = 365  # the validator lists entries not reviewed for this many days
    bot_sdk: str = "botbuilder"  # the Teams edge: "botbuilder" (Bot Framework SDK) or "agents" (M365 Agents SDK)
    database_url: str = field(default="", repr=False)  # postgresql://… (else SQLite under data_dir)

    @property
    def local_mode(self) -> bool:
        """No app id: no authentication, loopback only (for development and tests)."""
        return not self.app_id

    @property
    def database_path(self) -> Path:
        return self.data_dir / "samverkanslotsen.sqlite3"

    @property
    def database(self) -> str | Path:
        """What lotsen.storage.open_store opens: DATABASE_URL, else the SQLite file."""
        return self.database_url or self.database_path

    @property
    def digest(self) -> WeeklySchedule | None:
        """The parsed digest schedule (None when turned off)."""
        return WeeklySchedule.parse(self.digest_schedule, self.digest_timezone)

    def tenant_allowed(self, tenant_id: str) -> bool:
        return not self.allowed_tenant_ids or tenant_id.lower() in self.allowed_tenant_ids

    def is_coordinator(self, aad_object_id: str | None) -> bool:
        if not aad_object_id:
            return False
        return aad_object_id.lower() in self.coordinator_ids

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        app_id = env.get("MicrosoftAppId", "").strip()
        app_password = env.get("MicrosoftAppPassword", "")
        app_type = env.get("MicrosoftAppType", "").strip() or "SingleTenant"
        tenant = env.get("MicrosoftAppTenantId", "").strip()
        agents_names = _agents_connection(env)
        if agents_names is not None:
            if app_id and app_id != agents_names[0]:
                raise SettingsError(
                    f"MicrosoftAppId and {SERVICE_CONNECTION}CLIENTID name different apps; set one of them"
                )
            if not app_id:
                app_id, app_password, app_type, tenant = agents_names
        if app_type not in {"MultiTenant", "SingleTenant", "UserAssignedMSI"}:
            raise SettingsError(f"MicrosoftAppType must be SingleTenant or UserAssignedMSI, got {app_type!r}")
        allowed_tenants = _list(env, "ALLOWED_TENANT_IDS")
        allow_all = _bool(env, "ALLOW_ALL_TENANTS")
        if app_id:
            # With credentials the configuration fails closed (fault matrix row 1).
            if app_type == "MultiTenant":
                raise SettingsError(
                    "MicrosoftAppType=MultiTenant is not accepted with credentials: register the bot as "
                    "SingleTenant (or UserAssignedMSI) and set MicrosoftAppType and MicrosoftAppTenantId"
                )
            if app_type != "UserAssignedMSI" and not app_password:
                raise SettingsError("MicrosoftAppPassword is required when MicrosoftAppId is set")
            if not tenant:
                raise SettingsError(f"MicrosoftAppTenantId is required when MicrosoftAppId is set ({app_type})")
            if not allowed_tenants and not allow_all:
                raise SettingsError(
                    "ALLOWED_TENANT_IDS is required when MicrosoftAppId is set (the tenant ids whose users "
                    "may use the bot); set ALLOW_ALL_TENANTS=true to accept every tenant on purpose"
                )
        local = not app_id
        if local:
            app_type = "MultiTenant"  # no credentials: the type is irrelevant (nothing is authenticated)
        host = env.get("HOST", "").strip() or ("127.0.0.1" if local else "0.0.0.0")
        if local and host not in {"127.0.0.1", "localhost", "::1"}:
            raise SettingsError("HOST must be a loopback address in local mode (no MicrosoftAppId)")
        knowledge_dir = _path(env.get("KNOWLEDGE_DIR", ""), "knowledge")
        data_dir = _path(env.get("DATA_DIR", ""), "data")
        digest_schedule = env.get("DIGEST_SCHEDULE", "").strip() or "mon 08:00"
        digest_timezone = env.get("DIGEST_TIMEZONE", "").strip() or "Europe/Stockholm"
        try:
            WeeklySchedule.parse(digest_schedule, digest_timezone)
        except ScheduleError as exc:
            name = "DIGEST_TIMEZONE" if "time zone" in str(exc) else "DIGEST_SCHEDULE"
            raise SettingsError(f"{name}: {exc}") from exc
        review_days = _int(env, "KB_REVIEW_DAYS", 365)
        log_format = env.get("LOG_FORMAT", "text").strip().lower() or "text"
        if log_format not in ("text", "json"):
            raise SettingsError("LOG_FORMAT must be text or json")
        database_url = env.get("DATABASE_URL", "").strip()
        if database_url and not database_url.startswith(("postgresql://", "postgres://")):
            raise SettingsError("DATABASE_URL must start with postgresql:// (leave it empty for SQLite in DATA_DIR)")
        if review_days < 1:
            raise SettingsError(f"KB_REVIEW_DAYS must be at least 1, got {review_days}")
        bot_sdk = env.get("BOT_SDK", "").strip().lower() or "botbuilder"
        if bot_sdk not in BOT_SDKS:
            raise SettingsError(f"BOT_SDK must be botbuilder or agents, got {bot_sdk!r}")
        filing_budget = _int(env, "FILING_BUDGET_SECONDS", 12)
        if not 1 <= filing_budget <= 14:
            raise SettingsError("FILING_BUDGET_SECONDS must be between 1 and 14 (Teams waits 15 s for a turn)")
        return cls(
            bot_sdk=bot_sdk,
            app_id=app_id,
            app_password=app_password,
            app_type=app_type,
            app_tenant_id=tenant,
            port=_int(env, "PORT", 3978),
            host=host,
            knowledge_dir=knowledge_dir,
            data_dir=data_dir,
            coordinator_ids=_list(env, "COORDINATOR_IDS"),
            allowed_tenant_ids=allowed_tenants,
            allow_all_tenants=allow_all,
            connector_hosts=_list(env, "BOT_CONNECTOR_HOSTS") or DEFAULT_CONNECTOR_HOSTS,
            draft_ttl_hours=_int(env, "DRAFT_TTL_HOURS", 72),
            log_level=env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO",
            log_format=log_format,
            shutdown_timeout=_int(env, "SHUTDOWN_TIMEOUT", 20),
            filing_budget_seconds=filing_budget,
            digest_schedule=digest_schedule,
            digest_timezone=digest_timezone,
            kb_review_days=review_days,
            database_url=database_url,
        )
