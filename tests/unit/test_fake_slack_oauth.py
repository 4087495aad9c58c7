"""The fake's OAuth side holds to Slack's rules: codes and refresh tokens work once, tokens
belong to one workspace, expire with rotation, stop on uninstall, and secrets stay out of the
recording."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from hr_plugin.clock import SimulatedClock
from hr_plugin.testing import FakeSlack
from hr_plugin.testing.installer import Installer

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CLIENT_ID, SECRET = "1.2", "s3cret"
REDIRECT = "http://127.0.0.1:9/slack/oauth_redirect"


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


@pytest.fixture
def fake(clock: SimulatedClock) -> Iterator[FakeSlack]:
    with FakeSlack(clock=clock, bot_tokens=[]) as running:
        running.enable_oauth(CLIENT_ID, SECRET, token_rotation=True, redirect_uris=[REDIRECT])
        running.add_workspace("T0OTHER", name="Other")
        yield running


def _code(fake: FakeSlack, team: str | None = None, redirect_uri: str | None = REDIRECT) -> str:
    query = {"client_id": CLIENT_ID, "scope": "chat:write", "state": "s1"}
    if team:
        query["team"] = team
    if redirect_uri:
        query["redirect_uri"] = redirect_uri
    location = Installer(fake.url).consent(f"{fake.url}/oauth/v2/authorize?{urlencode(query)}")
    assert location.startswith(REDIRECT)
    found = parse_qs(urlsplit(location).query)
    assert found["state"] == ["s1"]
    return found["code"][0]


def _client(fake: FakeSlack, token: str | None = None) -> WebClient:
    client = WebClient(token=token, base_url=fake.base_url)
    client.retry_handlers = []
    return client


def _exchange(fake: FakeSlack, **arguments: str) -> dict[str, object]:
    response = _client(fake).oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET, **arguments)
    return dict(response.data)  # type: ignore[arg-type]


def test_a_code_gives_a_workspace_its_own_expiring_token_once(fake: FakeSlack, clock: SimulatedClock) -> None:
    answer = _exchange(fake, code=_code(fake, "T0OTHER"), redirect_uri=REDIRECT)
    token = str(answer["access_token"])

    assert answer["team"] == {"id": "T0OTHER", "name": "Other"} and answer["expires_in"] == 43200
    assert answer["token_type"] == "bot" and answer["scope"] == "chat:write"
    assert _client(fake, token).auth_test()["team_id"] == "T0OTHER"
    code = _code(fake)
    _exchange(fake, code=code, redirect_uri=REDIRECT)
    with pytest.raises(SlackApiError) as reused:
        _exchange(fake, code=code, redirect_uri=REDIRECT)
    assert reused.value.response["error"] == "invalid_code"

    clock.advance(timedelta(hours=12))
    with pytest.raises(SlackApiError) as expired:
        _client(fake, token).auth_test()
    assert expired.value.response["error"] == "token_expired"


def test_a_refresh_token_works_once(fake: FakeSlack) -> None:
    first = _exchange(fake, code=_code(fake), redirect_uri=REDIRECT)
    refresh = str(first["refresh_token"])

    second = _exchange(fake, grant_type="refresh_token", refresh_token=refresh)
    with pytest.raises(SlackApiError) as again:
        _exchange(fake, grant_type="refresh_token", refresh_token=refresh)

    assert second["access_token"] != first["access_token"] and second["refresh_token"] != refresh
    assert again.value.response["error"] == "invalid_refresh_token"
    assert _client(fake, str(second["access_token"])).auth_test()["team_id"] == fake.team_id


def test_wrong_client_credentials_or_redirect_are_refused(fake: FakeSlack) -> None:
    code = _code(fake)
    wrong = _client(fake)
    with pytest.raises(SlackApiError) as secret:
        wrong.oauth_v2_access(client_id=CLIENT_ID, client_secret="guess", code=code)
    assert secret.value.response["error"] == "bad_client_secret"
    with pytest.raises(SlackApiError) as redirect:
        _exchange(fake, code=_code(fake), redirect_uri="http://127.0.0.1:9/elsewhere")
    assert redirect.value.response["error"] == "bad_redirect_uri"
    elsewhere = urlencode({"client_id": CLIENT_ID, "redirect_uri": "https://evil.example/cb"})
    page = Installer(fake.url).get(f"{fake.url}/oauth/v2/authorize?{elsewhere}")
    assert page.status == 400 and "bad_redirect_uri" in page.body


def test_an_uninstall_revokes_the_workspace_tokens_only(fake: FakeSlack) -> None:
    ours = str(_exchange(fake, code=_code(fake), redirect_uri=REDIRECT)["access_token"])
    theirs = str(_exchange(fake, code=_code(fake, "T0OTHER"), redirect_uri=REDIRECT)["access_token"])

    assert fake.uninstall(fake.team_id) == 1

    with pytest.raises(SlackApiError) as revoked:
        _client(fake, ours).auth_test()
    assert revoked.value.response["error"] == "token_revoked"
    assert _client(fake, theirs).auth_test()["team_id"] == "T0OTHER"
    assert fake.token_team(ours) is None and fake.token_team(theirs) == "T0OTHER"


def test_secrets_stay_out_of_the_recording_but_tokens_used_are_known(fake: FakeSlack, tmp_path: Path) -> None:
    answer = _exchange(fake, code=_code(fake), redirect_uri=REDIRECT)
    token, refresh = str(answer["access_token"]), str(answer["refresh_token"])
    _exchange(fake, grant_type="refresh_token", refresh_token=refresh)
    _client(fake, token).auth_test()

    written = fake.write_jsonl(tmp_path / "calls.jsonl").read_text()
    for secret in (token, refresh, SECRET):
        assert secret not in written
    assert all(
        set(json.loads(line)) == {"method", "params", "audience", "status", "ok", "at"}
        for line in written.splitlines()
    )
    assert fake.tokens_used("auth.test") == [token]
    assert fake.tokens_used("oauth.v2.access") == ["", ""]
    assert [call["method"] for call in fake.calls] == [
        "oauth.authorize",
        "oauth.v2.access",
        "oauth.v2.access",
        "auth.test",
    ]


def test_the_consent_screen_refuses_an_unknown_app(fake: FakeSlack) -> None:
    request = urllib.request.Request(f"{fake.url}/oauth/v2/authorize?client_id=nope&state=x")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 400
