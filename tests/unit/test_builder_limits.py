"""Every Block Kit builder, rendered with the largest realistic inputs, within Slack's limits.

Builders are found by what they return, not by where they live: every module of ``hr_plugin``,
``mentoring`` and ``huddles`` is imported, and every public function (or public method of a
class) whose return type is a Block Kit product is a builder: a ``View``, a ``Block`` or a list
of them, a ``Message``, or hand-written JSON named with ``hr_plugin.slack.blockkit``'s types.
Private helpers (a leading underscore) are parts of a public builder and are rendered through it.
Each builder needs a case here (a new builder without one fails the test, as does a case whose
builder is gone), and each case renders its builder with the most a real workspace can give it:
the longest names the directory accepts, every tag, the longest notes the forms allow, 12 weeks
of history, an HR Home for 100,000 employees, a huddle group of 7 with a facilitator, and every
language the content files hold. ``hr_plugin.testing.slack_limits`` (the same table the fake
Slack enforces) must find nothing in any of them.

A second pass renders every case again with hostile text in every input that is not the app's
own words (names, departments, HR's policy names, help links and video link, notes people type):
Slack's markup for a channel ping, a mention, a channel link and a disguised link, an ``&`` and a
right-to-left override. None of that markup may reach a ``mrkdwn`` text (or a message's ``text``,
which Slack renders the same way), and nothing shown as ``plain_text`` may carry the entities
that escaping writes (they would be shown as ``&lt;``).
"""

from __future__ import annotations

import builtins
import collections.abc
import importlib
import inspect
import json
import pkgutil
import secrets
import sys
import types
import typing
import warnings
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from unittest import mock

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from hr_plugin import home as home_service
from hr_plugin.directory import rows
from hr_plugin.enrolment import messages as enrolment
from hr_plugin.enrolment import views as enrolment_views
from hr_plugin.help_links import MOST_LINKS, HelpLink
from hr_plugin.home_model import (
    HomeState,
    HrPanel,
    ManagerPanel,
    OwnEnrolment,
    PendingEnrolment,
    WorkingHours,
)
from hr_plugin.reintegration import drafts as plan_drafts
from hr_plugin.reintegration import messages as plan_messages
from hr_plugin.reintegration import views as plan_views
from hr_plugin.reintegration import wording as plan_wording
from hr_plugin.reintegration.plan_view import PlanView, WeekLine
from hr_plugin.reintegration.policy import PolicyInput
from hr_plugin.reports import BudgetInUse, Figure
from hr_plugin.slack import blockkit, triggers
from hr_plugin.slack.listeners.commands import HELP_SUMMARY
from hr_plugin.slack.views import help as help_views
from hr_plugin.slack.views import help_links as help_link_views
from hr_plugin.slack.views import home as home_views
from hr_plugin.slack.views import modals as admin_views
from hr_plugin.slack.views import saving
from hr_plugin.slack.views.modals import DAYS_BLOCK, END_BLOCK, START_BLOCK
from hr_plugin.testing import slack_limits
from hr_plugin.testing.hostile_text import (
    HOSTILE,
    HOSTILE_MARKUP,
    MARKUP,
    hostile,
    hostile_markup,
    misplaced_entities,
    shown_texts,
)
from hr_plugin.vault import content as vault_content
from hr_plugin.vault import messages as vault_reminders
from hr_plugin.vault import signals as vault_signals
from hr_plugin.vault import track
from hr_plugin.vault import values as vault_values
from hr_plugin.vault.service import Resource
from hr_plugin.vault.views import screens as vault_views
from hr_plugin.vault.views import track as track_views
from huddles import messages as huddle_messages
from huddles import prompts as huddle_prompts
from huddles import views as huddle_views
from mentoring import messages as mentoring_messages
from mentoring import views as mentoring_views
from mentoring.scoring import TAG_REASONS, TAGS

with warnings.catch_warnings():  # slack_sdk warns that Message is unmaintained; it is only recognised here
    warnings.simplefilter("ignore", UserWarning)
    from slack_sdk.models.messages.message import Message

PACKAGES = ("hr_plugin", "mentoring", "huddles")
# Modules that cannot be imported outside the tool that runs them, with the reason.
NOT_IMPORTABLE = {"hr_plugin.migrations.env": "Alembic's environment script runs only inside Alembic"}

Surface = Literal["modal", "home", "message"]
BLOCK_KIT_NAMES = frozenset(
    {"View", "Block", "Message", *(named.__name__ for named in blockkit.BLOCK_KIT_JSON)}
)

# -- the largest realistic inputs ------------------------------------------------------------------


def _long(words: str, length: int) -> str:
    """``words`` repeated to exactly ``length`` characters: readable, and as long as allowed."""
    return (f"{words} " * (length // (len(words) + 1) + 1))[:length].rstrip().ljust(length, "x")


def _typed(length: int) -> str:
    """A note as long as a form allows, typed as one unbroken word."""
    return "x" * length


NAME = _long("Maximiliane Wolkenstein-Hohenberg", rows._MAX_NAME)  # the directory's longest
DEPARTMENT = _long("Research and Development Infrastructure", rows._MAX_DEPARTMENT)
POLICY_NAME = _long("Parental return policy", 100)  # hr_plugin.reintegration.policy refuses longer
# As long as huddles' column holds (500), with the characters a calendar link must escape.
VIDEO_LINK = ("https://meet.example.com/j/8501234567?pwd=" + "a%2Fb&c=d+e" * 50)[:500]
RESOURCE_URL = "https://help.example.org/" + "x" * 475  # the import allows 500
UNKNOWN_COMMAND = "`" * 3000  # what someone typed after /rtw
TENANT_PEOPLE = 100_000
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TODAY = date(2026, 12, 3)
LONGEST_ZONE = max(zoneinfo.available_timezones(), key=len)
# A group of 7 and its facilitator, each in a different zone, the longest names first.
GROUP_ZONES = tuple(sorted(zoneinfo.available_timezones(), key=lambda zone: (-len(zone), zone))[:8])
MOST_IDS = 2**31 - 1
DRAFT_ID = secrets.token_urlsafe(24)  # hr_plugin.reintegration.drafts' ids
VAULT_TOKEN = f"milestone-6_months.{'a' * 24}.{'b' * 32}"  # Vault.token's shape, longest purpose
UNPLACED_REASONS = (
    "Your working hours this month fall only on days off or public holidays, "
    "so there is no time a huddle could meet.",
    "The groups that share your working hours and stage were full, or could not find a "
    "common time with you, this month.",
)


def _max_length(view: View, block_id: str) -> int:
    """The ``max_length`` a modal's own text input allows: the longest note a person can type."""
    for block in view.to_dict()["blocks"]:
        if block.get("block_id") == block_id:
            return int(block["element"]["max_length"])
    raise AssertionError(f"no input {block_id!r}")


def _resources() -> list[Resource]:
    """HR's help for one country: several per kind, each as long as the import allows."""
    return [
        Resource(
            kind=kind,
            name=_long(f"{kind.title()} line", 200),
            description=_long("Free and confidential, day and night, in several languages", 499),
            url=RESOURCE_URL,
        )
        for kind in ("crisis", "perinatal", "safety", "counselling")
        for _ in range(3)
    ]


def _weeks(count: int) -> tuple[WeekLine, ...]:
    monday = date(2026, 11, 30)
    return tuple(WeekLine(monday + timedelta(weeks=n), 50 + n, 5) for n in range(count))


def _plan(plan_id: int = MOST_IDS, *, acknowledged: bool = False) -> PlanView:
    """The longest plan a policy allows: 12 reduced weeks, 6 ramp weeks, 12 extension weeks."""
    weeks = _weeks(12 + 6 + 12)
    return PlanView(
        plan_id=plan_id,
        employee_name=NAME,
        return_date=weeks[0].week_start,
        full_capacity_from=weeks[-1].week_start + timedelta(weeks=1),
        weeks=weeks,
        extension_weeks_taken=0,
        extension_allowed=12,
        acknowledged=acknowledged,
        policy_name=POLICY_NAME,
    )


def _policies(count: int) -> list[PolicyInput]:
    return [
        PolicyInput(
            name=POLICY_NAME,
            scope_kind="department",
            scope_value=DEPARTMENT,
            reduced_weeks=12,
            reduced_percent=100,
            ramp_percents=(10, 20, 30, 40, 50, 60),
            extension_weeks=12,
        )
        for _ in range(count)
    ]


def _budget() -> BudgetInUse:
    months = tuple(Figure(f"2026-{n:02d}", 12345.6, 5000) for n in range(1, 13))
    departments = tuple(Figure(DEPARTMENT, 12345.6, 5000) for _ in range(40))
    return BudgetInUse(months, departments, TENANT_PEOPLE * 30.5, TENANT_PEOPLE)


def _entries() -> list[dict[str, Any]]:
    """12 weeks of check-ins, every answer as long as the check-in modal allows: three
    experiments with a day and a time, and three follow-ups, each as long as allowed."""
    modal = vault_views.checkin_modal(VAULT_TOKEN, include_partner=True, last_experiments=[], resources=[])
    longest = _max_length(modal, "restorative")
    own = _max_length(modal, vault_views.OWN_EXPERIMENT_BLOCK)
    return [
        {
            "week": vault_signals.iso_week(TODAY - timedelta(weeks=11 - n)),
            "saved_at": START.isoformat(),
            "restorative": _long("a slow walk with the pram before work", longest),
            "demand": _long("the Monday planning meeting that overran again", longest),
            "vulnerability": _long("told my manager I need to leave at four", longest),
            "rating": "demanding",
            "experiments": [
                {"text": _long(f"leave my laptop at work, number {k}", own), "day": 6, "time": "23:30"}
                for k in range(vault_values.MAX_EXPERIMENTS)
            ],
            "follow_ups": [
                {
                    "experiment": _long("leave my laptop at work", own),
                    "outcome": "partly",
                    "note": _long("it helped on the days I managed it", longest),
                }
                for _ in range(vault_values.MAX_EXPERIMENTS)
            ],
            "closeness_outside": "yes",
            "partner_rating": "none_good",
            "partner_words": _long("needed a whole evening of quiet before anything", longest),
            "from_reminder": False,
        }
        for n in range(12)
    ]


def _trend() -> list[vault_signals.TrendPoint]:
    weekly = [vault_signals.WeekEntry.from_record(entry) for entry in _entries()]
    return vault_signals.trend(weekly, 12, today=TODAY)


def _meeting() -> huddle_messages.Meeting:
    return huddle_messages.Meeting(MOST_IDS, START, 30, VIDEO_LINK, GROUP_ZONES)


def _home_for_everything() -> HomeState:
    """One person with every role at once, each part at its fullest: the longest Home there is.

    It holds more than any one person can see (both the mentor's and the "become a mentor"
    parts, both a member's and a facilitator's huddle), so it is longer than any real Home.
    """
    upcoming = tuple(
        PendingEnrolment(MOST_IDS - n, NAME, "proposed" if n % 2 else "active", TODAY + timedelta(days=n))
        for n in range(home_service.UPCOMING_SHOWN)
    )

    def part(builder_results: Iterable[object]) -> list[Any]:
        return [block for result in builder_results for block in _blocks_of(result)]

    sections = {
        "employee": part(
            [
                plan_views.employee_plan_blocks(_plan(), TODAY),
                _mentee_blocks()[0],
                _member_blocks()[0],
                vault_views.home_blocks(),
            ]
        ),
        "manager": part([plan_views.manager_blocks([_plan(n) for n in range(20)], TODAY), _manager_pairs()]),
        "hr_admin": part([_plan_hr_blocks(), _mentoring_hr_blocks(), _huddle_hr_blocks()]),
        "mentor": part([_mentor_blocks()[0], _facilitator_blocks()]),
        "everyone": part([mentoring_views.become_blocks()]),
    }
    return HomeState(
        known=True,
        name=NAME,
        roles=frozenset({"employee", "manager", "hr_admin"}),
        working_hours=WorkingHours(LONGEST_ZONE, (0, 1, 2, 3, 4, 5, 6), "00:00", "23:59"),
        enrolment=OwnEnrolment("active", TODAY, TODAY + timedelta(days=365), None),
        manager=ManagerPanel(direct_reports=TENANT_PEOPLE - 1),
        hr=HrPanel(
            people_active=TENANT_PEOPLE,
            people_without_slack=TENANT_PEOPLE,
            people_left=TENANT_PEOPLE,
            admins=tuple(NAME for _ in range(60)),  # an HR team sized for 100,000 people
            last_import_at=START,
            awaiting_confirmation=upcoming,
            upcoming_returns=upcoming,
        ),
        can_appoint_admins=True,
        sections=sections,
    )


# -- the cases: each builder with its worst realistic inputs --------------------------------------


def _mentee_blocks() -> list[list[Block]]:
    reasons = sorted(TAG_REASONS.values(), key=len)[-3:]  # scoring gives at most three
    return [
        mentoring_views.mentee_blocks(mentor_name=NAME, status=status, reasons=reasons, match_id=MOST_IDS)
        for status in ("active", "asked", None)
    ]


def _mentor_blocks() -> list[list[Block]]:
    mentees = [(MOST_IDS - n, NAME, status) for n, status in enumerate(("active", "active", "asked"))]
    return [
        mentoring_views.mentor_blocks(paused=paused, capacity=3, mentees=mentees) for paused in (False, True)
    ]


def _manager_pairs() -> list[Block]:
    return mentoring_views.manager_blocks([(NAME, NAME) for _ in range(40)])


def _mentoring_hr_blocks() -> list[Block]:
    pairs = [(NAME, NAME, "asked" if n % 2 else "active") for n in range(40)]
    return mentoring_views.hr_blocks(TENANT_PEOPLE, TENANT_PEOPLE, TENANT_PEOPLE, pairs)


def _member_blocks() -> list[list[Block]]:
    names = [NAME] * 7  # the six others and the facilitator
    rendered = [
        huddle_views.member_blocks(
            huddle_id=MOST_IDS,
            start_utc=START,
            rsvp=rsvp,
            names=names,
            video_link=link,
            left=False,
            unplaced_reason=None,
        )
        for rsvp in ("invited", "attending", "skipped")
        for link in (VIDEO_LINK, None)
    ]
    rendered += [
        huddle_views.member_blocks(
            huddle_id=None,
            start_utc=None,
            rsvp=None,
            names=(),
            video_link=None,
            left=left,
            unplaced_reason=reason,
        )
        for left in (False, True)
        for reason in UNPLACED_REASONS
    ]
    return rendered


def _facilitator_blocks() -> list[Block]:
    return huddle_views.facilitator_blocks(
        huddle_id=MOST_IDS, start_utc=START, rsvp="skipped", names=[NAME] * 7
    )


def _huddle_hr_blocks() -> list[Block]:
    schedule = [(START + timedelta(days=n), 7, n % 2 == 0) for n in range(40)]
    months = [
        (
            f"2026-{n:02d}",
            9999,
            TENANT_PEOPLE,
            TENANT_PEOPLE,
            TENANT_PEOPLE,
            3.3333333333333335,
            TENANT_PEOPLE,
        )
        for n in range(1, 7)  # huddles' service shows six months
    ]
    summary = (
        "Every 3 months, in week 4, avoiding Monday, Tuesday, Wednesday, Thursday, Friday, Saturday; "
        "groups of 4 to 7; people in their first 24 months back."
    )
    return huddle_views.hr_blocks(schedule=schedule, months=months, summary=summary)


def _plan_hr_blocks() -> list[Block]:
    return plan_views.hr_blocks(
        plans_active=TENANT_PEOPLE,
        unacknowledged=TENANT_PEOPLE,
        requests=[(MOST_IDS - n, NAME, 8) for n in range(40)],
        budget=_budget(),
        policies=_policies(40),
        minimum=5,
    )


def _need_previews() -> list[View]:
    detail = _typed(_max_length(plan_views.need_modal(), plan_views.DETAIL_BLOCK))
    return [
        plan_views.need_preview_modal(
            plan_messages.need_text(NAME, plan_messages.compose_need(key, detail)), DRAFT_ID
        )
        for key in plan_messages.need_templates()
    ]


def _months_through_every_prompt_set() -> list[str]:
    """As many consecutive months as there are prompt sets: the rotation reaches each once."""
    count = len(huddle_prompts._content()["prompt_sets"])
    return [f"{2026 + n // 12}-{n % 12 + 1:02d}" for n in range(count)]


def _vault_both(build: Callable[[bool], object]) -> list[object]:
    """A private screen with partner wording and without it."""
    return [build(include_partner) for include_partner in (True, False)]


def _reflections() -> list[View]:
    rendered = []
    for partner in (True, False):
        for key in vault_content.MILESTONE_KEYS:
            milestone = vault_content.milestone(key, include_partner=partner)
            if milestone is not None:
                rendered.append(
                    vault_views.reflection_modal(
                        VAULT_TOKEN,
                        milestone.title,
                        f"{milestone.intro}\n\n{vault_content.counselling_offer('N' * 200, 50)}",
                        [("answer", milestone.question)],
                        include_partner=partner,
                        resources=_resources(),
                    )
                )
        review = vault_content.quarterly_review(include_partner=partner)
        rendered.append(
            vault_views.reflection_modal(
                VAULT_TOKEN,
                review.title,
                review.intro,
                [(step.id, step.text) for step in review.steps],
                include_partner=partner,
                resources=_resources(),
            )
        )
    return rendered


def _past_reviews() -> list[View]:
    """Many quarterly reviews, every answer as long as the review screen allows."""
    rendered = []
    for partner in (True, False):
        review = vault_content.quarterly_review(include_partner=partner)
        reviews = [
            {"saved_at": (START - timedelta(weeks=13 * n)).isoformat()}
            | {
                step.id: _long(f"what we noticed, step {step.id}", vault_values.MAX_ANSWER)
                for step in review.steps
            }
            for n in range(200)
        ]
        rendered.append(
            vault_views.past_reviews_modal(reviews, review, include_partner=partner, resources=_resources())
        )
    return rendered


def _readings() -> list[View]:
    rendered = []
    for partner in (True, False):
        guide = vault_content.first_conversation(include_partner=partner)
        if guide is not None:
            rendered.append(
                vault_views.reading_modal(
                    guide.title,
                    [guide.intro, *(step.text for step in guide.steps)],
                    include_partner=partner,
                    resources=_resources(),
                )
            )
    return rendered


def _exports() -> list[View]:
    exported = json.dumps(
        {
            "exported_at": START.isoformat(),
            "checkins": _entries(),
            "milestones": [{"key": key, "answer": _typed(2000)} for key in vault_content.MILESTONE_KEYS],
            "reviews": [
                {"answers": {step.id: _typed(2000) for step in vault_content.quarterly_review().steps}}
                for _ in range(4)  # a year of quarterly reviews
            ],
            "profile": {"partner_questions": True, "arrival_date": "2026-01-01"},
        },
        indent=1,
        ensure_ascii=False,
    )
    return [
        vault_views.export_modal(url=url, inline_json=inline, include_partner=partner, resources=_resources())
        for partner in (True, False)
        for url, inline in (("https://rtw.example.com/vault/export/" + "s" * 64, None), (None, exported))
    ]


def _space_modals() -> list[View]:
    return [
        vault_views.space_modal(
            vault_views.SpaceState(
                include_partner=partner,
                checked_in_this_week=checked,
                signals=list(vault_signals.Signal),
                reminder="Wednesdays at 20:00 (paused until 17 Dec)",
                milestone_due="6_months",
                first_conversation=True,
                review_due=True,
                past_reviews=True,
                expectations=True,
            ),
            _resources(),
        )
        for partner in (True, False)
        for checked in (True, False)
    ]


def _done_texts() -> list[str]:
    """What the vault's listeners pass to ``done_modal``: its own texts and its errors."""
    return [
        vault_content.checkin_text("saved", include_partner=True),
        vault_content.checkin_text("saved", include_partner=False),
        "This screen has expired. Open your private space again.",
        "Reminders set for Wednesdays at 20:00.",
        "Please open your private space and agree first.",
    ]


COMMANDS = {"help": HELP_SUMMARY, "checkin": "open your private weekly check-in (only you can read it)"}


@dataclass(frozen=True)
class Case:
    """Where a builder's result is shown, and its results at the largest realistic inputs."""

    surface: Surface
    render: Callable[[], Sequence[object]]


def _submitted_hours() -> dict[str, Any]:
    """The working-hours modal as Slack sends it back with a submission: its blocks, a long
    title, and the person's choices in its state."""
    view = admin_views.working_hours_modal(
        WorkingHours(timezone="Europe/London", days=(0, 1, 2, 3, 4), start="09:00", end="17:00")
    )
    body = view.to_dict()
    body.update(
        id="V0LATE",
        hash="1.x",
        title={"type": "plain_text", "text": "W" * 24},
        state={
            "values": {
                DAYS_BLOCK: {
                    "value": {
                        "selected_options": [{"text": {"type": "plain_text", "text": "Monday"}, "value": "0"}]
                    }
                },
                START_BLOCK: {"value": {"selected_time": "08:30"}},
                END_BLOCK: {"value": {"selected_time": "14:00"}},
            }
        },
    )
    return body


CASES: dict[str, Case] = {
    # the App Home and its administration modals
    "hr_plugin.slack.views.home.home_view": Case(
        "home",
        lambda: [
            home_views.home_view(_home_for_everything()),
            home_views.home_view(HomeState(known=False, can_appoint_admins=True)),
            home_views.home_view(HomeState(known=True, name=NAME)),
        ],
    ),
    "hr_plugin.slack.views.help_links.help_links_modal": Case(
        "modal",
        lambda: [
            help_link_views.help_links_modal([]),
            help_link_views.help_links_modal(
                [
                    HelpLink(
                        number, "counselling", "GB", _long("Line", 200), _long("About", 500), RESOURCE_URL, 50
                    )
                    for number in range(1, MOST_LINKS + 1)
                ]
            ),
        ],
    ),
    "hr_plugin.slack.views.modals.appoint_admin_modal": Case(
        "modal", lambda: [admin_views.appoint_admin_modal()]
    ),
    "hr_plugin.slack.views.modals.working_hours_modal": Case(
        "modal",
        lambda: [
            admin_views.working_hours_modal(
                WorkingHours(LONGEST_ZONE, (0, 1, 2, 3, 4, 5, 6), "00:00", "23:59")
            )
        ],
    ),
    # a late save (hr_plugin.slack.deadline) and a slow click (hr_plugin.slack.triggers)
    "hr_plugin.slack.views.saving.saving_view": Case(
        "modal", lambda: [saving.saving_view(_submitted_hours())]
    ),
    "hr_plugin.slack.views.saving.saved_view": Case("modal", lambda: [saving.saved_view(_submitted_hours())]),
    "hr_plugin.slack.views.saving.form_with_errors": Case(
        "modal",
        lambda: [
            saving.form_with_errors(_submitted_hours(), {DAYS_BLOCK: "x" * 150, END_BLOCK: "y" * 150}),
            saving.form_with_errors(_submitted_hours(), {}),
        ],
    ),
    "hr_plugin.slack.triggers.loading_view": Case(
        "modal", lambda: [triggers.loading_view(), triggers.loading_view(triggers.NOTHING)]
    ),
    "hr_plugin.slack.views.help.help_blocks": Case(
        "message",
        lambda: [help_views.help_blocks(COMMANDS), help_views.help_blocks(COMMANDS, unknown=UNKNOWN_COMMAND)],
    ),
    # enrolment
    "hr_plugin.enrolment.messages.invitation_blocks": Case(
        "message", lambda: [enrolment.invitation_blocks(MOST_IDS)]
    ),
    "hr_plugin.enrolment.views.accept_modal": Case(
        "modal", lambda: [enrolment_views.accept_modal(date(2026, 12, 31), date(2027, 12, 31))]
    ),
    "hr_plugin.enrolment.views.self_enrol_modal": Case("modal", lambda: [enrolment_views.self_enrol_modal()]),
    "hr_plugin.enrolment.views.content_choices_modal": Case(
        "modal", lambda: [enrolment_views.content_choices_modal(chosen) for chosen in (True, False)]
    ),
    "hr_plugin.enrolment.views.propose_modal": Case("modal", lambda: [enrolment_views.propose_modal()]),
    "hr_plugin.enrolment.views.return_date_modal": Case(
        "modal", lambda: [enrolment_views.return_date_modal(date(2027, 12, 31))]
    ),
    # return plans
    "hr_plugin.reintegration.messages.manager_plan_blocks": Case(
        "message",
        lambda: [plan_messages.manager_plan_blocks(_plan(), first=first) for first in (True, False)],
    ),
    "hr_plugin.reintegration.views.employee_plan_blocks": Case(
        "home",
        lambda: [
            plan_views.employee_plan_blocks(_plan(), day) for day in (TODAY, TODAY + timedelta(weeks=40))
        ],
    ),
    "hr_plugin.reintegration.views.more_time_modal": Case("modal", lambda: [plan_views.more_time_modal()]),
    "hr_plugin.reintegration.views.need_modal": Case("modal", lambda: [plan_views.need_modal()]),
    "hr_plugin.reintegration.views.need_preview_modal": Case("modal", _need_previews),
    "hr_plugin.reintegration.views.need_not_sent_modal": Case(
        "modal",
        lambda: [
            plan_views.need_not_sent_modal(reason)
            for reason in (
                plan_drafts.GONE,
                "You have no manager in the directory to send this to; HR can fix that.",
            )
        ],
    ),
    "hr_plugin.reintegration.views.manager_blocks": Case(
        "home", lambda: [plan_views.manager_blocks([_plan(n) for n in range(40)], TODAY)]
    ),
    "hr_plugin.reintegration.views.hr_blocks": Case("home", lambda: [_plan_hr_blocks()]),
    "hr_plugin.reintegration.views.policy_modal": Case(
        "modal", lambda: [plan_views.policy_modal(_policies(1)), plan_views.policy_modal(_policies(40))]
    ),
    "hr_plugin.reintegration.views.section_divider": Case("home", lambda: [plan_views.section_divider()]),
    # mentoring
    "mentoring.messages.ask_blocks": Case(
        "message",
        lambda: [mentoring_messages.ask_blocks(MOST_IDS, NAME, sorted(TAG_REASONS.values(), key=len)[-3:])],
    ),
    "mentoring.messages.intro_blocks": Case(
        "message",
        lambda: [mentoring_messages.intro_blocks(NAME, NAME, sorted(TAG_REASONS.values(), key=len)[-3:])],
    ),
    "mentoring.messages.met_blocks": Case("message", lambda: [mentoring_messages.met_blocks(MOST_IDS, NAME)]),
    "mentoring.views.mentee_blocks": Case("home", _mentee_blocks),
    "mentoring.views.mentor_blocks": Case("home", _mentor_blocks),
    "mentoring.views.become_blocks": Case("home", lambda: [mentoring_views.become_blocks()]),
    "mentoring.views.manager_blocks": Case("home", lambda: [_manager_pairs()]),
    "mentoring.views.hr_blocks": Case("home", lambda: [_mentoring_hr_blocks()]),
    "mentoring.views.mentor_modal": Case(
        "modal",
        lambda: [
            mentoring_views.mentor_modal(
                capacity=3, tags=sorted(TAGS), share=True, returned_on=TODAY, facilitates=True
            ),
            mentoring_views.mentor_modal(capacity=1, tags=[], share=False, returned_on=None),
        ],
    ),
    "mentoring.views.preferences_modal": Case(
        "modal",
        lambda: [
            mentoring_views.preferences_modal(
                preferences=sorted(TAGS),
                excluded_user_ids=[f"U{n:010d}" for n in range(100)],
                wants_mentor=False,
                manager_may_know=True,
            ),
            mentoring_views.preferences_modal(
                preferences=[], excluded_user_ids=[], wants_mentor=True, manager_may_know=False
            ),
        ],
    ),
    "mentoring.views.assign_modal": Case("modal", lambda: [mentoring_views.assign_modal()]),
    # peer huddles
    "huddles.messages.invitation_blocks": Case(
        "message",
        lambda: [
            huddle_messages.invitation_blocks(_meeting()),
            huddle_messages.invitation_blocks(
                huddle_messages.Meeting(MOST_IDS, START, 30, None, GROUP_ZONES)
            ),
        ],
    ),
    "huddles.messages.notes_blocks": Case(
        "message",
        lambda: [
            huddle_messages.notes_blocks(_meeting(), huddle_prompts.notes_for(month), 7)
            for month in _months_through_every_prompt_set()
        ],
    ),
    "huddles.messages.feedback_blocks": Case("message", lambda: [huddle_messages.feedback_blocks(MOST_IDS)]),
    "huddles.views.member_blocks": Case("home", _member_blocks),
    "huddles.views.facilitator_blocks": Case("home", lambda: [_facilitator_blocks()]),
    "huddles.views.hr_blocks": Case("home", lambda: [_huddle_hr_blocks()]),
    "huddles.views.settings_modal": Case(
        "modal",
        lambda: [
            huddle_views.settings_modal(
                enabled=True,
                every_months=3,
                week_of_month=4,
                avoided_weekdays=list(range(7)),
                min_size=4,
                max_size=7,
                eligible_months=24,
                video_link=VIDEO_LINK,
            )
        ],
    ),
    # the private space: rendered with test data only, never logged
    "hr_plugin.vault.messages.reminder_blocks": Case("message", lambda: [vault_reminders.reminder_blocks()]),
    "hr_plugin.vault.views.screens.home_blocks": Case("home", lambda: [vault_views.home_blocks()]),
    "hr_plugin.vault.views.screens.consent_modal": Case(
        "modal",
        lambda: [vault_views.consent_modal(VAULT_TOKEN, _resources()), vault_views.consent_modal("", [])],
    ),
    "hr_plugin.vault.views.screens.space_modal": Case("modal", _space_modals),
    "hr_plugin.vault.views.screens.checkin_modal": Case(
        "modal",
        lambda: [
            vault_views.checkin_modal(
                VAULT_TOKEN,
                include_partner=partner,
                last_experiments=last,
                resources=_resources(),
                expectations=True,
            )
            for partner in (True, False)
            for last in (_entries()[-1]["experiments"], [])
        ],
    ),
    "hr_plugin.vault.views.screens.look_back_modal": Case(
        "modal",
        lambda: _vault_both(
            lambda partner: vault_views.look_back_modal(
                _trend(), _entries(), include_partner=partner, resources=_resources(), warning_signs=True
            )
        ),
    ),
    "hr_plugin.vault.views.screens.reminders_modal": Case(
        "modal",
        lambda: _vault_both(
            lambda partner: vault_views.reminders_modal(
                VAULT_TOKEN, 6, "23:30", include_partner=partner, resources=_resources()
            )
        ),
    ),
    "hr_plugin.vault.views.screens.profile_modal": Case(
        "modal",
        lambda: _vault_both(
            lambda partner: vault_views.profile_modal(
                VAULT_TOKEN, include_partner=partner, arrival="2026-01-01", resources=_resources()
            )
        ),
    ),
    "hr_plugin.vault.views.screens.reflection_modal": Case("modal", _reflections),
    "hr_plugin.vault.views.screens.past_reviews_modal": Case("modal", _past_reviews),
    "hr_plugin.vault.views.screens.reading_modal": Case("modal", _readings),
    "hr_plugin.vault.views.screens.export_modal": Case("modal", _exports),
    "hr_plugin.vault.views.screens.link_modal": Case(
        "modal",
        lambda: [
            vault_views.link_modal(
                kind, url=url, fallback=_typed(2900), include_partner=partner, resources=_resources()
            )
            for kind in ("questions", "ritual")
            for url in ("https://rtw.example.com/vault/export/" + "s" * 43, None)
            for partner in (True, False)
        ],
    ),
    "hr_plugin.vault.views.screens.delete_modal": Case(
        "modal",
        lambda: _vault_both(
            lambda partner: vault_views.delete_modal(
                VAULT_TOKEN, include_partner=partner, resources=_resources()
            )
        ),
    ),
    "hr_plugin.vault.views.screens.done_modal": Case(
        "modal", lambda: [vault_views.done_modal(t) for t in _done_texts()]
    ),
    "hr_plugin.vault.views.track.track_start_modal": Case(
        "modal", lambda: [track_views.track_start_modal(VAULT_TOKEN, _resources())]
    ),
    "hr_plugin.vault.views.track.track_modal": Case(
        "modal", lambda: [track_views.track_modal(p, _resources()) for p in _track_progresses()]
    ),
    "hr_plugin.vault.views.track.track_stop_modal": Case(
        "modal", lambda: [track_views.track_stop_modal(VAULT_TOKEN, _resources())]
    ),
    "hr_plugin.vault.views.track.track_help_modal": Case(
        "modal",
        lambda: [
            track_views.track_help_modal(r)
            for r in (_resources(), [], [Resource("counselling", _long("EAP", 200), "", RESOURCE_URL, 99)])
        ],
    ),
    "hr_plugin.vault.views.track.track_tool_modal": Case(
        "modal",
        lambda: [
            track_views.track_tool_modal(
                part, VAULT_TOKEN, progress, include_partner=partner, resources=_resources()
            )
            for part in track.TOOLS
            for progress in _track_progresses()
            for partner in (True, False)
        ],
    ),
}


def _track_progresses() -> list[track.Progress]:
    """A track just started with nothing in it, and one long under way with every field full."""
    start = date(2026, 1, 5)
    full: dict[str, dict[str, Any]] = {
        part: {name: _typed(limit) for name, limit in track_views.TEXT_FIELDS.get(part, ())}
        for part in track.TOOLS
    }
    full[track.HOUSEHOLD] = {
        "tasks": [{"task": _typed(track.TASK_MAX), "owner": "undecided"}] * track.HOUSEHOLD_ROWS,
        "reviewed_on": "2026-01-06",
    }
    full[track.TOUCH]["stage"] = "3"
    full[track.TALLY] = {"repairs": MOST_IDS, "gestures": MOST_IDS}
    ask = {name: _typed(track.ASK_MAX) for name in ("when", "felt", "ask")}
    return [
        track.Progress(started=start, today=start, parts={}),
        track.Progress(started=start, today=date(2036, 1, 5), parts=full, asks=(ask,) * 40),
    ]


# -- finding the builders -------------------------------------------------------------------------


def _modules() -> Iterator[types.ModuleType]:
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            if info.name not in NOT_IMPORTABLE:
                yield importlib.import_module(info.name)


class _Unresolved:
    """Stands for a name a module imports only for type checking (``if TYPE_CHECKING:``)."""


class _Lenient(dict[str, Any]):
    """A namespace for ``eval``: the module's names and builtins, else an ``_Unresolved`` stand-in."""

    def __init__(self, module: types.ModuleType) -> None:
        super().__init__()
        self.module = vars(module)

    def __missing__(self, name: str) -> Any:
        if name in self.module:
            return self.module[name]
        if hasattr(builtins, name):
            return getattr(builtins, name)
        return type(name, (_Unresolved,), {})


def _return_type(function: Callable[..., Any], module: types.ModuleType) -> Any:
    """The resolved return annotation alone (parameters may name types only imported for checking).

    ``typing.get_type_hints`` resolves it; when it names something imported only for type
    checking, that name becomes an ``_Unresolved`` stand-in that keeps its name.
    """
    raw = inspect.get_annotations(function).get("return")
    if raw is None:
        return None
    probe = types.FunctionType((lambda: None).__code__, vars(module))
    probe.__annotations__ = {"return": raw}
    try:
        return typing.get_type_hints(probe, globalns=vars(module))["return"]
    except NameError:
        return eval(raw, vars(module), _Lenient(module))  # our own annotations, read as mypy would


def _is_block_kit(hint: Any) -> bool:
    """Whether a return type is a Block Kit product: a view, blocks, a message, or their JSON."""
    if any(hint is named for named in blockkit.BLOCK_KIT_JSON):
        return True
    if inspect.isclass(hint) and issubclass(hint, _Unresolved):  # judged by its name alone
        return hint.__name__ in BLOCK_KIT_NAMES or hint.__name__.endswith(("Block", "View", "Json"))
    if inspect.isclass(hint) and issubclass(hint, View | Block | Message):
        return True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return any(_is_block_kit(arg) for arg in args if arg is not type(None))
    if origin in (list, tuple, collections.abc.Sequence, collections.abc.Iterable):
        return any(_is_block_kit(arg) for arg in args if arg is not Ellipsis)
    return False


@cache
def discovered() -> dict[str, Callable[..., Any]]:
    """Every public builder of the packages, by qualified name (``module.function``)."""
    found: dict[str, Callable[..., Any]] = {}
    for module in _modules():
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(value) and _is_block_kit(_return_type(value, module)):
                found[f"{module.__name__}.{name}"] = value
            elif inspect.isclass(value):
                for method_name, method in vars(value).items():
                    if (
                        not method_name.startswith("_")
                        and inspect.isfunction(method)
                        and _is_block_kit(_return_type(method, module))
                    ):
                        found[f"{module.__name__}.{name}.{method_name}"] = method
    return found


# -- rendering and checking -----------------------------------------------------------------------


def _blocks_of(result: object) -> list[dict[str, Any]]:
    if isinstance(result, Block):
        return [result.to_dict()]
    if isinstance(result, list | tuple):
        return [item.to_dict() if isinstance(item, Block) else dict(item) for item in result]
    raise AssertionError(f"not blocks: {type(result).__name__}")


def violations(surface: Surface, result: object) -> list[slack_limits.Violation]:
    """What Slack would refuse in one builder's result, shown on ``surface``."""
    if isinstance(result, View):
        result = result.to_dict()
    if isinstance(result, Message):
        return slack_limits.check_message(result.to_dict())
    if isinstance(result, dict):
        if "response_action" in result:  # an acknowledgement: the view it shows
            return slack_limits.check_view(result["view"], surface="modal") if "view" in result else []
        if result.get("type") in ("modal", "home"):
            assert surface != "message" and result["type"] == surface, (
                f"a {result['type']} view in a {surface} case"
            )
            return slack_limits.check_view(result, surface=surface)
        return slack_limits.check_message(result)
    return slack_limits.check_blocks(_blocks_of(result), surface=surface, pointer="/blocks")


def _problems(surface: Surface, result: object) -> list[str]:
    """Slack's refusals of a result, or ``slack_sdk``'s own when it cannot even build it."""
    try:
        return [violation.message for violation in violations(surface, result)]
    except SlackObjectFormationError as exc:
        return [f"slack_sdk cannot build it: {exc}"]


def _language_files() -> dict[str, dict[str, Path]]:
    """Each content file by language, for the three features that keep their words in data."""
    folders = {
        "vault": resources.files("hr_plugin.vault") / "content",
        "huddles": resources.files("huddles") / "content",
        "reintegration": resources.files("hr_plugin.reintegration") / "content",
    }
    by_language: dict[str, dict[str, Path]] = {}
    for feature, folder in folders.items():
        for file in Path(str(folder)).glob("*.json"):
            by_language.setdefault(file.stem, {})[feature] = file
    return by_language


LANGUAGES = _language_files()


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """The builders read ``language``'s content files (English where a feature has no such file)."""
    files = LANGUAGES[language]

    def loaded(feature: str, fallback: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
        if feature not in files:
            return fallback
        data = json.loads(files[feature].read_text(encoding="utf-8"))
        return lambda: data

    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(vault_content, "_raw", loaded("vault", vault_content._raw)))
        stack.enter_context(
            mock.patch.object(huddle_prompts, "_content", loaded("huddles", huddle_prompts._content))
        )
        stack.enter_context(
            mock.patch.object(plan_wording, "content", loaded("reintegration", plan_wording.content))
        )
        yield


def _calls_to(qualified: str) -> tuple[Callable[[], int], Any]:
    """A patch that counts the calls to a builder, so a case is known to render its own builder."""
    module_name, _, name = qualified.rpartition(".")
    module = sys.modules[module_name]
    original = getattr(module, name)
    calls = 0

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)

    return (lambda: calls), mock.patch.object(module, name, counted)


# -- the tests -------------------------------------------------------------------------------------


def test_every_builder_has_a_case_and_every_case_a_builder() -> None:
    found = set(discovered())
    assert found, "no builder found: the discovery itself is broken"
    assert not found - set(CASES), f"builders without a case here: {sorted(found - set(CASES))}"
    assert not set(CASES) - found, f"cases whose builder is gone: {sorted(set(CASES) - found)}"


def test_discovery_finds_builders_by_what_they_return() -> None:
    """Typed models, JSON named with ``blockkit``'s types, lists and optionals of them; not plain dicts.

    The probes are never called: only their return annotations are read."""

    def home() -> View: ...

    def blocks() -> list[Block]: ...

    def message_json() -> blockkit.BlocksJson: ...

    def maybe_view() -> blockkit.ViewJson | None: ...

    def plain() -> dict[str, Any]: ...

    def words() -> str: ...

    module = types.ModuleType("probe")
    vars(module).update(globals())
    kinds = {
        f.__name__: _is_block_kit(_return_type(f, module)) for f in (home, blocks, message_json, maybe_view)
    }
    assert kinds == {"home": True, "blocks": True, "message_json": True, "maybe_view": True}
    assert not _is_block_kit(_return_type(plain, module)) and not _is_block_kit(_return_type(words, module))


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@pytest.mark.parametrize("qualified", sorted(CASES))
def test_every_builder_fits_slacks_limits_at_its_largest(qualified: str, language: str) -> None:
    case = CASES[qualified]
    count, patch = _calls_to(qualified)
    with speaking(language), patch:
        results = list(case.render())
    assert results and count() >= 1, f"the case for {qualified} does not render it"
    found = {index: _problems(case.surface, result) for index, result in enumerate(results)}
    assert not {index: problems for index, problems in found.items() if problems}


# -- the second pass: text from people that must not pass for markup -------------------------------


@contextmanager
def hostile_inputs() -> Iterator[None]:
    """Every case's inputs that are not the app's own words hold ``HOSTILE``, at the same lengths.

    The cases read these names when they render, so patching them here reaches every builder;
    links keep the ``https://`` their validation requires and carry the markup after it.
    """
    here = sys.modules[__name__]
    replaced: dict[str, object] = {
        "NAME": hostile(len(NAME)),
        "DEPARTMENT": hostile(len(DEPARTMENT)),
        "POLICY_NAME": hostile(len(POLICY_NAME)),
        "VIDEO_LINK": ("https://meet.example.com/j/1?pwd=" + hostile(len(VIDEO_LINK)))[: len(VIDEO_LINK)],
        "RESOURCE_URL": ("https://help.example.org/?q=" + hostile(len(RESOURCE_URL)))[: len(RESOURCE_URL)],
        "UNKNOWN_COMMAND": hostile(len(UNKNOWN_COMMAND)),
        "_long": lambda words, length: hostile(length),
        "_typed": hostile,
    }
    with ExitStack() as stack:
        for name, value in replaced.items():
            stack.enter_context(mock.patch.object(here, name, value))
        yield


def _json_of(result: object) -> object:
    """A builder's result as the JSON Slack receives."""
    if isinstance(result, View | Message):
        return result.to_dict()
    if isinstance(result, dict):
        return result
    return _blocks_of(result)


def markup_problems(result: object, baseline: object) -> list[str]:
    """How a result rendered from hostile inputs lets them pass for markup, compared with the same
    builder rendered from plain inputs (``baseline``): hostile markup in ``mrkdwn``, more markup
    than the app's own, entities shown as ``plain_text``, or text escaped twice."""
    mrkdwn, plain = shown_texts(_json_of(result))
    own = "".join(shown_texts(_json_of(baseline))[0])
    found = "".join(mrkdwn)
    return [
        *hostile_markup(mrkdwn),
        *(
            f"{found.count(marker)} x {marker!r} in mrkdwn, {own.count(marker)} with plain inputs"
            for marker in MARKUP
            if found.count(marker) > own.count(marker)
        ),
        *misplaced_entities(mrkdwn, plain),
    ]


def test_escape_shows_slacks_control_characters_as_themselves() -> None:
    assert blockkit.escape(HOSTILE) == (
        "&lt;!channel&gt; &lt;@U123&gt; &lt;#C123&gt; &lt;https://evil.example|click&gt; &amp; \u202eevil"
    )
    assert blockkit.escape("Zoë O'Brien *bold*") == "Zoë O'Brien *bold*"  # only &, < and >


def test_the_markup_check_finds_what_it_looks_for() -> None:
    """The check of the second pass, on results a careless builder would make."""
    plain_name = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Kim* is back"}}]
    raw = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{HOSTILE}* is back"}}]
    cut = [{"type": "section", "text": {"type": "mrkdwn", "text": "<https://ev is back"}}]
    shown = [{"type": "header", "text": {"type": "plain_text", "text": blockkit.escape(HOSTILE)}}]
    twice = [{"type": "section", "text": {"type": "mrkdwn", "text": blockkit.escape(blockkit.escape("&"))}}]
    fallback = {"text": f"{HOSTILE} shared a need", "blocks": []}
    safe = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{blockkit.escape(HOSTILE)}* is back"}}]
    assert len(markup_problems(raw, plain_name)) == len(HOSTILE_MARKUP) + len(MARKUP)
    assert markup_problems(cut, plain_name) == ["1 x '<http' in mrkdwn, 0 with plain inputs"]
    assert markup_problems(shown, plain_name)[0].startswith("escaped text shown as plain_text")
    assert markup_problems(twice, plain_name)[0].startswith("text escaped twice")
    assert markup_problems(fallback, {"text": "Kim shared a need", "blocks": []})
    assert markup_problems(safe, plain_name) == []


@pytest.mark.parametrize("qualified", sorted(CASES))
def test_no_builder_lets_peoples_text_pass_for_markup(qualified: str) -> None:
    case = CASES[qualified]
    baselines = list(case.render())
    count, patch = _calls_to(qualified)
    with hostile_inputs(), patch:
        results = list(case.render())
    assert results and count() >= 1, f"the case for {qualified} does not render it"
    assert len(results) == len(baselines)
    found = {
        index: markup_problems(result, baseline) + _problems(case.surface, result)
        for index, (result, baseline) in enumerate(zip(results, baselines, strict=True))
    }
    assert not {index: problems for index, problems in found.items() if problems}
