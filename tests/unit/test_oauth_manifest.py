"""The install flow asks Slack for what the app manifest declares, and the manifest subscribes
to the events that stop an uninstalled workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from hr_plugin.console.auth import CALLBACK_PATH, SCOPE
from hr_plugin.oauth.flow import BOT_SCOPES, REDIRECT_PATH

MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "slack" / "manifest.yaml"


def _manifest() -> dict[str, Any]:
    return dict(yaml.safe_load(MANIFEST.read_text(encoding="utf-8")))


def test_the_install_flow_asks_for_exactly_the_manifest_bot_scopes() -> None:
    oauth = _manifest()["oauth_config"]
    assert sorted(oauth["scopes"]["bot"]) == sorted(BOT_SCOPES)
    # The user scopes are Sign in with Slack's alone (the HR console), exactly what it asks for;
    # the access token it brings is thrown away, so the app keeps no user token.
    assert sorted(oauth["scopes"]["user"]) == sorted(SCOPE.split())


def test_the_manifest_names_the_redirect_and_the_uninstall_events() -> None:
    manifest = _manifest()
    urls = manifest["oauth_config"]["redirect_urls"]
    assert [url.endswith(REDIRECT_PATH) for url in urls] == [True, False]
    assert urls[1].endswith(CALLBACK_PATH) and urls[0].removesuffix(REDIRECT_PATH) == urls[1].removesuffix(
        CALLBACK_PATH
    )
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)
