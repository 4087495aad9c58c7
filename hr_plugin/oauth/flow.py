"""Bolt's OAuth settings for multi-workspace mode: our stores, our pages, our scopes.

``GET /slack/install`` sends the installer straight to Slack's consent screen (a ``state`` is
issued and set as a cookie), and ``GET /slack/oauth_redirect`` checks that state, exchanges
the code (``oauth.v2.access``) and saves the installation, sealed, into our store.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from slack_bolt.oauth.oauth_settings import OAuthSettings
from sqlalchemy import Engine

from hr_plugin.oauth.pages import INSTALL_PATH, callback_options
from hr_plugin.oauth.states import OAuthStates
from hr_plugin.oauth.tokens import Installations
from hr_plugin.settings import Settings

REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600
# The least the app's Web API calls need (deploy/slack/manifest.yaml lists the same, with why).
BOT_SCOPES = (
    "chat:write",
    "commands",
    "files:write",
    "im:write",
    "mpim:write",
    "users:read",
    "users:read.email",
)
SLACK_AUTHORIZE_URL = "https://slack.com/oauth/v2/authorize"


def oauth_settings(settings: Settings, engine: Engine, installations: Installations) -> OAuthSettings:
    if not (settings.slack_client_id and settings.slack_client_secret):
        raise ValueError("OAuth needs HR_PLUGIN_SLACK_CLIENT_ID and HR_PLUGIN_SLACK_CLIENT_SECRET")
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=redirect_uri(settings.public_url),
        install_path=INSTALL_PATH,
        install_page_rendering_enabled=False,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=callback_options(),
        authorization_url=authorize_url(settings.slack_api_url),
        installation_store=installations.store,
        state_store=OAuthStates(engine, STATE_SECONDS),
        state_expiration_seconds=STATE_SECONDS,
    )


def redirect_uri(public_url: str | None) -> str | None:
    """``HR_PLUGIN_PUBLIC_URL`` + the redirect path; without it Slack uses the app's first Redirect URL."""
    return public_url.rstrip("/") + REDIRECT_PATH if public_url else None


def authorize_url(api_url: str | None) -> str:
    """Slack's consent screen, on the same host as the Web API when that is overridden (the fake)."""
    if not api_url:
        return SLACK_AUTHORIZE_URL
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}/oauth/v2/authorize"
