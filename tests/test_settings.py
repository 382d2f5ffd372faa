"""Fault matrix row 1: a production configuration fails closed, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lotsen.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parent.parent
APP = "11111111-2222-3333-4444-555555555555"
TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
PRODUCTION = {
    "MicrosoftAppId": APP,
    "MicrosoftAppPassword": "hemligt-for-tests",
    "MicrosoftAppType": "SingleTenant",
    "MicrosoftAppTenantId": TENANT,
    "ALLOWED_TENANT_IDS": TENANT,
}


def without(*names: str, **changes: str) -> dict[str, str]:
    env = {k: v for k, v in PRODUCTION.items() if k not in names}
    env.update(changes)
    return env


def test_a_complete_production_configuration_starts():
    settings = Settings.from_env(PRODUCTION)
    assert not settings.local_mode and settings.app_type == "SingleTenant"
    assert settings.allowed_tenant_ids == (TENANT,) and settings.host == "0.0.0.0"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        (without("MicrosoftAppTenantId"), "MicrosoftAppTenantId"),
        (without("ALLOWED_TENANT_IDS"), "ALLOWED_TENANT_IDS"),
        (without(ALLOWED_TENANT_IDS=" , "), "ALLOWED_TENANT_IDS"),
        (without(MicrosoftAppType="MultiTenant"), "MicrosoftAppType"),
        (without("MicrosoftAppPassword"), "MicrosoftAppPassword"),
        (without(ALLOW_ALL_TENANTS="kanske"), "ALLOW_ALL_TENANTS"),
    ],
)
def test_production_configuration_fails_closed(env, variable):
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env(env)


def test_app_type_defaults_to_single_tenant_with_credentials():
    assert Settings.from_env(without("MicrosoftAppType")).app_type == "SingleTenant"


def test_every_tenant_only_when_asked_for_explicitly():
    settings = Settings.from_env(without("ALLOWED_TENANT_IDS", ALLOW_ALL_TENANTS="true"))
    assert settings.allow_all_tenants and settings.tenant_allowed("any-tenant")


def test_user_assigned_managed_identity_needs_no_password_but_a_tenant():
    env = without("MicrosoftAppPassword", MicrosoftAppType="UserAssignedMSI")
    assert Settings.from_env(env).app_type == "UserAssignedMSI"
    with pytest.raises(SettingsError, match="MicrosoftAppTenantId"):
        Settings.from_env(without("MicrosoftAppPassword", "MicrosoftAppTenantId", MicrosoftAppType="UserAssignedMSI"))


def test_local_mode_needs_none_of_it():
    settings = Settings.from_env({})
    assert settings.local_mode and settings.host == "127.0.0.1"


def test_the_process_refuses_to_start_and_names_the_variable(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft") and k != "ALLOWED_TENANT_IDS"}
    env.update(without("ALLOWED_TENANT_IDS"), DATA_DIR=str(tmp_path), PORT="0")
    proc = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode != 0
    assert "ALLOWED_TENANT_IDS" in proc.stderr
    assert "hemligt-for-tests" not in proc.stderr + proc.stdout
