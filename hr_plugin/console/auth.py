"""Sign in with Slack (OpenID Connect) for the HR console: the authorize URL, the code's
exchange and the ``id_token``'s check.

The ``id_token`` is verified against the keys Slack publishes (fetched once and cached), its
issuer, audience (the app's client id), expiry and nonce checked against the one this browser
was given. The access token ``openid.connect.token`` returns is thrown away at once: the app
keeps no user token.

PyJWT (with the parts of ``cryptography`` it loads) is imported on the first sign-in, not with
the module: every web worker builds the console, few ever see a sign-in, and it is about
2 MB of resident memory in each.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from hr_plugin.settings import Settings

if TYPE_CHECKING:
    import jwt

ISSUER = "https://slack.com"
SCOPE = "openid profile email"
CALLBACK_PATH = "/hr/oidc/callback"
SLACK_ROOT = "https://slack.com"
CLOCK_SKEW_SECONDS = 60


class SignInError(Exception):
    """The sign-in failed; the message says why in words safe to log (no token, no code)."""


@dataclass(frozen=True)
class Identity:
    """Who Slack says signed in."""

    user_id: str
    team_id: str
    enterprise_id: str | None
    name: str
    email: str


def configured(settings: Settings) -> bool:
    return bool(settings.slack_client_id and settings.slack_client_secret and settings.public_url)


def missing_settings(settings: Settings) -> list[str]:
    """The settings the console still needs, by their environment names."""
    needed = {
        "HR_PLUGIN_SLACK_CLIENT_ID": settings.slack_client_id,
        "HR_PLUGIN_SLACK_CLIENT_SECRET": settings.slack_client_secret,
        "HR_PLUGIN_PUBLIC_URL": settings.public_url,
    }
    return [name for name, value in needed.items() if not value]


def slack_root(settings: Settings) -> str:
    """Slack's web root: ``https://slack.com``, or the fake's when ``slack_api_url`` points at it."""
    if not settings.slack_api_url:
        return SLACK_ROOT
    return settings.slack_api_url.rstrip("/").removesuffix("/api")


def callback_url(settings: Settings) -> str:
    return (settings.public_url or "").rstrip("/") + CALLBACK_PATH


def new_secret() -> str:
    """A fresh ``state`` or ``nonce``."""
    return secrets.token_urlsafe(24)


def authorize_url(settings: Settings, *, state: str, nonce: str) -> str:
    query = {
        "response_type": "code",
        "scope": SCOPE,
        "client_id": settings.slack_client_id or "",
        "state": state,
        "nonce": nonce,
        "redirect_uri": callback_url(settings),
    }
    return f"{slack_root(settings)}/openid/connect/authorize?{urlencode(query)}"


def exchange_code(settings: Settings, code: str) -> str:
    """The ``id_token`` for a code. The access token that comes with it is dropped here."""
    client = WebClient(base_url=settings.slack_api_url or "https://slack.com/api/", timeout=10)
    try:
        answer = client.openid_connect_token(
            client_id=settings.slack_client_id or "",
            client_secret=settings.slack_client_secret or "",
            code=code,
            redirect_uri=callback_url(settings),
        )
    except SlackClientError as error:
        raise SignInError(f"Slack refused the code: {_slack_error(error)}") from None
    except OSError:
        raise SignInError("Slack could not be reached") from None
    id_token = answer.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise SignInError("Slack's answer held no id_token")
    return id_token


class IdTokenVerifier:
    """Checks an ``id_token`` against Slack's published keys, fetched once and cached (a key
    id not seen before makes it fetch them again)."""

    def __init__(self, settings: Settings) -> None:
        self.client_id = settings.slack_client_id or ""
        self._keys_url = f"{slack_root(settings)}/openid/connect/keys"
        self._keys: jwt.PyJWKClient | None = None  # made on the first sign-in
        self._lock = threading.Lock()

    def verify(self, id_token: str, *, nonce: str, now: datetime) -> Identity:
        import jwt

        try:
            with self._lock:
                if self._keys is None:
                    self._keys = jwt.PyJWKClient(self._keys_url, cache_keys=True, lifespan=3600, timeout=10)
                key = self._keys.get_signing_key_from_jwt(id_token)
            claims = jwt.decode(
                id_token,
                key.key,
                algorithms=["RS256"],
                audience=self.client_id,
                issuer=ISSUER,
                # Time is checked below against the app's clock (simulated in the tests).
                options={
                    "require": ["exp", "iat", "iss", "aud", "nonce"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWKClientError:
            raise SignInError("Slack's keys could not be read, or none matches the token") from None
        except jwt.InvalidTokenError as error:
            raise SignInError(f"the id_token is not valid: {type(error).__name__}") from None
        moment = now.timestamp()
        if not isinstance(claims["exp"], int | float) or claims["exp"] + CLOCK_SKEW_SECONDS <= moment:
            raise SignInError("the id_token has expired")
        if not isinstance(claims["iat"], int | float) or claims["iat"] - CLOCK_SKEW_SECONDS > moment:
            raise SignInError("the id_token was issued in the future")
        if not secrets.compare_digest(str(claims["nonce"]), nonce):
            raise SignInError("the id_token's nonce is not the one this browser was given")
        user_id = claims.get("https://slack.com/user_id")
        team_id = claims.get("https://slack.com/team_id")
        if not isinstance(user_id, str) or not isinstance(team_id, str) or not user_id or not team_id:
            raise SignInError("the id_token names no Slack user or workspace")
        enterprise_id = claims.get("https://slack.com/enterprise_id")
        return Identity(
            user_id=user_id,
            team_id=team_id,
            enterprise_id=enterprise_id if isinstance(enterprise_id, str) and enterprise_id else None,
            name=str(claims.get("name") or ""),
            email=str(claims.get("email") or ""),
        )


def _slack_error(error: SlackClientError) -> str:
    response = getattr(error, "response", None)
    if response is not None:
        try:
            return str(response.get("error") or "unknown")
        except (AttributeError, TypeError):
            return "unknown"
    return "unknown"
