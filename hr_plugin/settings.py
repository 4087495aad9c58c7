"""Configuration from the environment, prefix ``HR_PLUGIN_`` (the names DESIGN.md lists)."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HR_PLUGIN_", extra="ignore")

    database_url: str = "sqlite:///hr_plugin.db"
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_api_url: str | None = Field(default=None, description="Web API base URL; the fake Slack in tests")
    vault_key: str | None = None
    vault_key_file: Path | None = None
    vault_keystore_url: str = "sqlite:///hr_plugin-keys.db"
    public_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 3000
    web_workers: int = 2
    web_threads: int = 8
    log_level: str = "INFO"
    log_format: Literal["json", "text"] | None = Field(
        default=None,
        description="json (one object per line, ids only) or text; unset, json for serve and scheduler",
    )
    metrics_port: int | None = Field(
        default=None, ge=1, le=65535, description="the scheduler serves /metrics on this port when set"
    )
    outbox_lease_seconds: int = Field(
        default=60, ge=5, description="how long a send may take before it is presumed cut off"
    )
    uninstall_grace_days: int = Field(
        default=30, ge=0, le=365, description="days a workspace's data is kept after the app is uninstalled"
    )
    outbox_text_days: int = Field(
        default=30,
        ge=0,
        le=3650,
        description="days the outbox keeps a message's text after it was sent, failed or was cancelled",
    )
    mentor_match_weeks: int = Field(default=4, ge=0, le=26, description="weeks before a return to match")
    outbox_workspace_per_minute: int = Field(
        default=300, ge=1, description="messages per minute per workspace"
    )

    @property
    def oauth_enabled(self) -> bool:
        """Multi-workspace mode: the OAuth install flow, tokens from the installation store.

        Only when no bot token is set: with one, the client id and secret serve the HR
        console's sign-in only."""
        return bool(self.slack_client_id and self.slack_client_secret and not self.slack_bot_token)

    def master_key(self) -> bytes:
        """The vault's master key: 32 bytes from ``HR_PLUGIN_VAULT_KEY`` or the key file."""
        if self.vault_key:
            return decode_master_key(self.vault_key, "HR_PLUGIN_VAULT_KEY")
        if self.vault_key_file:
            try:
                text = self.vault_key_file.read_text().strip()
            except OSError as exc:
                raise SettingsError(
                    f"HR_PLUGIN_VAULT_KEY_FILE: cannot read {self.vault_key_file}: {exc.strerror}"
                ) from None
            return decode_master_key(text, "HR_PLUGIN_VAULT_KEY_FILE")
        raise SettingsError("no master key: set HR_PLUGIN_VAULT_KEY or HR_PLUGIN_VAULT_KEY_FILE")

    def check_serve(self) -> None:
        """Refuse to serve without what Slack and the vault need, naming what is missing."""
        missing = []
        if not (self.slack_signing_secret or self.slack_app_token):
            missing.append("HR_PLUGIN_SLACK_SIGNING_SECRET (or HR_PLUGIN_SLACK_APP_TOKEN for Socket Mode)")
        if not (self.slack_bot_token or (self.slack_client_id and self.slack_client_secret)):
            missing.append("HR_PLUGIN_SLACK_BOT_TOKEN (or HR_PLUGIN_SLACK_CLIENT_ID and _CLIENT_SECRET)")
        if not (self.vault_key or self.vault_key_file):
            missing.append("HR_PLUGIN_VAULT_KEY or HR_PLUGIN_VAULT_KEY_FILE")
        if missing:
            raise SettingsError("cannot start, missing: " + "; ".join(missing))
        self.master_key()


def decode_master_key(text: str, setting: str) -> bytes:
    try:
        key = base64.b64decode(text.strip().encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise SettingsError(f"{setting}: not URL-safe base64") from None
    if len(key) != 32:
        raise SettingsError(f"{setting}: the key must be 32 bytes, found {len(key)}")
    return key
