"""Tokens and installs: ``auth.test``, the OAuth consent screen and ``oauth.v2.access``.

Several workspaces can install the app through OAuth (``enable_oauth``, ``add_workspace``):
``/oauth/v2/authorize`` plays the consent screen (it redirects back with a single-use code)
and ``oauth.v2.access`` exchanges the code, or a refresh token, for a bot token of that
workspace, expiring when token rotation is on. Each token belongs to one workspace, so
``auth.test`` answers for the right one; ``uninstall`` revokes a workspace's tokens, as
removing the app does. ``_check_token`` is what every token-authenticated method passes first.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from hr_plugin.testing.fake_slack.recording import Recording
from hr_plugin.testing.fake_slack.replies import Reply, SlackError
from hr_plugin.testing.fake_slack.state import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    Grant,
    IssuedToken,
    OAuthApp,
    Workspace,
)

OAUTH_CODE_LIFETIME = timedelta(minutes=10)
ACCESS_TOKEN_LIFETIME = timedelta(hours=12)  # with token rotation on


class OAuth(Recording):
    """Workspaces, the tokens the fake accepts for each, and how the app gets new ones."""

    def enable_oauth(
        self,
        client_id: str,
        client_secret: str,
        *,
        token_rotation: bool = False,
        redirect_uris: Iterable[str] = (),
    ) -> None:
        """Distribute the app: installs go through ``/oauth/v2/authorize`` and ``oauth.v2.access``.

        ``redirect_uris`` are the app's configured Redirect URLs: a ``redirect_uri`` given in a
        request must start with one of them, and without one Slack uses the first. With
        ``token_rotation`` every bot token expires after 12 hours and comes with a refresh token.
        """
        with self._lock:
            self._oauth_app = OAuthApp(client_id, client_secret, token_rotation, tuple(redirect_uris))

    def add_workspace(
        self,
        team_id: str,
        *,
        name: str,
        domain: str | None = None,
        enterprise_id: str | None = None,
        org_wide: bool = False,
    ) -> None:
        """Another workspace that can install the app (the directory of users stays shared)."""
        with self._lock:
            self._workspaces[team_id] = Workspace(
                team_id, name, domain or team_id.lower(), enterprise_id, org_wide
            )

    def uninstall(self, team_id: str) -> int:
        """Remove the app from a workspace as its admin would: every token it had stops working.

        Returns how many access tokens were revoked. (The app learns of it from the
        ``app_uninstalled`` event, which the signed client sends.)
        """
        with self._lock:
            revoked = [token for token, issued in self._issued.items() if issued.team_id == team_id]
            for token in revoked:
                del self._issued[token]
                self._revoked.add(token)
            for grant in self._refresh_tokens.values():
                if grant.team_id == team_id:
                    grant.used = True
            return len(revoked)

    def token_team(self, token: str) -> str | None:
        """The workspace a token belongs to, or None for an unknown or revoked token."""
        with self._lock:
            issued = self._issued.get(token)
            return issued.team_id if issued is not None else None

    def _check_token(self, token: str) -> None:
        if not token:
            raise SlackError("not_authed")
        if token in self._revoked:
            raise SlackError("token_revoked")
        issued = self._issued.get(token)
        if issued is None:
            raise SlackError("invalid_auth")
        if issued.expires_at is not None and self.clock.now() >= issued.expires_at:
            raise SlackError("token_expired")

    def _handle_authorize(self, query: str) -> Reply:
        """The consent screen, approved at once: back to the app's redirect URL with a code.

        Like Slack it refuses an unknown client id or a redirect URL the app did not configure
        (answering the browser with an error page, not a redirect). ``team`` picks the workspace;
        the default is the fake's first one.
        """
        params = dict(parse_qsl(query, keep_blank_values=True))
        with self._lock:
            app = self._oauth_app
            team_id = params.get("team") or self.team_id
            recorded = {
                "client_id": params.get("client_id", ""),
                "scope": params.get("scope", ""),
                "team": team_id,
            }
            given = params.get("redirect_uri") or None
            redirect = given or (app.redirect_uris[0] if app is not None and app.redirect_uris else None)
            error = None
            if app is None or params.get("client_id") != app.client_id:
                error = "invalid_client_id"
            elif redirect is None or (app.redirect_uris and not redirect.startswith(app.redirect_uris)):
                error = "bad_redirect_uri"
            elif team_id not in self._workspaces:
                error = "invalid_team"
            if error is not None:
                self._record("oauth.authorize", recorded, [], 400, False)
                return Reply(400, {"ok": False, "error": error}, text=error)
            code = f"{self._next_number('code')}.{secrets.token_urlsafe(12)}"
            self._codes[code] = Grant(team_id, params.get("scope", ""), self.clock.now(), given)
            self._record("oauth.authorize", recorded, [], 302, True)
        assert redirect is not None
        separator = "&" if "?" in redirect else "?"
        location = redirect + separator + urlencode({"code": code, "state": params.get("state", "")})
        return Reply(302, {"ok": True}, {"Location": location}, text="")

    # -- the Web API methods -----------------------------------------------------------------

    def _auth_test(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        workspace = self._workspaces[self._issued[token].team_id]
        answer: dict[str, Any] = {
            "url": f"https://{workspace.domain}.slack.com/",
            "team": workspace.name,
            "user": "hr-plugin",
            "team_id": workspace.team_id,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": workspace.org_wide,
        }
        if workspace.enterprise_id is not None:
            answer["enterprise_id"] = workspace.enterprise_id
        return answer

    def _oauth_v2_access(self, params: dict[str, Any], credentials: str) -> dict[str, Any]:
        """A code from the consent screen, or a refresh token, for a new bot token (each works once)."""
        app = OAuthApp.authenticate(self._oauth_app, credentials)
        grant_type = str(params.get("grant_type") or "authorization_code")
        if grant_type == "refresh_token":
            refresh = self._refresh_tokens.get(str(params.get("refresh_token") or ""))
            if refresh is None or refresh.used:
                raise SlackError("invalid_refresh_token")
            refresh.used = True
            return self._issue_bot_token(refresh.team_id, refresh.scope, app)
        if grant_type != "authorization_code":
            raise SlackError("unsupported_grant_type")
        code = self._codes.get(str(params.get("code") or ""))
        if code is None or code.used or self.clock.now() - code.issued_at > OAUTH_CODE_LIFETIME:
            raise SlackError("invalid_code")
        code.used = True
        if code.redirect_uri is not None and params.get("redirect_uri") != code.redirect_uri:
            raise SlackError("bad_redirect_uri")
        answer = self._issue_bot_token(code.team_id, code.scope, app)
        answer["authed_user"] = {"id": self._installer_id()}
        return answer

    def _issue_bot_token(self, team_id: str, scope: str, app: OAuthApp) -> dict[str, Any]:
        workspace = self._workspaces[team_id]
        number = self._next_number("token")
        answer: dict[str, Any] = {
            "app_id": APP_ID,
            "scope": scope,
            "token_type": "bot",
            "bot_user_id": BOT_USER_ID,
            "team": None if workspace.org_wide else {"id": workspace.team_id, "name": workspace.name},
            "enterprise": {"id": workspace.enterprise_id, "name": f"{workspace.name} Enterprise"}
            if workspace.enterprise_id is not None
            else None,
            "is_enterprise_install": workspace.org_wide,
        }
        if app.token_rotation:
            token = f"xoxe.xoxb-1-{team_id}-{number}-{secrets.token_hex(8)}"
            refresh = f"xoxe-1-{team_id}-{number}-{secrets.token_hex(8)}"
            self._issued[token] = IssuedToken(team_id, self.clock.now() + ACCESS_TOKEN_LIFETIME)
            self._refresh_tokens[refresh] = Grant(team_id, scope, self.clock.now())
            answer.update(
                access_token=token,
                refresh_token=refresh,
                expires_in=int(ACCESS_TOKEN_LIFETIME.total_seconds()),
            )
        else:
            token = f"xoxb-{team_id}-{number}-{secrets.token_hex(8)}"
            self._issued[token] = IssuedToken(team_id)
            answer["access_token"] = token
        return answer

    def _installer_id(self) -> str:
        """Who clicked Allow: the first workspace owner, else the first person in the directory."""
        people = [user for user in self._users.values() if not user.is_bot]
        owners = [user for user in people if user.is_owner]
        return (owners or people)[0].id if people else "UINSTALLER"
