"""HR figures for a tenant of 100,000 employees: what an HR admin's App Home shows.

(``--quick`` uses a tenant of 20,000 with 200 returning parents and 60 mentors: seeding the
full one through the services takes about a minute and a half.)

The company (100,000 people, a six-level org) is loaded in bulk; everything on top of it
goes through the product's own services, as HR and employees would do it: HR admins
appointed, 1,000 returning parents proposed with the enrolment import (1% of the company,
leaves ending from four months ago to four months ahead) of whom nine in ten accept (the
acceptance builds their capacity plan), 300 colleagues opting in as mentors, the matching
run, and the month's and next month's huddles planned.

The timed call is the App Home's own work for one HR admin: ``load_home`` with every
feature's section (the HR panel's head counts, the awaiting and upcoming returns, the plans'
budget in use by month and department with small groups suppressed, the mentoring and
huddle figures) and the Block Kit view built from it, which ``views.publish`` would send.
The median of several runs is reported, with the SQL statements one run makes.
"""

from __future__ import annotations

import base64
import random
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.company import email, load_company, user_id
from bench.database import analyse, bench_url, fresh_schema, skipped_without_postgres
from bench.report import Line, ScenarioResult, median
from hr_plugin.clock import SimulatedClock
from hr_plugin.testing.fake_slack import FakeSlack

TENANT = "T0BENCH"
BOT_TOKEN = "xoxb-bench-token"


@dataclass(frozen=True)
class Size:
    people: int
    returning: int  # 1% of the company
    mentors: int


FULL = Size(100_000, 1_000, 300)
QUICK = Size(20_000, 200, 60)  # the matching run alone takes a minute on the full tenant
HR_ADMIN = 7  # person 000007, in the People department
TODAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday


def scenario(quick: bool, runs: int) -> ScenarioResult:
    result = ScenarioResult("hr_figures")
    url = bench_url()
    if skipped_without_postgres(result, url, "HR App Home of a large tenant (PostgreSQL)"):
        return result
    size = QUICK if quick else FULL
    engine = fresh_schema(url)
    engine.dispose()
    with tempfile.TemporaryDirectory(prefix="bench-hr-") as folder, FakeSlack(bot_tokens=[BOT_TOKEN]) as fake:
        services = _services(url, Path(folder), fake.base_url)
        try:
            started = time.perf_counter()
            seeded = _seed(services, size)
            print(f"  seeded in {time.perf_counter() - started:.0f} s: {seeded}", file=sys.stderr)
            result.data["seeded"] = seeded
            _measure(result, services, runs, size)
        finally:
            services.engine.dispose()
    return result


def _services(url: str, folder: Path, slack_url: str) -> Any:
    from hr_plugin.services import make_services
    from hr_plugin.settings import Settings
    from hr_plugin.slack.app import build_app

    settings = Settings(
        database_url=url,
        slack_signing_secret="bench",
        slack_bot_token=BOT_TOKEN,
        slack_api_url=slack_url,
        vault_key=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        vault_keystore_url=f"sqlite:///{folder / 'keys.db'}",
    )
    services = make_services(settings, clock=SimulatedClock(TODAY))
    build_app(services)  # registers every feature's App Home sections and enrolment hooks
    return services


def _seed(services: Any, size: Size) -> dict[str, int]:
    from hr_plugin.admins import appoint_by_email
    from hr_plugin.enrolment import accept, import_enrolments
    from huddles.service import plan_cycles
    from mentoring import scoring
    from mentoring.service import MentorForm, huddle_facilitators, opt_in, run_matching

    factory, clock = services.factory, services.clock
    load_company(services.engine, factory, TENANT, size.people, TODAY)
    analyse(services.engine)
    appoint_by_email(factory, clock, tenant_id=TENANT, email=email(HR_ADMIN), actor="bench")
    rng = random.Random(8)
    parents = rng.sample(range(1_000, size.people), size.returning)
    rows = ["email,leave_start,expected_return"]
    for index in parents:
        back = TODAY.date() + timedelta(days=rng.randrange(-120, 120))
        rows.append(f"{email(index)},{back - timedelta(weeks=rng.randrange(16, 52))},{back}")
    import_enrolments(factory, clock, tenant_id=TENANT, text="\n".join(rows) + "\n", actor="bench")
    accepted = 0
    for index in parents[: size.returning * 9 // 10]:
        accept(
            factory,
            clock,
            services.enrolment_hooks,
            tenant_id=TENANT,
            user_id=user_id(index),
            contact_during_leave=rng.random() < 0.7,
            leave_out_family=False,
        )
        accepted += 1
    taken = set(parents)
    tags = list(scoring.TAGS)
    pool = rng.sample(range(1_000, size.people), size.mentors + size.returning)
    mentors = [index for index in pool if index not in taken]
    for index in mentors[: size.mentors]:
        form = MentorForm(
            confirmed_transition=True,
            capacity=rng.randint(1, 3),
            tags=frozenset(rng.sample(tags, 3)),
            share_tags=rng.random() < 0.5,
            returned_on=TODAY.date() - timedelta(days=rng.randrange(200, 2000)),
            facilitates_huddles=rng.random() < 0.4,
        )
        opt_in(factory, clock, tenant_id=TENANT, user_id=user_id(index), form=form)
    asked = run_matching(factory, clock)
    huddles = plan_cycles(factory, clock, huddle_facilitators)
    analyse(services.engine)
    return {
        "employees": size.people,
        "enrolments_proposed": size.returning,
        "enrolments_accepted": accepted,
        "mentors": size.mentors,
        "mentors_asked": asked,
        "huddles_planned": huddles,
    }


def _measure(result: ScenarioResult, services: Any, runs: int, size: Size) -> None:
    from hr_plugin.home import load_home
    from hr_plugin.slack.views.home import home_view

    statements: list[int] = [0]

    def count(*_: Any) -> None:
        statements[0] += 1

    def once() -> tuple[float, int, int]:
        statements[0] = 0
        began = time.perf_counter()
        state = load_home(
            services.factory,
            services.clock,
            tenant_id=TENANT,
            user_id=user_id(HR_ADMIN),
            workspace_admin=False,
            providers=services.home_providers,
        )
        view = home_view(state).to_dict()
        return time.perf_counter() - began, statements[0], len(view["blocks"])

    event.listen(services.engine, "before_cursor_execute", count)
    try:
        once()  # the first opens connections and fills SQLAlchemy's statement cache
        measured = [once() for _ in range(runs)]
    finally:
        event.remove(services.engine, "before_cursor_execute", count)
    seconds = median(m[0] for m in measured)
    seeded = result.data["seeded"]
    result.lines.append(
        Line(
            f"HR App Home, {size.people:,} employees (PostgreSQL)",
            f"{seconds * 1000:.0f} ms ({measured[0][1]:,} SQL statements, {measured[0][2]} blocks)",
            f"{seeded['enrolments_accepted']:,} active plans, {seeded['mentors_asked']:,} mentor matches "
            f"asked, {seeded['huddles_planned']:,} huddles; no target in the issue: it runs after the ack",
        )
    )
    result.data.update(
        {
            "seconds": [m[0] for m in measured],
            "sql_statements": measured[0][1],
            "blocks": measured[0][2],
            "today": TODAY.date().isoformat(),
        }
    )
