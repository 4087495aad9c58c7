"""An ordinary person's App Home makes a few SQL statements, the same however full the tenant is.

Issue 20: the Home is republished after every modal submission and on every
``app_home_opened``, so its reads are paid on most requests. It asked each feature in turn, and
each feature looked the person up again and read what most people do not have (a mentor
profile, a plan, a huddle): 15 statements for a returning parent, 9 for a colleague with no part
in the program, and a statement per mentee on a mentor's Home. Now its first statement reads the
person, their roles, their enrolment and each feature's probe columns (``HomeProvider.probe``),
and a feature reads further only what the person has. The statements are counted on the app's
own engine around ``load_home`` with the providers the running app registered, as
``tests/reliability/test_hr_home_statements.py`` does for HR's Home.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, select

from hr_plugin.db import unit_of_work
from hr_plugin.directory import find_by_slack_id, import_directory, parse_directory_csv
from hr_plugin.enrolment import accept
from hr_plugin.home_model import HomeState
from hr_plugin.testing.stack import AppStack
from huddles.models import Huddle, HuddleCycle, HuddleMember
from mentoring.models import Match
from mentoring.service import MentorForm, hr_assign, opt_in, respond
from tests.e2e.conftest import TEAM, propose_enrolment
from tests.statements import counted_home

OTHERS = 50  # more returning parents, each with a plan, a mentor and a huddle
MORE_MENTORS = 17  # theirs, three mentees each at most
PARENT, MENTOR, MANAGER, COLLEAGUE = "UPARENT", "UPEER", "ULEAD", "UCOLLEAGUE"
MENTEES = [f"UMENTEE{index:03d}" for index in range(OTHERS)]
MENTORS = [f"UMENTOR{index:03d}" for index in range(MORE_MENTORS)]

# What each Home costs now: the first statement, then one read per thing the person has.
PARENTS_STATEMENTS = 4  # + the plan, the mentor match with the mentor's name, the huddle's group
MENTORS_STATEMENTS = 2  # + their mentees with their names, however many
MANAGERS_STATEMENTS = 2  # + their reports' plans (one of them is on a plan)
COLLEAGUES_STATEMENTS = 1


def _people(stack: AppStack) -> None:
    """The other parents and mentors, and a colleague with no role, through the directory import."""
    lines = ["email,name,manager_email,department,country,timezone,slack_user_id"]
    for user_id in [*MENTEES, *MENTORS, COLLEAGUE]:
        lines.append(f"{_email(user_id)},{user_id.title()},boss@example.com,Sales,GB,Europe/London,{user_id}")
    import_directory(
        stack.factory,
        tenant_id=TEAM,
        rows=parse_directory_csv("\n".join(lines) + "\n"),
        slack=None,
        clock=stack.services.clock,
        full=False,
        actor="test",
    )


def _email(user_id: str) -> str:
    return f"{user_id.lower()}@example.com"


def _mentor(stack: AppStack, user_id: str) -> None:
    form = MentorForm(
        confirmed_transition=True,
        capacity=3,
        tags=frozenset(),
        share_tags=False,
        returned_on=date(2024, 1, 8),
        facilitates_huddles=False,
    )
    opt_in(stack.factory, stack.services.clock, tenant_id=TEAM, user_id=user_id, form=form)


def _in_the_program(stack: AppStack, hr: str, mentee: str, mentor: str, email: str | None = None) -> None:
    """An accepted enrolment (which builds the plan) and a match the mentor said yes to."""
    clock = stack.services.clock
    if email is not None:
        propose_enrolment(stack, email, date(2026, 6, 1), date(2026, 12, 7))
    accept(
        stack.factory,
        clock,
        stack.services.enrolment_hooks,
        tenant_id=TEAM,
        user_id=mentee,
        contact_during_leave=True,
        leave_out_family=False,
    )
    hr_assign(
        stack.factory, clock, tenant_id=TEAM, actor_user_id=hr, mentee_user_id=mentee, mentor_user_id=mentor
    )
    with unit_of_work(stack.factory) as session:
        person = find_by_slack_id(session, TEAM, mentee)
        assert person is not None
        match_id = session.scalar(
            select(Match.id).where(Match.tenant_id == TEAM, Match.mentee_id == person.id)
        )
    assert match_id is not None
    respond(stack.factory, clock, tenant_id=TEAM, user_id=mentor, match_id=match_id, accept=True)


def _huddle(stack: AppStack, members: list[str], *, days: int) -> None:
    """A huddle ``days`` ahead of these people, as the planner leaves it."""
    now = stack.services.clock.now()
    with unit_of_work(stack.factory) as session:
        month = f"{now:%Y-%m}"
        cycle = session.scalar(
            select(HuddleCycle).where(HuddleCycle.tenant_id == TEAM, HuddleCycle.month == month)
        )
        if cycle is None:
            cycle = HuddleCycle(tenant_id=TEAM, month=month, planned_at=now)
            session.add(cycle)
            session.flush()
        huddle = Huddle(
            tenant_id=TEAM,
            cycle_id=cycle.id,
            month=month,
            series=0,
            start_utc=now + timedelta(days=days),
            minutes=30,
            facilitator_id=None,
        )
        session.add(huddle)
        session.flush()
        huddle.series = huddle.id
        for user_id in members:
            person = find_by_slack_id(session, TEAM, user_id)
            assert person is not None
            session.add(HuddleMember(tenant_id=TEAM, huddle_id=huddle.id, employee_id=person.id))
        session.commit()


def _home(stack: AppStack, user_id: str) -> tuple[int, HomeState]:
    """How many statements one load of this person's Home makes, and what it shows."""
    return counted_home(stack, TEAM, user_id)


def _counts(stack: AppStack) -> dict[str, int]:
    for user_id in (PARENT, MENTOR, MANAGER, COLLEAGUE):
        _home(stack, user_id)  # the first load builds the Home's statement and warms the caches
    return {user_id: _home(stack, user_id)[0] for user_id in (PARENT, MENTOR, MANAGER, COLLEAGUE)}


def test_an_ordinary_persons_home_makes_few_statements_whatever_the_tenant_holds(
    stack: AppStack, org: dict[str, str], hr: str
) -> None:
    _people(stack)
    _mentor(stack, MENTOR)
    _in_the_program(stack, hr, PARENT, MENTOR)
    _huddle(stack, [PARENT, *MENTEES[:3]], days=7)

    few = _counts(stack)
    # The Home did read what each person has.
    _, parent = _home(stack, PARENT)
    shown = str(parent.sections)
    assert parent.enrolment is not None and parent.enrolment.status == "active"
    assert "Your mentor*\\nPim Peer" in shown, shown
    assert "Your next peer huddle" in shown and "Umentee000" in shown, shown
    assert "Week of" in shown, shown  # the capacity plan
    _, mentor = _home(stack, MENTOR)
    assert "Pat Parent" in str(mentor.sections.get("mentor")), mentor.sections
    _, manager = _home(stack, MANAGER)
    assert manager.manager is not None and manager.manager.direct_reports == 2
    assert "Pat Parent" in str(manager.sections.get("manager")), manager.sections
    _, colleague = _home(stack, COLLEAGUE)
    assert colleague.known and colleague.roles == frozenset() and set(colleague.sections) == {"everyone"}
    assert few == {
        PARENT: PARENTS_STATEMENTS,
        MENTOR: MENTORS_STATEMENTS,
        MANAGER: MANAGERS_STATEMENTS,
        COLLEAGUE: COLLEAGUES_STATEMENTS,
    }, few

    # 50 more parents in the program: their enrolments and plans, their mentors (the first two
    # of them with this mentor, who then has three mentees), their matches and their huddles.
    for mentor in MENTORS:
        _mentor(stack, mentor)
    for index, mentee in enumerate(MENTEES):
        mentor = MENTOR if index < 2 else MENTORS[index % MORE_MENTORS]
        _in_the_program(stack, hr, mentee, mentor, email=_email(mentee))
    for group in range(OTHERS // 4):
        _huddle(stack, MENTEES[group * 4 : group * 4 + 4], days=3 + group)

    many = _counts(stack)
    _, mentor = _home(stack, MENTOR)
    assert str(mentor.sections.get("mentor")).count("End match with") == 3, mentor.sections
    assert many == few, f"with 1 parent in the program: {few}; with {OTHERS} more: {many}"


def test_the_first_statement_fits_psycopgs_parse_cache_and_reads_the_roles_as_defined(
    stack: AppStack, org: dict[str, str], hr: str
) -> None:
    """psycopg keeps the parse of a statement's placeholders only up to ``STATEMENT_CACHED``
    characters and parses a longer one again at every execution (at 5,540 characters, a fifth
    to a quarter of a Home's CPU). The text checked is PostgreSQL's, as psycopg is sent it, on
    either database of the suite. And the roles the Home reads off its row (an open enrolment,
    a team) are those ``roles_of`` reads with ``role_columns``, the one definition."""
    import psycopg._queries
    from sqlalchemy.dialects.postgresql import psycopg as pg

    from hr_plugin.home import STATEMENT_CACHED, _first_params, _first_statement
    from hr_plugin.roles import roles_of

    assert psycopg._queries.MAX_CACHED_STATEMENT_LENGTH == STATEMENT_CACHED
    providers = tuple(stack.services.home_providers)
    statement, _ = _first_statement(providers)
    params = _first_params(providers, TEAM, PARENT, stack.services.clock.now())
    text = str(
        statement.params(params).compile(dialect=pg.dialect(), compile_kwargs={"render_postcompile": True})
    )
    assert "%(tenant)s" in text, "the text psycopg is sent, with its placeholders"
    assert len(text) <= STATEMENT_CACHED, len(text)

    _people(stack)
    _mentor(stack, MENTOR)
    _in_the_program(stack, hr, PARENT, MENTOR)
    for user_id in (PARENT, MENTOR, MANAGER, COLLEAGUE, hr):
        _, state = _home(stack, user_id)
        with unit_of_work(stack.factory) as session:
            person = find_by_slack_id(session, TEAM, user_id)
            assert person is not None
            defined = {str(role) for role in roles_of(session, TEAM, person.id)}
        assert state.roles == defined, user_id
    assert {"employee"} <= _home(stack, PARENT)[1].roles and "manager" in _home(stack, MANAGER)[1].roles


def test_the_first_statement_has_no_parameter_rendered_at_each_execution(stack: AppStack) -> None:
    """A list bound with ``in_`` is an expanding parameter: SQLAlchemy writes its values into
    the statement's text again at every execution, on a statement built once precisely so
    that it is not built again (``_first_statement``)."""
    from sqlalchemy.dialects.postgresql import psycopg as pg

    from hr_plugin.home import _first_statement

    statement, _ = _first_statement(tuple(stack.services.home_providers))
    compiled = statement.compile(dialect=pg.dialect())
    assert not compiled.post_compile_params, sorted(p.key for p in compiled.post_compile_params)
    assert not compiled.literal_execute_params, sorted(p.key for p in compiled.literal_execute_params)


def test_a_home_only_reads_each_statement_a_transaction_of_its_own(
    stack: AppStack, org: dict[str, str], hr: str
) -> None:
    """The Home reads on a connection in autocommit (``hr_plugin.db.autocommit``): no BEGIN and
    ROLLBACK around its reads. That is safe only while it never writes, which this checks for
    every kind of person: a write there would be saved at once, with no transaction to undo it."""
    _people(stack)
    _mentor(stack, MENTOR)
    _in_the_program(stack, hr, PARENT, MENTOR)
    _huddle(stack, [PARENT, *MENTEES[:3]], days=7)
    seen: list[tuple[str, object]] = []

    def note(conn: Any, cursor: object, statement: str, *args: object) -> None:
        seen.append((statement, conn.get_execution_options().get("isolation_level")))

    event.listen(stack.services.engine, "before_cursor_execute", note)
    try:
        for user_id in (PARENT, MENTOR, MANAGER, COLLEAGUE, hr):
            _home(stack, user_id)
    finally:
        event.remove(stack.services.engine, "before_cursor_execute", note)
    assert len(seen) > 5 + PARENTS_STATEMENTS, seen  # HR's Home counts the tenant too
    assert [s for s, _ in seen if not s.lstrip().upper().startswith("SELECT")] == []
    assert {level for _, level in seen} == {"AUTOCOMMIT"}


def test_an_opened_home_claims_its_event_and_reads_on_one_connection(
    stack: AppStack, org: dict[str, str]
) -> None:
    """``app_home_opened``: the event's claim and the Home's reads take one connection from the
    pool, not one each; a retry of the event is claimed already and reads nothing."""
    from hr_plugin.home import load_home_for_event
    from hr_plugin.models import ProcessedEvent

    _people(stack)
    checkouts: list[object] = []
    pool = stack.services.engine.pool

    def checkout(*args: object) -> None:
        checkouts.append(args)

    def opened() -> HomeState | None:
        return load_home_for_event(
            stack.factory,
            stack.services.clock,
            event_id="Ev0HOMEONCE",
            tenant_id=TEAM,
            user_id=COLLEAGUE,
            providers=stack.services.home_providers,
        )

    event.listen(pool, "checkout", checkout)
    try:
        first = opened()
        once = len(checkouts)
        again = opened()
    finally:
        event.remove(pool, "checkout", checkout)
    assert first is not None and first.known and first.roles == frozenset()
    assert once == 1, f"{once} connections for one opened Home"
    assert again is None
    with unit_of_work(stack.factory) as session:
        claims = session.scalars(select(ProcessedEvent.event_id).where(ProcessedEvent.tenant_id == TEAM))
        assert list(claims) == ["Ev0HOMEONCE"]
