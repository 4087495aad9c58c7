"""The App Home of one person of each kind: SQL statements and CPU time of ``load_home``.

    python -m bench.home_people                      # a SQLite file, 500 loads a person
    python -m bench.home_people --database-url postgresql://postgres@127.0.0.1:5432/NAME --runs 500

Issue 20: every modal submission and every ``app_home_opened`` republishes the person's whole
Home after the answer, so its cost is paid on most requests. This measures ``load_home`` with
the providers the running app registers (``build_app``), for a returning parent (an open
enrolment with its plan, a mentor who said yes, next week's huddle), their manager, that
mentor (who facilitates the huddle), an HR admin and a colleague with no role, in a small
company (400 people, 40 other returning parents with plans, matches and huddles around
them). For each: the statements one load makes (``before_cursor_execute``), and the CPU time
of this process per load (``time.process_time`` over ``--runs`` loads; on SQLite that
includes the database's own work, on PostgreSQL it does not). Not part of ``python -m bench``:
it is a measuring tool for the Home's queries, with no target.

``--database-url`` with a PostgreSQL URL drops and re-creates that database's public schema.
"""

from __future__ import annotations

import argparse
import base64
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

from bench.company import email, load_company, user_id
from bench.database import analyse, fresh_schema
from hr_plugin.clock import SimulatedClock
from hr_plugin.home import STATEMENT_CACHED
from hr_plugin.testing.fake_slack import FakeSlack

TENANT = "T0HOME"
BOT_TOKEN = "xoxb-bench-token"
TODAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday
PEOPLE = 400
# Person i reports to (i - 1) // 8 (bench.company), so 12 manages 97..104.
PARENT, MANAGER, MENTOR, HR_ADMIN, COLLEAGUE = 100, 12, 250, 7, 300
OTHER_PARENTS = range(120, 160)
OTHER_MENTORS = range(320, 340)

KINDS = {
    "employee (returning parent)": PARENT,
    "manager of that parent": MANAGER,
    "mentor (facilitates their huddle)": MENTOR,
    "HR admin": HR_ADMIN,
    "colleague with no role": COLLEAGUE,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.home_people", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    parser.add_argument("--runs", type=int, default=500, help="loads a person for the CPU time (default 500)")
    parser.add_argument(
        "--profile", metavar="KIND", help="cProfile the loads of the kind whose name starts so"
    )
    args = parser.parse_args(argv)
    with (
        _database(args.database_url) as url,
        FakeSlack(bot_tokens=[BOT_TOKEN]) as fake,
        tempfile.TemporaryDirectory(prefix="bench-home-keys-") as keys,
    ):
        services = _services(url, fake.base_url, Path(keys))
        try:
            _seed(services)
            analyse(services.engine)
            print(f"{services.engine.dialect.name}, {args.runs} loads a person")
            for kind, index in KINDS.items():
                if args.profile and kind.startswith(args.profile):
                    _profile(services, index, args.runs)
                    continue
                lengths, seconds, sections = _measure(services, index, args.runs)
                long = sum(length > STATEMENT_CACHED for length in lengths)
                print(
                    f"  {kind:36} {len(lengths):3d} statements ({long} longer than {STATEMENT_CACHED:,} "
                    f"characters; the longest {max(lengths):,})  {seconds * 1000:6.2f} ms CPU a load"
                    f"  (sections: {', '.join(sections)})"
                )
        finally:
            services.engine.dispose()
    return 0


@contextmanager
def _database(url: str | None) -> Iterator[str]:
    if url:
        if url.startswith("postgresql"):
            fresh_schema(url).dispose()
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="bench-home-") as folder:
        yield f"sqlite:///{Path(folder) / 'home.db'}"


def _services(url: str, slack_url: str, keys: Path) -> Any:
    from hr_plugin.services import make_services
    from hr_plugin.settings import Settings
    from hr_plugin.slack.app import build_app

    settings = Settings(
        database_url=url,
        slack_signing_secret="bench",
        slack_bot_token=BOT_TOKEN,
        slack_api_url=slack_url,
        vault_key=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        vault_keystore_url=f"sqlite:///{keys / 'keys.db'}",
    )
    services = make_services(settings, clock=SimulatedClock(TODAY))
    build_app(services)  # registers every feature's App Home sections and enrolment hooks
    return services


def _seed(services: Any) -> None:
    """Through the services, as people would do it; the huddles as the planner leaves them."""
    from hr_plugin.admins import appoint_by_email
    from hr_plugin.enrolment import accept, import_enrolments
    from mentoring.service import MentorForm, hr_assign, opt_in, set_preferences

    factory, clock = services.factory, services.clock
    load_company(services.engine, factory, TENANT, PEOPLE, TODAY)
    appoint_by_email(factory, clock, tenant_id=TENANT, email=email(HR_ADMIN), actor="bench")
    parents = [PARENT, *OTHER_PARENTS]
    rows = ["email,leave_start,expected_return"]
    for offset, index in enumerate(parents):
        back = TODAY.date() + timedelta(days=offset * 3 - 20)
        rows.append(f"{email(index)},{back - timedelta(weeks=30)},{back}")
    import_enrolments(factory, clock, tenant_id=TENANT, text="\n".join(rows) + "\n", actor="bench")
    for index in parents:
        accept(
            factory,
            clock,
            services.enrolment_hooks,
            tenant_id=TENANT,
            user_id=user_id(index),
            contact_during_leave=True,
            leave_out_family=False,
        )
    set_preferences(
        factory,
        clock,
        tenant_id=TENANT,
        user_id=user_id(PARENT),
        preferences=[],
        excluded_user_ids=[],
        wants_mentor=True,
        manager_may_know=True,
    )
    mentors = [MENTOR, *OTHER_MENTORS]
    for index in mentors:
        form = MentorForm(
            confirmed_transition=True,
            capacity=3,
            tags=frozenset(),
            share_tags=False,
            returned_on=date(2024, 1, 8),
            facilitates_huddles=True,
        )
        opt_in(factory, clock, tenant_id=TENANT, user_id=user_id(index), form=form)
    pairs = [(PARENT, MENTOR), *zip(OTHER_PARENTS, [m for m in OTHER_MENTORS for _ in range(2)], strict=True)]
    for mentee, mentor in pairs:
        hr_assign(
            factory,
            clock,
            tenant_id=TENANT,
            actor_user_id=user_id(HR_ADMIN),
            mentee_user_id=user_id(mentee),
            mentor_user_id=user_id(mentor),
        )
    _accept_matches(services)
    _huddles(services, parents)


def _accept_matches(services: Any) -> None:
    """Every mentor asked says yes."""
    from hr_plugin.db import unit_of_work
    from mentoring.models import Match
    from mentoring.service import respond

    with unit_of_work(services.factory) as session:
        asked = list(session.execute(select(Match.id, Match.mentor_id).where(Match.tenant_id == TENANT)))
    for match_id, mentor_id in asked:
        respond(
            services.factory,
            services.clock,
            tenant_id=TENANT,
            user_id=user_id(mentor_id - 1),
            match_id=match_id,
            accept=True,
        )


def _huddles(services: Any, parents: list[int]) -> None:
    """Next week's huddles of four parents each, the first facilitated by ``MENTOR``."""
    from hr_plugin.db import unit_of_work
    from huddles.models import Huddle, HuddleCycle, HuddleMember

    with unit_of_work(services.factory) as session:
        cycle = HuddleCycle(tenant_id=TENANT, month=f"{TODAY:%Y-%m}", planned_at=TODAY)
        session.add(cycle)
        session.flush()
        for group in range(len(parents) // 4):
            members = parents[group * 4 : group * 4 + 4]
            facilitator = MENTOR + 1 if group == 0 else None  # employee ids are index + 1
            huddle = Huddle(
                tenant_id=TENANT,
                cycle_id=cycle.id,
                month=cycle.month,
                series=0,
                start_utc=TODAY + timedelta(days=7, minutes=30 * group),
                minutes=30,
                facilitator_id=facilitator,
            )
            session.add(huddle)
            session.flush()
            huddle.series = huddle.id
            for index in members:
                session.add(HuddleMember(tenant_id=TENANT, huddle_id=huddle.id, employee_id=index + 1))
            if facilitator is not None:
                session.add(
                    HuddleMember(
                        tenant_id=TENANT, huddle_id=huddle.id, employee_id=facilitator, facilitator=True
                    )
                )
        session.commit()


def _load(services: Any, index: int) -> Any:
    from hr_plugin.home import load_home

    return load_home(
        services.factory,
        services.clock,
        tenant_id=TENANT,
        user_id=user_id(index),
        workspace_admin=False,
        providers=services.home_providers,
    )


def _measure(services: Any, index: int, runs: int) -> tuple[list[int], float, list[str]]:
    lengths: list[int] = []

    def count(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        lengths.append(len(statement))

    _load(services, index)  # the first fills SQLAlchemy's statement cache and the tenant's settings
    event.listen(services.engine, "before_cursor_execute", count)
    try:
        state = _load(services, index)
    finally:
        event.remove(services.engine, "before_cursor_execute", count)
    began = time.process_time()
    for _ in range(runs):
        _load(services, index)
    return lengths, (time.process_time() - began) / runs, sorted(state.sections)


def _profile(services: Any, index: int, runs: int) -> None:
    import cProfile
    import pstats

    _load(services, index)
    profiler = cProfile.Profile(time.thread_time)  # CPU time: the database's replies are not ours
    profiler.enable()
    for _ in range(runs):
        _load(services, index)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    raise SystemExit(main())
