"""Sign in with Slack (OpenID Connect): the authorize step, ``openid.connect.token``,
``openid.connect.userInfo`` and the keys.

The app registers for it with ``enable_openid`` (its client id and secret, its redirect URLs).
A test says who signs in with ``sign_in_as(user_id)``; ``/openid/connect/authorize`` then plays
Slack's sign-in page, approved at once, and redirects to the app's ``redirect_uri`` with a
single-use ``code`` and the ``state`` it was given. ``openid.connect.token`` exchanges the code
for a user token and an ``id_token``: a real RS256 JWT signed with a key pair the fake makes,
published at ``/openid/connect/keys`` (a JWKS). ``tamper_next_id_token`` makes the next token
wrong on purpose (a claim changed, or a key nobody published) so the app's checks are tested.
"""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from hr_plugin.testing.fake_slack.directory import Directory
from hr_plugin.testing.fake_slack.recording import Recording
from hr_plugin.testing.fake_slack.replies import Reply, SlackError
from hr_plugin.testing.fake_slack.state import OAuthApp, OpenIdCode

ISSUER = "https://slack.com"
OPENID_CODE_LIFETIME = timedelta(minutes=10)
ID_TOKEN_LIFETIME = timedelta(minutes=5)
AUTHORIZE_PATH = "/openid/connect/authorize"
KEYS_PATH = "/openid/connect/keys"


class OpenId(Directory, Recording):
    """Who signs in, the codes and tokens handed out, and the key the id_tokens are signed with."""

    def enable_openid(
        self, client_id: str, client_secret: str, *, redirect_uris: tuple[str, ...] | list[str]
    ) -> None:
        """Let the app sign people in with Slack: its credentials and configured Redirect URLs
        (a ``redirect_uri`` given must start with one of them)."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        with self._lock:
            self._openid_app = OAuthApp(client_id, client_secret, False, tuple(redirect_uris))
            self._openid_key = key
            self._openid_key_id = f"fake-{secrets.token_hex(4)}"

    def sign_in_as(self, user_id: str, *, team_id: str | None = None) -> None:
        """The person who signs in at the next authorize steps (until changed), in ``team_id``
        (default the fake's first workspace)."""
        with self._lock:
            self._openid_signed_in = (user_id, team_id or self.team_id)

    def tamper_next_id_token(self, *, foreign_key: bool = False, **claims: Any) -> None:
        """The next ``id_token`` is wrong on purpose: ``claims`` replace its claims (``exp``,
        ``nonce``, ``aud``, ``iss`` ...), and ``foreign_key`` signs it with a key not in the JWKS."""
        with self._lock:
            self._openid_tamper = {"claims": claims, "foreign_key": foreign_key}

    def openid_jwks(self) -> dict[str, Any]:
        """The public keys, as ``/openid/connect/keys`` serves them."""
        with self._lock:
            key = self._openid_key
            if key is None:
                return {"keys": []}
            numbers = key.public_key().public_numbers()
            return {
                "keys": [
                    {
                        "kty": "RSA",
                        "kid": self._openid_key_id,
                        "use": "sig",
                        "alg": "RS256",
                        "n": _b64_int(numbers.n),
                        "e": _b64_int(numbers.e),
                    }
                ]
            }

    # -- the browser's side ------------------------------------------------------------------

    def _handle_openid_authorize(self, query: str) -> Reply:
        """Slack's sign-in page, approved at once by whoever ``sign_in_as`` named.

        Like Slack it answers an error page (no redirect) for an unknown client id or a
        redirect URL the app did not configure, and for a request missing what OpenID Connect
        needs: ``response_type=code``, a ``scope`` with ``openid``, a ``state`` and a ``nonce``.
        """
        params = dict(parse_qsl(query, keep_blank_values=True))
        with self._lock:
            app = self._openid_app
            recorded = {
                "client_id": params.get("client_id", ""),
                "scope": params.get("scope", ""),
                "redirect_uri": params.get("redirect_uri", ""),
            }
            redirect = params.get("redirect_uri", "")
            scopes = params.get("scope", "").replace(",", " ").split()
            error = None
            if app is None or params.get("client_id") != app.client_id:
                error = "invalid_client_id"
            elif not redirect or not redirect.startswith(app.redirect_uris or ("\0",)):
                error = "bad_redirect_uri"
            elif params.get("response_type") != "code":
                error = "unsupported_response_type"
            elif "openid" not in scopes or not set(scopes) <= {"openid", "email", "profile"}:
                error = "invalid_scope"
            elif not params.get("state"):
                error = "missing_state"
            elif not params.get("nonce"):
                error = "missing_nonce"
            elif self._openid_signed_in is None or self._openid_signed_in[0] not in self._users:
                error = "no_user_signed_in"
            if error is not None:
                self._record("openid.authorize", recorded, [], 400, False)
                return Reply(400, {"ok": False, "error": error}, text=error)
            assert self._openid_signed_in is not None
            user_id, team_id = self._openid_signed_in
            code = f"{self._next_number('openid-code')}.{secrets.token_urlsafe(16)}"
            self._openid_codes[code] = OpenIdCode(
                user_id, team_id, params["nonce"], redirect, self.clock.now()
            )
            self._record("openid.authorize", recorded, [user_id], 302, True)
        separator = "&" if "?" in redirect else "?"
        location = redirect + separator + urlencode({"code": code, "state": params["state"]})
        return Reply(302, {"ok": True}, {"Location": location}, text="")

    def _handle_openid_keys(self) -> Reply:
        return Reply(200, self.openid_jwks())

    # -- the Web API methods -----------------------------------------------------------------

    def _openid_connect_token(self, params: dict[str, Any], credentials: str) -> dict[str, Any]:
        """The code for a user token and a signed ``id_token`` (each code works once)."""
        app = OAuthApp.authenticate(self._openid_app, credentials)
        grant_type = str(params.get("grant_type") or "authorization_code")
        if grant_type != "authorization_code":
            raise SlackError("invalid_grant_type")
        code = self._openid_codes.get(str(params.get("code") or ""))
        if code is None or code.used or self.clock.now() - code.issued_at > OPENID_CODE_LIFETIME:
            raise SlackError("invalid_code")
        code.used = True
        if params.get("redirect_uri") != code.redirect_uri:
            raise SlackError("bad_redirect_uri")
        access_token = f"xoxp-{code.team_id}-{self._next_number('openid-token')}-{secrets.token_hex(8)}"
        self._openid_tokens[access_token] = (code.user_id, code.team_id)
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "id_token": self._id_token(code, app.client_id),
        }

    def _openid_connect_user_info(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        user_id, team_id = self._openid_tokens[token]
        claims = self._identity_claims(user_id, team_id)
        workspace = self._workspaces[team_id]
        claims["https://slack.com/team_name"] = workspace.name
        claims["https://slack.com/team_domain"] = workspace.domain
        return claims

    def _check_user_token(self, token: str) -> None:
        if not token:
            raise SlackError("not_authed")
        if token not in self._openid_tokens:
            raise SlackError("invalid_auth")

    def _identity_claims(self, user_id: str, team_id: str) -> dict[str, Any]:
        user = self._users[user_id]
        workspace = self._workspaces[team_id]
        claims: dict[str, Any] = {
            "sub": user_id,
            "https://slack.com/user_id": user_id,
            "https://slack.com/team_id": team_id,
            "email": user.email,
            "email_verified": True,
            "name": user.real_name,
            "given_name": "",
            "family_name": "",
            "locale": "en-US",
        }
        if workspace.enterprise_id is not None:
            claims["https://slack.com/enterprise_id"] = workspace.enterprise_id
        return claims

    def _id_token(self, code: OpenIdCode, client_id: str) -> str:
        now = self.clock.now()
        issued = int(now.timestamp())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": client_id,
            "iat": issued,
            "auth_time": issued,
            "exp": int((now + ID_TOKEN_LIFETIME).timestamp()),
            "nonce": code.nonce,
            **self._identity_claims(code.user_id, code.team_id),
        }
        tamper, self._openid_tamper = self._openid_tamper, {}
        claims.update(tamper.get("claims", {}))
        key = self._openid_key
        if tamper.get("foreign_key"):
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self._openid_key_id})


def _b64_int(value: int) -> str:
    data = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
