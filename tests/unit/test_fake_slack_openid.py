"""The fake's Sign in with Slack holds to Slack's rules: the authorize step asks for what OpenID
Connect needs, codes work once and only with the app's secret and the same redirect URL, the
id_token is a real RS256 JWT verifiable with the published keys, and secrets stay out of the
recording."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from hr_plugin.clock import SimulatedClock
from hr_plugin.testing import FakeSlack

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CLIENT_ID, SECRET = "1.2", "s3cret"
REDIRECT = "http://127.0.0.1:9/hr/oidc/callback"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(clock=SimulatedClock(START)) as running:
        running.enable_openid(CLIENT_ID, SECRET, redirect_uris=[REDIRECT])
        running.add_user("U1", name="ana", real_name="Ana Example", email="ana@example.com")
        running.sign_in_as("U1")
        yield running


def _authorize(fake: FakeSlack, **overrides: str) -> tuple[int, str]:
    query = {
        "client_id": CLIENT_ID,
        "scope": "openid profile email",
        "response_type": "code",
        "state": "st-1",
        "nonce": "n-1",
        "redirect_uri": REDIRECT,
        **overrides,
    }
    query = {name: value for name, value in query.items() if value != "-"}
    try:
        with _OPENER.open(f"{fake.url}/openid/connect/authorize?{urlencode(query)}") as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        if error.code == 302:
            return 302, error.headers["Location"]
        return error.code, error.read().decode()


def _code(fake: FakeSlack) -> str:
    status, location = _authorize(fake)
    assert status == 302 and location.startswith(REDIRECT)
    found = parse_qs(urlsplit(location).query)
    assert found["state"] == ["st-1"]
    return found["code"][0]


def _client(fake: FakeSlack, token: str | None = None) -> WebClient:
    client = WebClient(token=token, base_url=fake.base_url)
    client.retry_handlers = []
    return client


def _keys(fake: FakeSlack) -> dict[str, Any]:
    with urllib.request.urlopen(f"{fake.url}/openid/connect/keys") as answer:
        return dict(json.loads(answer.read()))


def test_a_code_gives_a_signed_id_token_naming_who_signed_in(fake: FakeSlack) -> None:
    answer = _client(fake).openid_connect_token(
        client_id=CLIENT_ID, client_secret=SECRET, code=_code(fake), redirect_uri=REDIRECT
    )
    assert answer["token_type"] == "Bearer" and answer["access_token"].startswith("xoxp-")
    keys = jwt.PyJWKSet.from_dict(_keys(fake))
    header = jwt.get_unverified_header(answer["id_token"])
    claims = jwt.decode(
        answer["id_token"],
        keys[header["kid"]].key,
        algorithms=["RS256"],
        audience=CLIENT_ID,
        issuer="https://slack.com",
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["https://slack.com/user_id"] == "U1"
    assert claims["https://slack.com/team_id"] == fake.team_id
    assert claims["nonce"] == "n-1"
    assert claims["email"] == "ana@example.com" and claims["name"] == "Ana Example"
    assert claims["exp"] - claims["iat"] == 300
    assert claims["iat"] == int(START.timestamp())
    info = _client(fake, answer["access_token"]).openid_connect_userInfo()
    assert info["https://slack.com/user_id"] == "U1"
    assert info["https://slack.com/team_name"] == "Demo Company"


def test_an_enterprise_workspace_names_its_organisation(fake: FakeSlack) -> None:
    fake.add_workspace("T0GRID", name="Grid", enterprise_id="E0ORG", org_wide=True)
    fake.sign_in_as("U1", team_id="T0GRID")
    token = _client(fake).openid_connect_token(
        client_id=CLIENT_ID, client_secret=SECRET, code=_code(fake), redirect_uri=REDIRECT
    )["id_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["https://slack.com/team_id"] == "T0GRID"
    assert claims["https://slack.com/enterprise_id"] == "E0ORG"


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"client_id": "9.9"}, "invalid_client_id"),
        ({"redirect_uri": "https://evil.example/cb"}, "bad_redirect_uri"),
        ({"redirect_uri": "-"}, "bad_redirect_uri"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "profile email"}, "invalid_scope"),
        ({"state": "-"}, "missing_state"),
        ({"nonce": "-"}, "missing_nonce"),
    ],
)
def test_the_authorize_step_refuses_an_incomplete_request(
    fake: FakeSlack, overrides: dict[str, str], error: str
) -> None:
    assert _authorize(fake, **overrides) == (400, error)
    assert fake.calls_for("openid.authorize")[-1]["ok"] is False


def test_nobody_signed_in_is_refused(fake: FakeSlack) -> None:
    fake.sign_in_as("UNOBODY")
    assert _authorize(fake) == (400, "no_user_signed_in")


@pytest.mark.parametrize(
    ("secret", "redirect", "error"),
    [
        ("wrong", REDIRECT, "bad_client_secret"),
        (SECRET, "http://127.0.0.1:9/elsewhere", "bad_redirect_uri"),
    ],
)
def test_the_token_method_is_strict(fake: FakeSlack, secret: str, redirect: str, error: str) -> None:
    with pytest.raises(SlackApiError) as refused:
        _client(fake).openid_connect_token(
            client_id=CLIENT_ID, client_secret=secret, code=_code(fake), redirect_uri=redirect
        )
    assert refused.value.response["error"] == error


def test_a_code_works_once_and_an_unknown_one_never(fake: FakeSlack) -> None:
    code = _code(fake)
    client = _client(fake)
    client.openid_connect_token(client_id=CLIENT_ID, client_secret=SECRET, code=code, redirect_uri=REDIRECT)
    for attempt in (code, "1.made-up"):
        with pytest.raises(SlackApiError) as refused:
            client.openid_connect_token(
                client_id=CLIENT_ID, client_secret=SECRET, code=attempt, redirect_uri=REDIRECT
            )
        assert refused.value.response["error"] == "invalid_code"


def test_a_tampered_token_fails_verification_or_carries_the_wrong_claim(fake: FakeSlack) -> None:
    fake.tamper_next_id_token(nonce="other")
    token = _client(fake).openid_connect_token(
        client_id=CLIENT_ID, client_secret=SECRET, code=_code(fake), redirect_uri=REDIRECT
    )["id_token"]
    assert jwt.decode(token, options={"verify_signature": False})["nonce"] == "other"
    fake.tamper_next_id_token(foreign_key=True)
    token = _client(fake).openid_connect_token(
        client_id=CLIENT_ID, client_secret=SECRET, code=_code(fake), redirect_uri=REDIRECT
    )["id_token"]
    key = jwt.PyJWKSet.from_dict(_keys(fake))[jwt.get_unverified_header(token)["kid"]].key
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, key, algorithms=["RS256"], audience=CLIENT_ID, options={"verify_exp": False})


def test_secrets_stay_out_of_the_recording(fake: FakeSlack) -> None:
    code = _code(fake)
    answer = _client(fake).openid_connect_token(
        client_id=CLIENT_ID, client_secret=SECRET, code=code, redirect_uri=REDIRECT
    )
    recorded = json.dumps(fake.calls)
    for secret in (SECRET, code, answer["access_token"], answer["id_token"]):
        assert secret not in recorded
    assert [call["method"] for call in fake.calls] == ["openid.authorize", "openid.connect.token"]
