"""Once means once: two requests for a once-only operation, interleaved on purpose.

Two cores and SQLite's single writer may never interleave two requests by chance, so each test
holds the first call at its service's seam (``_between_read_and_write``: after it has read the
row, before it writes) while a second call runs to the end, then lets the first go on. Exactly
one of them may have an effect, and the other gets the answer a later click gets. With the
conditional writes taken out (the read-check-write the code had before), each test here fails
every time. ``tests/e2e/test_once_concurrent.py`` sends the same operations as concurrent signed
requests to a running ``hr-plugin serve``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import func, select

import huddles.service as huddle_service
import mentoring.service as mentoring_service
from hr_plugin import admins
from hr_plugin import vault as vault_package
from hr_plugin.db import unit_of_work
from hr_plugin.directory import find_by_slack_id
from hr_plugin.enrolment import service as enrolment
from hr_plugin.enrolment.models import Enrolment
from hr_plugin.models import AuditEntry, HrAdmin, Leave, OutboxMessage
from hr_plugin.reintegration.models import ExtensionRequest, Plan
from hr_plugin.reintegration.service import extensions as plans
from hr_plugin.testing.stack import AppStack
from hr_plugin.vault import service as vault_service
from hr_plugin.vault.models import VaultSpace
from huddles.models import HuddleMember, HuddleOptOut, HuddleRating
from mentoring.models import Match
from tests.e2e import vault_flows as flow
from tests.e2e.conftest import TEAM
from tests.huddle_rows import add_huddle

# How long the second call may take on its own. With a fix that locks, it may wait for the
# first (held at the seam) instead of finishing: the first is let go after this either way.
SECOND_ALONE = 3.0
SEAM = "_between_read_and_write"  # the hook each service module calls between read and write


@dataclass
class Outcome:
    """What one call did: its return value, or the exception it raised."""

    value: Any = None
    error: BaseException | None = None


def interleave(
    seam_of: ModuleType, first: Callable[[], Any], second: Callable[[], Any]
) -> tuple[Outcome, Outcome]:
    """Run ``first`` until the module's seam, run ``second`` (to the end, or until it waits on
    the first's lock), then let ``first`` continue; both outcomes."""
    reached, release = threading.Event(), threading.Event()
    calls: list[int] = []
    guard = threading.Lock()

    def seam() -> None:
        with guard:
            calls.append(1)
            mine = len(calls)
        if mine == 1:
            reached.set()
            release.wait(30)

    original = getattr(seam_of, SEAM)
    setattr(seam_of, SEAM, seam)
    outcomes = (Outcome(), Outcome())

    def run(call: Callable[[], Any], outcome: Outcome) -> None:
        try:
            outcome.value = call()
        except BaseException as exc:  # the test looks at every outcome
            outcome.error = exc

    threads = [
        threading.Thread(target=run, args=(call, outcome), daemon=True)
        for call, outcome in zip((first, second), outcomes, strict=True)
    ]
    try:
        threads[0].start()
        assert reached.wait(10), "the first call never reached the seam"
        threads[1].start()
        threads[1].join(SECOND_ALONE)
        release.set()
        for thread in threads:
            thread.join(60)
            assert not thread.is_alive(), "a call did not finish"
    finally:
        release.set()
        setattr(seam_of, SEAM, original)
    return outcomes


def _answer_of(outcome: Outcome) -> str:
    """What the person is told: the reply, or the error's sentence."""
    return str(outcome.error) if outcome.error is not None else str(outcome.value)


def _audit_count(stack: AppStack, action: str) -> int:
    with unit_of_work(stack.factory) as session:
        return int(
            session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))
            or 0
        )


# -- the private space's export link --------------------------------------------------------


def test_an_export_link_used_twice_at_once_gives_the_export_once(
    stack: AppStack, org: dict[str, str]
) -> None:
    flow.enrol(stack, "UPARENT")
    vault = vault_package.vault_for(stack.services)
    vault.consent(TEAM, "UPARENT")
    secret = vault.export_link(TEAM, "UPARENT")

    first, second = interleave(
        vault_service, lambda: vault.redeem_export(secret), lambda: vault.redeem_export(secret)
    )

    assert first.error is None and second.error is None, (first.error, second.error)
    bodies = [outcome.value for outcome in (first, second) if outcome.value is not None]
    assert len(bodies) == 1, f"the export was served {len(bodies)} times"
    assert second.value is not None  # the second ran to the end first, so it was the one
    assert vault.redeem_export(secret) is None  # a later click: the same answer the loser had
    assert vault.export_link_usable(secret) is False


def test_consenting_twice_at_once_opens_one_space(stack: AppStack, org: dict[str, str]) -> None:
    flow.enrol(stack, "UPARENT")
    vault = vault_package.vault_for(stack.services)

    first, second = interleave(
        vault_service, lambda: vault.consent(TEAM, "UPARENT"), lambda: vault.consent(TEAM, "UPARENT")
    )

    assert first.error is None and second.error is None, (first.error, second.error)
    with unit_of_work(stack.factory) as session:
        assert session.scalar(select(func.count()).select_from(VaultSpace)) == 1
        employee_id = vault.owner(session, TEAM, "UPARENT").employee_id
    assert vault.keystore.data_key(TEAM, employee_id, create=False) is not None
    assert vault.has_consented(TEAM, "UPARENT") is True


# -- HR admins -----------------------------------------------------------------------------


def test_appointing_the_same_hr_admin_twice_at_once_is_recorded_once(
    stack: AppStack, org: dict[str, str]
) -> None:
    clock = stack.services.clock

    def appoint() -> admins.Appointment:
        return admins.appoint_from_slack(
            stack.factory,
            clock,
            tenant_id=TEAM,
            actor_user_id="UBOSS",
            actor_is_workspace_admin=True,
            appointee_user_id="UHR",
        )

    first, second = interleave(admins, appoint, appoint)

    assert first.error is None and second.error is None, (first.error, second.error)
    assert second.value.already is False and first.value.already is True
    assert appoint().already is True  # what a later appointment answers
    assert _audit_count(stack, "admins.appointed") == 1
    with unit_of_work(stack.factory) as session:
        assert session.scalar(select(func.count()).select_from(HrAdmin)) == 1


# -- return plans: HR deciding a request for more reduced time --------------------------------


def test_two_hr_decisions_on_one_request_at_once_grant_it_once(
    stack: AppStack, org: dict[str, str], hr: str
) -> None:
    flow.enrol(stack, "UPARENT")
    clock = stack.services.clock
    plans.request_more(stack.factory, clock, tenant_id=TEAM, user_id="UPARENT", weeks=2)
    with unit_of_work(stack.factory) as session:
        request_id = session.scalars(select(ExtensionRequest.id)).one()
        granted_before = session.scalars(select(Plan.extra_weeks_granted)).one()

    def grant() -> None:
        plans.decide_request(
            stack.factory, clock, tenant_id=TEAM, actor_user_id=hr, request_id=request_id, grant=True
        )

    first, second = interleave(plans, grant, grant)

    assert _audit_count(stack, "plan.request_granted") == 1
    with unit_of_work(stack.factory) as session:
        assert session.scalars(select(Plan.extra_weeks_granted)).one() == granted_before + 2
    assert second.error is None and isinstance(first.error, plans.PlanError)
    with pytest.raises(plans.PlanError) as later:
        grant()
    assert _answer_of(first) == str(later.value)


# -- enrolment: accepting or declining the invitation --------------------------------------


def _accept(stack: AppStack) -> Callable[[], object]:
    clock = stack.services.clock
    return lambda: enrolment.accept(
        stack.factory,
        clock,
        stack.services.enrolment_hooks,
        tenant_id=TEAM,
        user_id="UPARENT",
        contact_during_leave=True,
        leave_out_family=False,
    )


def _decline(stack: AppStack) -> Callable[[], None]:
    clock = stack.services.clock
    return lambda: enrolment.decline(stack.factory, clock, tenant_id=TEAM, user_id="UPARENT")


def test_accepting_an_invitation_twice_at_once_enrols_once(stack: AppStack, org: dict[str, str]) -> None:
    first, second = interleave(enrolment, _accept(stack), _accept(stack))

    assert _audit_count(stack, "enrolment.accepted") == 1
    with unit_of_work(stack.factory) as session:
        assert session.scalar(select(func.count()).select_from(Plan)) == 1  # the hook ran once
    assert second.error is None and isinstance(first.error, enrolment.EnrolmentError)
    with pytest.raises(enrolment.EnrolmentError) as later:
        _accept(stack)()
    assert _answer_of(first) == str(later.value)


def test_an_accept_and_a_decline_of_one_invitation_at_once_keep_one_answer(
    stack: AppStack, org: dict[str, str]
) -> None:
    first, second = interleave(enrolment, _accept(stack), _decline(stack))

    with unit_of_work(stack.factory) as session:
        assert list(session.scalars(select(Enrolment.status))) == ["declined"]
        assert session.scalar(select(func.count()).select_from(Plan)) == 0  # no plan for a "no"
    assert _audit_count(stack, "enrolment.accepted") == 0
    assert second.error is None and isinstance(first.error, enrolment.EnrolmentError)


def test_two_hr_admins_confirming_one_enrolment_at_once_confirm_it_once(
    stack: AppStack, org: dict[str, str], hr: str
) -> None:
    clock = stack.services.clock
    asked = enrolment.self_enrol(
        stack.factory,
        clock,
        tenant_id=TEAM,
        user_id="UPEER",
        leave_start=date(2026, 5, 4),
        expected_return=date(2026, 12, 14),
        contact_during_leave=True,
        leave_out_family=False,
    )
    with unit_of_work(stack.factory) as session:
        waiting = session.scalars(select(Enrolment.id).where(Enrolment.status == "awaiting_hr")).one()
    assert asked is not None

    def confirm() -> object:
        return enrolment.confirm(
            stack.factory,
            clock,
            stack.services.enrolment_hooks,
            tenant_id=TEAM,
            actor_user_id=hr,
            enrolment_id=waiting,
        )

    first, second = interleave(enrolment, confirm, confirm)

    assert _audit_count(stack, "enrolment.confirmed") == 1
    with unit_of_work(stack.factory) as session:
        plans_made = session.scalar(
            select(func.count()).select_from(Plan).where(Plan.enrolment_id == waiting)
        )
    assert plans_made == 1  # the hooks ran once
    assert second.error is None and isinstance(first.error, enrolment.EnrolmentError)
    with pytest.raises(enrolment.EnrolmentError) as later:
        confirm()
    assert _answer_of(first) == str(later.value)


def _self_enrol(stack: AppStack, user_id: str = "UPEER") -> Callable[[], object]:
    clock = stack.services.clock
    return lambda: enrolment.self_enrol(
        stack.factory,
        clock,
        tenant_id=TEAM,
        user_id=user_id,
        leave_start=date(2026, 5, 4),
        expected_return=date(2026, 12, 14),
        contact_during_leave=True,
        leave_out_family=False,
    )


def _open_enrolments(stack: AppStack, user_id: str) -> int:
    with unit_of_work(stack.factory) as session:
        person = find_by_slack_id(session, TEAM, user_id)
        assert person is not None
        return int(
            session.scalar(
                select(func.count())
                .select_from(Enrolment)
                .where(Enrolment.employee_id == person.id, Enrolment.status.in_(enrolment.OPEN_STATUSES))
            )
            or 0
        )


def test_asking_to_join_twice_at_once_opens_one_enrolment(
    stack: AppStack, org: dict[str, str], hr: str
) -> None:
    first, second = interleave(enrolment, _self_enrol(stack), _self_enrol(stack))

    assert _open_enrolments(stack, "UPEER") == 1
    assert _audit_count(stack, "enrolment.self_enrolled") == 1
    with unit_of_work(stack.factory) as session:
        told = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like("enrolment-to-confirm:%"))
        )
    assert told == 1  # HR is asked to confirm once
    assert second.error is None and isinstance(first.error, enrolment.EnrolmentError)
    with pytest.raises(enrolment.EnrolmentError) as later:
        _self_enrol(stack)()
    assert _answer_of(first) == str(later.value)


def test_hr_proposing_while_the_employee_asks_to_join_opens_one_enrolment(
    stack: AppStack, org: dict[str, str], hr: str
) -> None:
    clock = stack.services.clock

    def propose() -> object:
        return enrolment.propose_for_slack_user(
            stack.factory,
            clock,
            tenant_id=TEAM,
            actor_user_id=hr,
            employee_user_id="UPEER",
            leave_start=date(2026, 5, 4),
            expected_return=date(2026, 12, 14),
        )

    first, second = interleave(enrolment, propose, _self_enrol(stack))

    assert _open_enrolments(stack, "UPEER") == 1
    with unit_of_work(stack.factory) as session:
        peer = find_by_slack_id(session, TEAM, "UPEER")
        assert peer is not None
        origins = list(session.scalars(select(Enrolment.origin).where(Enrolment.employee_id == peer.id)))
        leaves = session.scalar(select(func.count()).select_from(Leave).where(Leave.employee_id == peer.id))
    assert origins == ["self"]  # the employee's request, which committed first
    assert leaves == 1  # the refused proposal's leave was taken back with it
    assert _audit_count(stack, "enrolment.proposed") == 1  # only the fixture's proposal for the parent
    assert second.error is None and isinstance(first.error, enrolment.EnrolmentError)
    with pytest.raises(enrolment.EnrolmentError) as later:
        propose()
    assert _answer_of(first) == str(later.value)


def _leave(stack: AppStack) -> Callable[[], None]:
    clock = stack.services.clock
    hooks = stack.services.enrolment_hooks
    return lambda: enrolment.leave_program(stack.factory, clock, hooks, tenant_id=TEAM, user_id="UPARENT")


def _withdraw(stack: AppStack, hr: str, enrolment_id: int) -> Callable[[], None]:
    clock = stack.services.clock
    hooks = stack.services.enrolment_hooks
    return lambda: enrolment.withdraw(
        stack.factory, clock, hooks, tenant_id=TEAM, actor_user_id=hr, enrolment_id=enrolment_id
    )


def _parent_enrolment(stack: AppStack) -> int:
    with unit_of_work(stack.factory) as session:
        parent = find_by_slack_id(session, TEAM, "UPARENT")
        assert parent is not None
        return int(session.scalars(select(Enrolment.id).where(Enrolment.employee_id == parent.id)).one())


def test_leaving_the_program_twice_at_once_is_recorded_once(stack: AppStack, org: dict[str, str]) -> None:
    flow.enrol(stack, "UPARENT")

    first, second = interleave(enrolment, _leave(stack), _leave(stack))

    assert _audit_count(stack, "enrolment.left") == 1
    with unit_of_work(stack.factory) as session:
        assert list(session.scalars(select(Enrolment.status))) == ["left"]
    assert second.error is None and isinstance(first.error, enrolment.EnrolmentError)
    with pytest.raises(enrolment.EnrolmentError) as later:
        _leave(stack)()
    assert _answer_of(first) == str(later.value)


def test_two_hr_withdrawals_of_one_enrolment_at_once_end_it_once(
    stack: AppStack, org: dict[str, str], hr: str
) -> None:
    flow.enrol(stack, "UPARENT")
    enrolment_id = _parent_enrolment(stack)

    first, second = interleave(
        enrolment, _withdraw(stack, hr, enrolment_id), _withdraw(stack, hr, enrolment_id)
    )

    assert _audit_count(stack, "enrolment.withdrawn") == 1
    assert second.error is None and isinstance(first.error, enrolment.EnrolmentError)
    with pytest.raises(enrolment.EnrolmentError) as later:
        _withdraw(stack, hr, enrolment_id)()
    assert _answer_of(first) == str(later.value)


def test_leaving_while_hr_withdraws_keeps_one_end(stack: AppStack, org: dict[str, str], hr: str) -> None:
    flow.enrol(stack, "UPARENT")
    enrolment_id = _parent_enrolment(stack)

    first, second = interleave(enrolment, _withdraw(stack, hr, enrolment_id), _leave(stack))

    with unit_of_work(stack.factory) as session:
        assert list(session.scalars(select(Enrolment.status))) == ["left"]  # the employee's, first
    assert _audit_count(stack, "enrolment.left") == 1
    assert _audit_count(stack, "enrolment.withdrawn") == 0
    assert second.error is None and isinstance(first.error, enrolment.EnrolmentError)


def test_moving_the_return_to_the_same_date_twice_at_once_is_recorded_once(
    stack: AppStack, org: dict[str, str]
) -> None:
    flow.enrol(stack, "UPARENT")
    clock = stack.services.clock

    def move() -> object:
        return enrolment.move_return_date(
            stack.factory,
            clock,
            stack.services.enrolment_hooks,
            tenant_id=TEAM,
            actor_user_id="UPARENT",
            new_return=date(2027, 1, 11),
        )

    first, second = interleave(enrolment, move, move)

    assert _audit_count(stack, "enrolment.return_moved") == 1
    with unit_of_work(stack.factory) as session:
        assert session.scalars(select(Leave.expected_return)).one() == date(2027, 1, 11)
    assert second.error is None and isinstance(first.error, enrolment.EnrolmentError)
    with pytest.raises(enrolment.EnrolmentError) as later:
        move()
    assert _answer_of(first) == str(later.value)


# -- mentoring: the mentor's answer, ending a match ----------------------------------------


def _match(stack: AppStack, status: str = "asked") -> int:
    """A match of the parent (mentee) with the peer (mentor), in ``status``."""
    with unit_of_work(stack.factory) as session:
        mentee = find_by_slack_id(session, TEAM, "UPARENT")
        mentor = find_by_slack_id(session, TEAM, "UPEER")
        assert mentee is not None and mentor is not None
        match = Match(
            tenant_id=TEAM,
            mentee_id=mentee.id,
            mentor_id=mentor.id,
            status=status,
            origin="auto",
            proposed_at=stack.services.clock.now(),
        )
        session.add(match)
        session.commit()
        return match.id


def _respond(stack: AppStack, match_id: int, accept: bool) -> Callable[[], str]:
    clock = stack.services.clock
    return lambda: mentoring_service.respond(
        stack.factory, clock, tenant_id=TEAM, user_id="UPEER", match_id=match_id, accept=accept
    )


def _intros(stack: AppStack) -> int:
    with unit_of_work(stack.factory) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.idempotency_key.like("mentor-intro:%"))
            )
            or 0
        )


def test_a_mentor_accepting_twice_at_once_is_recorded_once(stack: AppStack, org: dict[str, str]) -> None:
    match_id = _match(stack)

    first, second = interleave(
        mentoring_service, _respond(stack, match_id, True), _respond(stack, match_id, True)
    )

    assert _audit_count(stack, "mentoring.accepted") == 1
    assert _intros(stack) == 1
    assert second.error is None and isinstance(first.error, mentoring_service.MentoringError)
    with pytest.raises(mentoring_service.MentoringError) as later:
        _respond(stack, match_id, True)()
    assert _answer_of(first) == str(later.value)


def test_an_accept_and_a_decline_at_once_keep_the_first_answer_only(
    stack: AppStack, org: dict[str, str]
) -> None:
    match_id = _match(stack)

    first, second = interleave(
        mentoring_service, _respond(stack, match_id, True), _respond(stack, match_id, False)
    )

    with unit_of_work(stack.factory) as session:
        match = session.get(Match, match_id)
        assert match is not None and match.status == "declined"
    assert _intros(stack) == 0  # no introduction to a mentor who declined
    assert _audit_count(stack, "mentoring.accepted") == 0
    assert second.error is None and isinstance(first.error, mentoring_service.MentoringError)


def test_both_sides_ending_a_match_at_once_end_it_once(stack: AppStack, org: dict[str, str]) -> None:
    match_id = _match(stack, "active")
    clock = stack.services.clock

    def end(user_id: str) -> Callable[[], None]:
        return lambda: mentoring_service.end(
            stack.factory, clock, tenant_id=TEAM, user_id=user_id, match_id=match_id
        )

    first, second = interleave(mentoring_service, end("UPARENT"), end("UPEER"))

    assert _audit_count(stack, "mentoring.ended") == 1
    with unit_of_work(stack.factory) as session:
        told = list(
            session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.idempotency_key.like("mentor-ended:%")
                )
            )
        )
    assert len(told) == 1, told  # only the one who did not end it is told, once
    assert second.error is None and isinstance(first.error, mentoring_service.MentoringError)
    with pytest.raises(mentoring_service.MentoringError) as later:
        end("UPARENT")()
    assert _answer_of(first) == str(later.value)


def test_two_hr_pairings_of_one_mentee_at_once_ask_one_mentor(
    stack: AppStack, org: dict[str, str], hr: str
) -> None:
    flow.enrol(stack, "UPARENT")
    clock = stack.services.clock
    form = mentoring_service.MentorForm(
        confirmed_transition=True, capacity=2, tags=frozenset(), share_tags=False, returned_on=None
    )
    mentoring_service.opt_in(stack.factory, clock, tenant_id=TEAM, user_id="UPEER", form=form)
    with unit_of_work(stack.factory) as session:
        assert session.scalar(select(func.count()).select_from(Match)) == 0

    def pair() -> None:
        mentoring_service.hr_assign(
            stack.factory,
            clock,
            tenant_id=TEAM,
            actor_user_id=hr,
            mentee_user_id="UPARENT",
            mentor_user_id="UPEER",
        )

    first, second = interleave(mentoring_service, pair, pair)

    with unit_of_work(stack.factory) as session:
        origins = list(session.scalars(select(Match.origin)))
        asks = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like("mentor-ask:%"))
        )
    assert origins == [mentoring_service.BY_HR], origins
    assert asks == 1  # the mentor is asked once
    assert _audit_count(stack, "mentoring.mentor_asked") == 1
    assert second.error is None and isinstance(first.error, mentoring_service.MentoringError)
    with pytest.raises(mentoring_service.MentoringError) as later:
        pair()
    assert _answer_of(first) == str(later.value)


# -- return plans: the employee's extension and request for more time ------------------------


def _extend(stack: AppStack) -> Callable[[], object]:
    clock = stack.services.clock
    return lambda: plans.extend(stack.factory, clock, tenant_id=TEAM, user_id="UPARENT")


def test_two_clicks_on_the_last_extension_week_at_once_take_it_once(
    stack: AppStack, org: dict[str, str]
) -> None:
    flow.enrol(stack, "UPARENT")
    with unit_of_work(stack.factory) as session:
        plan = session.scalars(select(Plan)).one()
        allowance = int(plan.budget["extension_weeks"]) + plan.extra_weeks_granted
        assert allowance >= 1
        plan.extension_weeks_taken = allowance - 1  # one week left
        session.commit()

    first, second = interleave(plans, _extend(stack), _extend(stack))

    assert _audit_count(stack, "plan.extended") == 1
    with unit_of_work(stack.factory) as session:
        assert session.scalars(select(Plan.extension_weeks_taken)).one() == allowance
    assert second.error is None and isinstance(first.error, plans.PlanError)
    with pytest.raises(plans.PlanError) as later:
        _extend(stack)()
    assert _answer_of(first) == str(later.value)


def test_two_requests_for_more_time_at_once_reach_hr_once(
    stack: AppStack, org: dict[str, str], hr: str
) -> None:
    flow.enrol(stack, "UPARENT")
    clock = stack.services.clock

    def ask() -> None:
        plans.request_more(stack.factory, clock, tenant_id=TEAM, user_id="UPARENT", weeks=2)

    first, second = interleave(plans, ask, ask)

    assert _audit_count(stack, "plan.more_requested") == 1
    with unit_of_work(stack.factory) as session:
        assert session.scalar(select(func.count()).select_from(ExtensionRequest)) == 1
        told = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like("extension-request:%"))
        )
    assert told == 1  # one HR admin, told once
    assert second.error is None and isinstance(first.error, plans.PlanError)
    with pytest.raises(plans.PlanError) as later:
        ask()
    assert _answer_of(first) == str(later.value)


# -- huddles: rating, RSVP, leave, rejoin --------------------------------------------------


def _huddle(stack: AppStack, *, starts_in: timedelta, members: tuple[str, ...] = ("UPARENT", "UPEER")) -> int:
    """A huddle of ``members`` starting ``starts_in`` from now (negative: it has taken place)."""
    return add_huddle(stack.factory, TEAM, stack.services.clock.now(), starts_in=starts_in, members=members)


def _rate(stack: AppStack, huddle_id: int, score: int) -> Callable[[], str]:
    clock = stack.services.clock
    return lambda: huddle_service.rate(
        stack.factory, clock, tenant_id=TEAM, user_id="UPARENT", huddle_id=huddle_id, score=score
    )


def _answer(stack: AppStack, huddle_id: int, choice: str) -> Callable[[], str]:
    clock = stack.services.clock
    return lambda: huddle_service.answer(
        stack.factory, clock, tenant_id=TEAM, user_id="UPARENT", huddle_id=huddle_id, choice=choice
    )


def test_a_member_rating_twice_at_once_is_counted_once(stack: AppStack, org: dict[str, str]) -> None:
    huddle_id = _huddle(stack, starts_in=-timedelta(hours=2))

    first, second = interleave(huddle_service, _rate(stack, huddle_id, 5), _rate(stack, huddle_id, 4))

    with unit_of_work(stack.factory) as session:
        scores = list(session.scalars(select(HuddleRating.score).where(HuddleRating.huddle_id == huddle_id)))
    assert scores == [4], f"{len(scores)} ratings stored for one member"
    assert second.error is None and isinstance(first.error, huddle_service.HuddleError)
    with pytest.raises(huddle_service.HuddleError) as later:
        _rate(stack, huddle_id, 3)()
    assert _answer_of(first) == str(later.value)


def test_rating_and_saying_you_missed_it_at_once_keeps_one_answer(
    stack: AppStack, org: dict[str, str]
) -> None:
    huddle_id = _huddle(stack, starts_in=-timedelta(hours=2))

    first, second = interleave(huddle_service, _rate(stack, huddle_id, 5), _rate(stack, huddle_id, 0))

    with unit_of_work(stack.factory) as session:
        scores = list(session.scalars(select(HuddleRating.score).where(HuddleRating.huddle_id == huddle_id)))
        attended = session.scalar(
            select(HuddleMember.attended).where(HuddleMember.huddle_id == huddle_id).limit(1)
        )
    assert scores == []  # "I couldn't make it" came first: no score from someone who was not there
    assert attended is False
    assert second.error is None and isinstance(first.error, huddle_service.HuddleError)


def test_the_same_rsvp_twice_at_once_is_recorded_once(stack: AppStack, org: dict[str, str]) -> None:
    huddle_id = _huddle(stack, starts_in=timedelta(days=2))

    first, second = interleave(
        huddle_service, _answer(stack, huddle_id, "attend"), _answer(stack, huddle_id, "attend")
    )

    assert first.error is None and second.error is None, (first.error, second.error)
    assert _answer_of(first) == _answer_of(second)
    assert _audit_count(stack, "huddles.attend") == 1


def test_an_attend_and_a_leave_at_once_leave_the_member_out(stack: AppStack, org: dict[str, str]) -> None:
    """An answer read before "leave huddles" committed must not put the member back in."""
    huddle_id = _huddle(stack, starts_in=timedelta(days=2))

    first, second = interleave(
        huddle_service, _answer(stack, huddle_id, "attend"), _answer(stack, huddle_id, "leave")
    )

    assert second.error is None
    with unit_of_work(stack.factory) as session:
        person = find_by_slack_id(session, TEAM, "UPARENT")
        assert person is not None
        rsvp = session.scalar(
            select(HuddleMember.rsvp).where(
                HuddleMember.huddle_id == huddle_id, HuddleMember.employee_id == person.id
            )
        )
    assert rsvp == "left"
    assert isinstance(first.error, huddle_service.HuddleError)
    with pytest.raises(huddle_service.HuddleError) as later:
        _answer(stack, huddle_id, "attend")()
    assert _answer_of(first) == str(later.value)
    assert _audit_count(stack, "huddles.attend") == 0


def test_leaving_twice_at_once_is_recorded_once(stack: AppStack, org: dict[str, str]) -> None:
    huddle_id = _huddle(stack, starts_in=timedelta(days=2))

    first, second = interleave(
        huddle_service, _answer(stack, huddle_id, "leave"), _answer(stack, huddle_id, "leave")
    )

    assert first.error is None and second.error is None, (first.error, second.error)
    assert _answer_of(first) == _answer_of(second)
    assert _audit_count(stack, "huddles.leave") == 1
    with unit_of_work(stack.factory) as session:
        assert session.scalar(select(func.count()).select_from(HuddleOptOut)) == 1


def test_rejoining_twice_at_once_is_recorded_once(stack: AppStack, org: dict[str, str]) -> None:
    huddle_id = _huddle(stack, starts_in=timedelta(days=2))
    _answer(stack, huddle_id, "leave")()
    clock = stack.services.clock

    def rejoin() -> None:
        huddle_service.rejoin(stack.factory, clock, tenant_id=TEAM, user_id="UPARENT")

    first, second = interleave(huddle_service, rejoin, rejoin)

    assert first.error is None and second.error is None, (first.error, second.error)
    assert _audit_count(stack, "huddles.rejoined") == 1
    with unit_of_work(stack.factory) as session:
        assert session.scalar(select(func.count()).select_from(HuddleOptOut)) == 0


# -- modal tokens --------------------------------------------------------------------------


def test_a_modal_token_redeemed_by_many_at_once_is_accepted_once(
    stack: AppStack, org: dict[str, str]
) -> None:
    """No seam here: the redemption is one INSERT ... ON CONFLICT DO NOTHING on a unique key,
    so there is no gap between a read and a write to hold a request in. Twelve threads start
    together; the database's unique key must still let exactly one through."""
    vault = vault_package.vault_for(stack.services)
    token = vault.token(TEAM, "UPARENT", "checkin")
    start = threading.Barrier(12)
    results: list[bool] = []
    guard = threading.Lock()

    def redeem() -> None:
        start.wait(10)
        fresh = vault.redeem_token(TEAM, "UPARENT", "checkin", token)
        with guard:
            results.append(fresh)

    threads = [threading.Thread(target=redeem, daemon=True) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == [False] * 11 + [True]


def test_two_hr_pairings_of_different_mentees_to_a_mentor_with_one_place_ask_once(
    stack: AppStack, org: dict[str, str], hr: str
) -> None:
    """Two mentees, one mentor with one place: each pairing alone would pass the capacity check
    it reads, so only a check made under the mentor's lock keeps the mentor to their number."""
    clock = stack.services.clock
    flow.enrol(stack, "UPARENT")
    enrolment.propose_for_slack_user(
        stack.factory,
        clock,
        tenant_id=TEAM,
        actor_user_id=hr,
        employee_user_id="UPEER",
        leave_start=date(2026, 5, 4),
        expected_return=date(2026, 12, 14),
    )
    flow.enrol(stack, "UPEER")
    form = mentoring_service.MentorForm(
        confirmed_transition=True, capacity=1, tags=frozenset(), share_tags=False, returned_on=None
    )
    mentoring_service.opt_in(stack.factory, clock, tenant_id=TEAM, user_id=hr, form=form)

    def pair(mentee: str) -> Callable[[], None]:
        return lambda: mentoring_service.hr_assign(
            stack.factory, clock, tenant_id=TEAM, actor_user_id=hr, mentee_user_id=mentee, mentor_user_id=hr
        )

    first, second = interleave(mentoring_service, pair("UPARENT"), pair("UPEER"))

    with unit_of_work(stack.factory) as session:
        mentor = find_by_slack_id(session, TEAM, hr)
        assert mentor is not None
        mentees = list(
            session.scalars(
                select(Match.mentee_id).where(
                    Match.mentor_id == mentor.id, Match.status.in_(mentoring_service.OPEN_MATCH)
                )
            )
        )
        asks = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like("mentor-ask:%"))
        )
    assert len(mentees) == 1, f"{len(mentees)} open matches for a mentor with one place"
    assert asks == 1 and _audit_count(stack, "mentoring.mentor_asked") == 1
    assert second.error is None and isinstance(first.error, mentoring_service.MentoringError)
    with pytest.raises(mentoring_service.MentoringError) as later:
        pair("UPARENT")()  # what HR is told when they try again: the mentor has no free place
    assert _answer_of(first) == str(later.value)
    assert "no free place" in str(later.value)
