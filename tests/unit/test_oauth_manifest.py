"""The install flow asks Slack for what the app manifest declares, and the manifest subscribes
to the events that stop an uninstalled workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from hr_plugin.oauth.flow import BOT_SCOPES, REDIRECT_PATH

MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "slack" / "manifest.yaml"


def _manifest() -> dict[str, Any]:
    return dict(yaml.safe_load(MANIFEST.read_text(encoding="utf-8")))


def test_the_install_flow_asks_for_exactly_the_manifest_bot_scopes() -> None:
    oauth = _manifest()["oauth_config"]
    assert sorted(oauth["scopes"]["bot"]) == sorted(BOT_SCOPES)
    assert "user" not in oauth["scopes"]  # no user token is ever asked for


def test_the_manifest_names_the_redirect_and_the_uninstall_events() -> None:
    manifest = _manifest()
    assert [url.endswith(REDIRECT_PATH) for url in manifest["oauth_config"]["redirect_urls"]] == [True]
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)
