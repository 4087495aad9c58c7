"""Multi-workspace installs through the real OAuth flow, against the fake Slack.

The installer's browser goes ``/slack/install`` -> Slack's consent screen (the fake) ->
``/slack/oauth_redirect``; the app exchanges the code with ``oauth.v2.access`` and seals the
token. Then signed requests from each workspace are served with that workspace's token,
expiring tokens are refreshed once however many want them, and an uninstall stops the
workspace at once and erases it after the grace period.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import MetaData, Row, func, select, text

from hr_plugin import vault as vault_package
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import unit_of_work
from hr_plugin.directory import import_directory, parse_directory_csv
from hr_plugin.models import OAuthState, OutboxMessage, SlackInstallation, Tenant
from hr_plugin.oauth.flow import BOT_SCOPES
from hr_plugin.outbox import enqueue
from hr_plugin.services import make_services
from hr_plugin.slack.app import installations_for
from hr_plugin.testing.stack import CLIENT_ID, AppStack, start_stack
from tests.e2e import vault_flows as flow
from tests.e2e.conftest import ORG_CSV, TEAM, USERS, propose_enrolment

OTHER = "T0OTHER"
OTHER_USERS = {"owner@other.example": "UOTHER1", "member@other.example": "UOTHER2"}
OTHER_CSV = """email,name,manager_email,department,country,timezone
owner@other.example,Oona Owner,,Leadership,FR,Europe/Paris
member@other.example,Mo Member,owner@other.example,Sales,FR,Europe/Paris
"""
GRACE_DAYS = 30


@pytest.fixture
def multi(database_url: str, clock: SimulatedClock) -> Iterator[AppStack]:
    with start_stack(database_url, clock, oauth=True, uninstall_grace_days=GRACE_DAYS) as running:
        _add_people(running)
        yield running


@pytest.fixture
def rotating(database_url: str, clock: SimulatedClock) -> Iterator[AppStack]:
    with start_stack(database_url, clock, oauth=True, token_rotation=True) as running:
        _add_people(running)
        yield running


def _add_people(stack: AppStack) -> None:
    stack.fake.add_workspace(OTHER, name="Other Company")
    for email, user_id in {**USERS, **OTHER_USERS}.items():
        stack.fake.add_user(
            user_id,
            name=email.split("@")[0],
            real_name=email,
            email=email,
            is_owner=user_id in ("UBOSS", "UOTHER1"),
        )


def _installed(stack: AppStack, team: str | None = None) -> str:
    """Install through the whole flow; the token Slack issued (Bolt checks it with auth.test)."""
    page = stack.install(team)
    assert page.status == 200, page.body
    assert "is installed" in page.body
    token = stack.fake.tokens_used("auth.test")[-1]
    assert stack.fake.token_team(token) == (team or TEAM)
    return token


def _import_org(stack: AppStack, tenant: str, csv: str) -> None:
    import_directory(
        stack.factory,
        tenant_id=tenant,
        rows=parse_directory_csv(csv),
        slack=stack.clients.client_for(tenant),
        clock=stack.services.clock,
        full=True,
        actor="test",
    )


def _home_token(stack: AppStack, team: str, user: str) -> str:
    """Open the App Home as a person of ``team``; the token the app published it with."""
    stack.fake.reset_calls()
    client = stack.slack if team == TEAM else stack.slack_for(team)
    assert client.app_home_opened(user).status == 200
    stack.settle()
    published = stack.fake.tokens_used("views.publish")
    assert len(published) == 1, stack.fake.calls
    return published[0]


def _rows(stack: AppStack, model: Any, *where: Any) -> list[Any]:
    with unit_of_work(stack.factory) as session:
        return list(session.scalars(select(model).where(*where)))


def _tenant(stack: AppStack, tenant_id: str) -> Tenant | None:
    with unit_of_work(stack.factory) as session:
        return session.get(Tenant, tenant_id)


def _every_row(stack: AppStack) -> dict[str, list[Row[Any]]]:
    metadata = MetaData()
    with stack.services.engine.connect() as connection:
        metadata.reflect(bind=connection)
        return {name: list(connection.execute(table.select())) for name, table in metadata.tables.items()}


def _tenant_rows(stack: AppStack, tenant_id: str) -> dict[str, int]:
    counts = {}
    metadata = MetaData()
    with stack.services.engine.connect() as connection:
        metadata.reflect(bind=connection)
        for name, table in metadata.tables.items():
            if "tenant_id" in table.c:
                counts[name] = int(
                    connection.execute(
                        select(func.count()).select_from(table).where(table.c.tenant_id == tenant_id)
                    ).scalar_one()
                )
    return counts


# -- installing -----------------------------------------------------------------------------


def test_the_install_link_sends_the_installer_to_slack_with_a_fresh_state(multi: AppStack) -> None:
    started = multi.installer.start()

    target = urlsplit(started.authorize_url)
    query = parse_qs(target.query)
    assert f"{target.scheme}://{target.netloc}" == multi.fake.url and target.path == "/oauth/v2/authorize"
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"] == [",".join(BOT_SCOPES)]
    assert query["redirect_uri"] == [f"{multi.server.url}/slack/oauth_redirect"]
    assert "user_scope" not in query or query["user_scope"] == [""]
    assert started.state and started.cookie == f"slack-app-oauth-state={started.state}"
    assert [row.state for row in _rows(multi, OAuthState)] == [started.state]
    assert _rows(multi, SlackInstallation) == []


def test_an_install_keeps_the_token_sealed_and_the_workspace_is_served_with_it(multi: AppStack) -> None:
    token = _installed(multi)

    [row] = _rows(multi, SlackInstallation)
    assert row.tenant_id == TEAM and row.team_id == TEAM and row.bot_user_id == "UBOT"
    assert row.bot_scopes == ",".join(BOT_SCOPES)
    assert row.bot_refresh_token_sealed is None and row.bot_token_expires_at is None  # no rotation
    # No plaintext token anywhere in the database: not in the row, not in any other table.
    for table, rows in _every_row(multi).items():
        for found in rows:
            for value in found:
                assert token not in str(value), table
                assert not (isinstance(value, bytes) and token.encode() in value), table
    if multi.settings.database_url.startswith("sqlite:///"):
        database = Path(multi.settings.database_url.removeprefix("sqlite:///"))
        for path in (database, database.with_name(database.name + "-wal")):
            if path.exists():
                assert token.encode() not in path.read_bytes(), path
    tenant = _tenant(multi, TEAM)
    assert tenant is not None and tenant.uninstalled_at is None and tenant.name == "Demo Company"
    assert _rows(multi, OAuthState) == []  # the state was used up

    _import_org(multi, TEAM, ORG_CSV)
    assert _home_token(multi, TEAM, "UPARENT") == token


def test_each_workspace_gets_its_own_token(multi: AppStack) -> None:
    first = _installed(multi)
    second = _installed(multi, OTHER)

    assert first != second
    assert {row.tenant_id for row in _rows(multi, SlackInstallation)} == {TEAM, OTHER}
    _import_org(multi, TEAM, ORG_CSV)
    _import_org(multi, OTHER, OTHER_CSV)
    assert _home_token(multi, OTHER, "UOTHER2") == second
    assert _home_token(multi, TEAM, "UPARENT") == first
    assert _home_token(multi, OTHER, "UOTHER1") == second


def test_a_forged_tampered_or_reused_state_is_refused(multi: AppStack) -> None:
    installer = multi.installer
    started = installer.start()
    redirect = installer.consent(started.authorize_url)
    code = parse_qs(urlsplit(redirect).query)["code"][0]
    callback = f"{multi.server.url}/slack/oauth_redirect"

    tampered = installer.finish(f"{callback}?code={code}&state=not-the-state", started.cookie)
    no_cookie = installer.finish(redirect, None)
    forged = installer.finish(f"{callback}?code={code}&state=forged", "slack-app-oauth-state=forged")

    assert tampered.status == 400 and "another browser" in tampered.body
    assert no_cookie.status == 400
    assert forged.status == 401 and "expired or was already used" in forged.body
    assert multi.fake.calls_for("oauth.v2.access") == []  # no code was exchanged on a bad state
    assert _rows(multi, SlackInstallation) == []

    done = installer.finish(redirect, started.cookie)
    replayed = installer.finish(redirect, started.cookie)

    assert done.status == 200
    assert replayed.status == 401 and "expired or was already used" in replayed.body
    assert len(multi.fake.calls_for("oauth.v2.access")) == 1
    for page in (tampered, forged, done, replayed):
        assert "slack-app-oauth-state=deleted" in page.headers.get("set-cookie", "")
        assert page.headers.get("cache-control") == "no-store"


def test_a_cancelled_install_says_so_and_stores_nothing(multi: AppStack) -> None:
    started = multi.installer.start()
    page = multi.installer.finish(
        f"{multi.server.url}/slack/oauth_redirect?error=access_denied&state={started.state}", started.cookie
    )

    assert page.status == 200 and "cancelled" in page.body
    assert _rows(multi, SlackInstallation) == [] and _tenant(multi, TEAM) is None


# -- token rotation -------------------------------------------------------------------------


def _refreshes(stack: AppStack) -> list[dict[str, Any]]:
    return [
        call
        for call in stack.fake.calls_for("oauth.v2.access")
        if call["params"].get("grant_type") == "refresh_token"
    ]


def test_an_expiring_token_is_refreshed_before_it_is_used(rotating: AppStack, clock: SimulatedClock) -> None:
    first = _installed(rotating)
    [row] = _rows(rotating, SlackInstallation)
    assert row.bot_token_expires_at == clock.now() + timedelta(hours=12)
    assert row.bot_refresh_token_sealed is not None
    _import_org(rotating, TEAM, ORG_CSV)
    assert _home_token(rotating, TEAM, "UPARENT") == first  # 10 hours left: no refresh yet
    assert _refreshes(rotating) == []

    clock.advance(timedelta(hours=10, minutes=30))
    second = _home_token(rotating, TEAM, "UPEER")  # a first look: an unchanged Home is not published again

    assert second != first and rotating.fake.token_team(second) == TEAM
    assert len(_refreshes(rotating)) == 1
    assert _refreshes(rotating)[0]["params"]["refresh_token"] == "[redacted]"
    [row] = _rows(rotating, SlackInstallation)
    assert row.refreshed_at == clock.now()
    assert row.bot_token_expires_at == clock.now() + timedelta(hours=12)
    assert second.encode() not in row.bot_token_sealed
    # The background sends use the same store and the same fresh token.
    with unit_of_work(rotating.factory) as session:
        enqueue(
            session,
            tenant_id=TEAM,
            key="test:1",
            now=clock.now(),
            text="Hello",
            recipient="UPARENT",
            solicited=True,
        )
        session.commit()
    rotating.fake.reset_calls()
    assert rotating.ticks.run("outbox-drain").sent == 1
    assert rotating.fake.tokens_used("chat.postMessage") == [second]
    assert _refreshes(rotating) == []


def test_two_refreshers_at_once_exchange_the_refresh_token_once(
    rotating: AppStack, clock: SimulatedClock
) -> None:
    """Two replicas (each its own engine, pool and lock) want the token in the same moment."""
    _installed(rotating)
    clock.advance(timedelta(hours=11))
    rotating.fake.delay("oauth.v2.access", 0.5)  # a slow Slack: the second one arrives mid-refresh
    replicas = [installations_for(make_services(rotating.settings, clock=clock)) for _ in range(2)]
    barrier = threading.Barrier(len(replicas))
    tokens: list[str] = []
    errors: list[BaseException] = []

    def refresh(replica: Any) -> None:
        try:
            barrier.wait()
            tokens.append(replica.bot_token(TEAM))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=refresh, args=(replica,)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for replica in replicas:
        replica.engine.dispose()

    assert errors == []
    assert len(_refreshes(rotating)) == 1
    assert all(call["ok"] for call in _refreshes(rotating))
    assert len(tokens) == 2 and tokens[0] == tokens[1]
    assert rotating.fake.token_team(tokens[0]) == TEAM
    assert installations_for(rotating.services).bot_token(TEAM) == tokens[0]


# -- uninstalling ---------------------------------------------------------------------------


def _uninstall_event(stack: AppStack, team: str = TEAM) -> None:
    stack.fake.uninstall(team)
    client = stack.slack if team == TEAM else stack.slack_for(team)
    assert client.event({"type": "app_uninstalled", "event_ts": "1700000000.000100"}).status == 200


def _pending(stack: AppStack, tenant: str, key: str) -> None:
    with unit_of_work(stack.factory) as session:
        enqueue(
            session,
            tenant_id=tenant,
            key=key,
            now=stack.services.clock.now(),
            text="Your weekly reflection is ready",
            recipient="UPARENT" if tenant == TEAM else "UOTHER2",
            solicited=True,
        )
        session.commit()


def test_an_uninstall_purges_the_tokens_and_stops_the_workspace_at_once(
    multi: AppStack, clock: SimulatedClock
) -> None:
    _installed(multi)
    other_token = _installed(multi, OTHER)
    _import_org(multi, TEAM, ORG_CSV)
    _import_org(multi, OTHER, OTHER_CSV)
    _pending(multi, TEAM, "test:before")
    _pending(multi, OTHER, "test:other")

    _uninstall_event(multi)

    assert [row.tenant_id for row in _rows(multi, SlackInstallation)] == [OTHER]
    tenant = _tenant(multi, TEAM)
    assert tenant is not None and tenant.uninstalled_at == clock.now()
    [cancelled] = _rows(multi, OutboxMessage, OutboxMessage.tenant_id == TEAM)
    assert cancelled.status == "cancelled" and "uninstalled" in (cancelled.last_error or "")

    # Requests from that workspace reach no Slack method; nothing is sent for it.
    multi.fake.reset_calls()
    assert multi.slack.app_home_opened("UPARENT").status == 200
    command = multi.slack.slash_command("UPARENT", text="help")
    multi.settle()
    _pending(multi, TEAM, "test:after")  # a tick that still enqueued something
    report = multi.ticks.run("outbox-drain")
    assert command.status == 200
    assert {call["method"] for call in multi.fake.calls} <= {
        "conversations.open",
        "chat.postMessage",
        "response_url",
    }
    assert {token for token in multi.fake.tokens_used() if token} == {other_token}  # the other workspace only
    assert all("UPARENT" not in call["audience"] for call in multi.fake.calls_for("chat.postMessage"))
    for call in multi.fake.calls_for("response_url"):
        assert "not installed in this workspace" in str(call["params"])
    assert report.sent == 1 and report.cancelled == 1
    after = _rows(multi, OutboxMessage, OutboxMessage.idempotency_key == "test:after")
    assert after[0].status == "cancelled" and "not installed" in (after[0].last_error or "")


@pytest.mark.parametrize(
    ("revoked", "stops"), [({"bot": ["UBOT"]}, True), ({"oauth": ["UBOSS"]}, False)], ids=["bot", "user"]
)
def test_a_revoked_bot_token_stops_the_workspace(
    multi: AppStack, clock: SimulatedClock, revoked: dict[str, list[str]], stops: bool
) -> None:
    _installed(multi)
    _pending(multi, TEAM, "test:pending")

    result = multi.slack.event({"type": "tokens_revoked", "tokens": revoked, "event_ts": "1700000000.000200"})

    assert result.status == 200
    assert (_rows(multi, SlackInstallation) == []) is stops
    tenant = _tenant(multi, TEAM)
    assert tenant is not None and (tenant.uninstalled_at == clock.now()) is stops
    [row] = _rows(multi, OutboxMessage)
    assert (row.status == "cancelled") is stops


def _private_space(stack: AppStack) -> None:
    """A returning parent with a private check-in: a data key in the key store, sealed rows."""
    propose_enrolment(stack, "parent@example.com", date(2026, 6, 1), date(2026, 12, 7))
    flow.enrol(stack, "UPARENT")
    flow.consent(stack, "UPARENT")
    assert flow.check_in(stack, "UPARENT", "a quiet walk", "restorative").status == 200


def _data_keys(stack: AppStack, tenant: str) -> int:
    from sqlalchemy import create_engine

    engine = create_engine(stack.settings.vault_keystore_url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT count(*) FROM vault_data_keys WHERE tenant_id = :t"), {"t": tenant}
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_the_workspace_is_erased_after_the_grace_period_and_nothing_else_is(
    multi: AppStack, clock: SimulatedClock
) -> None:
    _installed(multi)
    _installed(multi, OTHER)
    _import_org(multi, TEAM, ORG_CSV)
    _import_org(multi, OTHER, OTHER_CSV)
    _private_space(multi)
    assert _data_keys(multi, TEAM) == 1
    other_before = _tenant_rows(multi, OTHER)
    _uninstall_event(multi)

    clock.advance(timedelta(days=GRACE_DAYS) - timedelta(hours=1))
    assert multi.ticks.run("workspaces-purge") == []
    assert _tenant(multi, TEAM) is not None and _data_keys(multi, TEAM) == 1
    assert vault_package.vault_for(multi.services).entries(TEAM, "UPARENT") != []

    clock.advance(timedelta(hours=1))
    assert multi.ticks.run("workspaces-purge") == [TEAM]

    assert _tenant(multi, TEAM) is None
    assert {table: count for table, count in _tenant_rows(multi, TEAM).items() if count} == {}
    assert _data_keys(multi, TEAM) == 0
    assert _tenant_rows(multi, OTHER) == other_before
    assert _tenant(multi, OTHER) is not None and len(_rows(multi, SlackInstallation)) == 1
    assert multi.ticks.run("workspaces-purge") == []


def test_a_reinstall_within_the_grace_period_keeps_the_data(multi: AppStack, clock: SimulatedClock) -> None:
    _installed(multi)
    _import_org(multi, TEAM, ORG_CSV)
    _private_space(multi)
    before = _tenant_rows(multi, TEAM)
    _uninstall_event(multi)
    clock.advance(timedelta(days=10))

    token = _installed(multi)

    tenant = _tenant(multi, TEAM)
    assert tenant is not None and tenant.uninstalled_at is None
    clock.advance(timedelta(days=GRACE_DAYS + 1))
    assert multi.ticks.run("workspaces-purge") == []
    after = _tenant_rows(multi, TEAM)
    assert after["employees"] == before["employees"] and after["vault_records"] == before["vault_records"]
    assert _data_keys(multi, TEAM) == 1
    assert vault_package.vault_for(multi.services).entries(TEAM, "UPARENT") != []
    assert _home_token(multi, TEAM, "UPARENT") == token


def test_an_org_wide_install_belongs_to_the_enterprise(multi: AppStack) -> None:
    multi.fake.add_workspace("T0GRID", name="Grid Workspace", enterprise_id="E0GRID", org_wide=True)

    _installed(multi, "T0GRID")

    [row] = _rows(multi, SlackInstallation)
    assert row.tenant_id == "E0GRID" and row.is_enterprise_install and row.enterprise_id == "E0GRID"
    tenant = _tenant(multi, "E0GRID")
    assert tenant is not None and tenant.enterprise_id == "E0GRID" and tenant.team_id is None
