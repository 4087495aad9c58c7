"""Settings: the environment names DESIGN.md lists, and clear refusals."""

from __future__ import annotations

import base64

import pytest

from hr_plugin.settings import Settings, SettingsError
from hr_plugin.tenants import TenantError, tenant_id_for

KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()


def test_defaults_use_the_embedded_database(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HR_PLUGIN_DATABASE_URL", "HR_PLUGIN_VAULT_KEYSTORE_URL", "HR_PLUGIN_PORT"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()

    assert settings.database_url == "sqlite:///hr_plugin.db"
    assert settings.vault_keystore_url == "sqlite:///hr_plugin-keys.db"
    assert (settings.host, settings.port) == ("127.0.0.1", 3000)


def test_environment_names_carry_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HR_PLUGIN_SLACK_API_URL", "http://127.0.0.1:9/api/")
    monkeypatch.setenv("HR_PLUGIN_VAULT_KEY", KEY)

    settings = Settings()

    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.master_key() == bytes(range(32))


def test_socket_mode_needs_no_signing_secret() -> None:
    Settings(slack_app_token="xapp-1", slack_bot_token="xoxb-1", vault_key=KEY).check_serve()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"vault_key": "%%%"}, "not URL-safe base64"),
        ({"vault_key": base64.urlsafe_b64encode(b"short").decode()}, "must be 32 bytes"),
        ({"vault_key_file": "/nonexistent/key"}, "cannot read"),
    ],
)
def test_bad_master_keys_are_refused_by_name(fields: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings(**fields).master_key()  # type: ignore[arg-type]


def test_tenant_is_the_enterprise_only_for_an_org_wide_install() -> None:
    assert tenant_id_for("T1", "E1", is_enterprise_install=True) == "E1"
    assert tenant_id_for("T1", "E1", is_enterprise_install=False) == "T1"
    assert tenant_id_for(None, "E1", is_enterprise_install=False) == "E1"
    with pytest.raises(TenantError):
        tenant_id_for(None, None, is_enterprise_install=False)


def test_client_credentials_mean_oauth_installs_only_without_a_bot_token() -> None:
    """The mode rule: with a bot token, the client id and secret serve the HR console's sign-in only."""
    credentials = {"slack_client_id": "1.2", "slack_client_secret": "s"}
    assert Settings(**credentials).oauth_enabled
    assert not Settings(slack_bot_token="xoxb-1", **credentials).oauth_enabled
    assert not Settings(slack_client_id="1.2").oauth_enabled
