"""The HR console's Sign in with Slack, through real HTTP: the app over its WSGI server, the
fake Slack's OpenID endpoints, a browser that keeps cookies and follows redirects by hand.

Only the tenant's HR admins get in; every other way in (a wrong state, a forged cookie, a
reused code, an expired or wrong-nonce id_token, a non-admin) ends on a refusal page, never a
5xx. The session cookie is HttpOnly, SameSite=Lax and eight hours; every page has a strict CSP.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from hr_plugin.admins import appoint_by_email
from hr_plugin.clock import SimulatedClock
from hr_plugin.testing.stack import CLIENT_ID, AppStack, start_stack
from tests.e2e.conftest import TEAM
from tests.e2e.console_flows import (
    Browser,
    add_people,
    audited,
    console_home,
    import_org,
    sign_in,
)


@pytest.fixture
def console(database_url: str, clock: SimulatedClock) -> Iterator[AppStack]:
    with start_stack(database_url, clock, console=True) as running:
        add_people(running)
        import_org(running, TEAM)
        appoint_by_email(running.factory, clock, tenant_id=TEAM, email="hr@example.com", actor="test")
        running.fake.sign_in_as("UHR")
        yield running


def test_without_a_session_the_console_sends_the_browser_to_slack(console: AppStack) -> None:
    answer = Browser().request(console_home(console))
    assert answer.status == 302
    target = urlsplit(answer.location)
    assert f"{target.scheme}://{target.netloc}" == console.fake.url
    assert target.path == "/openid/connect/authorize"
    query = {name: values[0] for name, values in parse_qs(target.query).items()}
    assert "openid" in query["scope"].split() and set(query["scope"].split()) == {
        "openid",
        "profile",
        "email",
    }
    assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
    assert len(query["state"]) >= 20 and len(query["nonce"]) >= 20 and query["state"] != query["nonce"]
    assert query["redirect_uri"] == f"{console.server.url}/hr/oidc/callback"
    assert query["redirect_uri"].startswith(str(console.settings.public_url))


def test_an_hr_admin_signs_in_and_out(console: AppStack, clock: SimulatedClock) -> None:
    browser = Browser()
    answers = sign_in(console, browser, "UHR")
    assert [answer.status for answer in answers] == [302, 302, 302, 200], answers
    page = answers[-1]
    assert "Signed in as Hal Resources, HR admin of" in page.body
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script" not in page.body
    # The callback set the session cookie: HttpOnly, SameSite=Lax, eight hours, not Secure over http.
    set_cookie = answers[2].headers["Set-Cookie"]
    assert set_cookie.startswith("hr_console=")
    attributes = {part.strip().split("=")[0].lower() for part in set_cookie.split(";")}
    assert {"httponly", "expires", "path"} <= attributes and "secure" not in attributes
    assert "SameSite=Lax" in set_cookie and "Path=/hr/" in set_cookie
    [cookie] = [cookie for cookie in browser.jar if cookie.name == "hr_console"]
    assert cookie.expires is not None
    # The access token Slack returned is kept nowhere: the app asked for it once, never again.
    assert [call["method"] for call in console.fake.calls if call["method"].startswith("openid")] == [
        "openid.authorize",
        "openid.connect.token",
    ]
    [entry] = audited(console, "console.signed_in")
    assert entry.actor == "UHR" and entry.tenant_id == TEAM and entry.at == clock.now()
    # Signing out needs the form's CSRF token.
    token = page.body.split('name="csrf_token" value="')[1].split('"')[0]
    refused = browser.request(f"{console.server.url}/hr/signout", {"csrf_token": "forged"})
    assert refused.status == 400
    assert browser.request(console_home(console)).status == 200
    out = browser.request(f"{console.server.url}/hr/signout", {"csrf_token": token})
    assert out.status == 200 and "You are signed out" in out.body
    assert len(audited(console, "console.signed_out")) == 1
    assert browser.request(console_home(console)).status == 302


def test_a_person_who_is_not_an_hr_admin_is_refused(console: AppStack) -> None:
    answers = sign_in(console, Browser(), "UPEER")
    assert answers[-1].status == 403 and "Not for you" in answers[-1].body
    assert "Content-Security-Policy" in answers[-1].headers
    assert audited(console, "console.signed_in") == []


def test_someone_from_another_workspace_is_refused(console: AppStack) -> None:
    console.fake.add_workspace("T0ELSE", name="Else")
    assert sign_in(console, Browser(), "UHR", team="T0ELSE")[-1].status == 403


def test_a_callback_with_the_wrong_state_is_refused(console: AppStack) -> None:
    browser = Browser()
    to_slack = browser.request(console_home(console))
    back = browser.request(to_slack.location)
    query = parse_qs(urlsplit(back.location).query)
    wrong = browser.request(
        f"{console.server.url}/hr/oidc/callback?{urlencode({'code': query['code'][0], 'state': 'x'})}"
    )
    assert wrong.status == 400 and "did not come from this browser" in wrong.body
    # Nor can the right state be replayed afterwards: the pending sign-in is spent.
    again = browser.request(back.location)
    assert again.status == 400


def test_a_callback_without_a_code_or_with_a_slack_error_is_refused(console: AppStack) -> None:
    for extra in ({}, {"error": "access_denied"}):
        browser = Browser()
        state = parse_qs(urlsplit(browser.request(console_home(console)).location).query)["state"][0]
        answer = browser.request(
            f"{console.server.url}/hr/oidc/callback?{urlencode({'state': state, **extra})}"
        )
        assert answer.status == 400, answer.body


def test_a_forged_or_stale_cookie_never_gets_in_nor_breaks_the_page(
    console: AppStack, clock: SimulatedClock
) -> None:
    browser = Browser()
    assert sign_in(console, browser, "UHR")[-1].status == 200
    [cookie] = [cookie for cookie in browser.jar if cookie.name == "hr_console"]
    value = cookie.value
    payload = json.dumps({"user": {"tenant_id": TEAM, "user_id": "UHR", "name": "x", "tenant_name": "y"}})
    for forged in (value[:-4] + "AAAA", payload, "", "garbage.garbage.garbage"):
        cookie.value = forged
        answer = browser.request(console_home(console))
        assert answer.status == 302 and "/openid/connect/authorize" in answer.location, forged
        callback = browser.request(f"{console.server.url}/hr/oidc/callback?code=1.x&state=y")
        assert callback.status == 400
    # A cookie from another app's key (another master key) is as good as a forged one.
    with start_stack(console.settings.database_url, clock, console=True) as other:
        add_people(other)
        stranger = Browser()
        assert sign_in(other, stranger, "UHR")[-1].status == 200
        [theirs] = [cookie for cookie in stranger.jar if cookie.name == "hr_console"]
    cookie.value = theirs.value
    assert browser.request(console_home(console)).status == 302


def test_a_reused_code_is_refused(console: AppStack) -> None:
    browser = Browser()
    to_slack = browser.request(console_home(console))
    back = browser.request(to_slack.location)
    assert browser.request(back.location).status == 302  # signed in
    # A second browser replays the same callback with its own fresh sign-in state.
    thief = Browser()
    state = parse_qs(urlsplit(thief.request(console_home(console)).location).query)["state"][0]
    code = parse_qs(urlsplit(back.location).query)["code"][0]
    replay = thief.request(
        f"{console.server.url}/hr/oidc/callback?{urlencode({'code': code, 'state': state})}"
    )
    assert replay.status == 400 and "could not confirm who you are" in replay.body
    assert console.fake.calls_for("openid.connect.token")[-1]["ok"] is False


@pytest.mark.parametrize(
    ("tamper", "why"),
    [
        ({"nonce": "not-the-one"}, "nonce"),
        ({"exp": 1_000_000_000}, "expired"),
        ({"aud": "someone-else"}, "audience"),
        ({"iss": "https://evil.example"}, "issuer"),
        ({"foreign_key": True}, "signature"),
    ],
)
def test_a_bad_id_token_is_refused(console: AppStack, tamper: dict[str, Any], why: str) -> None:
    console.fake.tamper_next_id_token(**tamper)
    answers = sign_in(console, Browser(), "UHR")
    assert answers[-1].status == 400, why
    assert "could not confirm who you are" in answers[-1].body
    assert audited(console, "console.signed_in") == []


def test_an_expired_id_token_by_the_apps_clock_is_refused(console: AppStack, clock: SimulatedClock) -> None:
    browser = Browser()
    to_slack = browser.request(console_home(console))
    back = browser.request(to_slack.location)
    # Slack's token lives five minutes from when it is issued; the clock is moved past that
    # between Slack issuing it and the app checking it by signing the token "in the past".
    console.fake.tamper_next_id_token(exp=int((clock.now() - timedelta(minutes=2)).timestamp()))
    assert browser.request(back.location).status == 400


def test_a_sign_in_left_too_long_is_refused(console: AppStack, clock: SimulatedClock) -> None:
    browser = Browser()
    to_slack = browser.request(console_home(console))
    back = browser.request(to_slack.location)
    clock.advance(timedelta(minutes=11))
    assert browser.request(back.location).status == 400


def test_an_admin_appointed_in_an_org_wide_install_signs_in_to_the_organisation(
    database_url: str, clock: SimulatedClock
) -> None:
    with start_stack(database_url, clock, oauth=True, console=True) as stack:
        stack.fake.add_workspace("T0GRID", name="Grid Workspace", enterprise_id="E0GRID", org_wide=True)
        add_people(stack)
        assert stack.install("T0GRID").status == 200
        import_org(stack, "E0GRID")
        appoint_by_email(stack.factory, clock, tenant_id="E0GRID", email="hr@example.com", actor="test")
        page = sign_in(stack, Browser(), "UHR", team="T0GRID")[-1]
        assert page.status == 200 and "HR admin of" in page.body
        [entry] = audited(stack, "console.signed_in")
        assert entry.tenant_id == "E0GRID"
        assert sign_in(stack, Browser(), "UPEER", team="T0GRID")[-1].status == 403


def test_without_client_credentials_the_console_says_how_to_configure_it(stack: AppStack) -> None:
    answer = Browser().request(f"{stack.server.url}/hr/")
    assert answer.status == 200
    for setting in ("HR_PLUGIN_SLACK_CLIENT_ID", "HR_PLUGIN_SLACK_CLIENT_SECRET", "HR_PLUGIN_PUBLIC_URL"):
        assert setting in answer.body
    assert "Content-Security-Policy" in answer.headers
