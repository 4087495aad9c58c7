"""A previewed need is sent once, or not at all: double clicks, a close racing a send, an hour.

The preview keeps the need's words in a draft row (``hr_plugin.reintegration.drafts``). Spending
it is once only: a conditional DELETE decides which send goes out. Each interleaving here holds
the first call at the drafts module's seam (after it has read the draft, before it deletes it)
while a second call runs to the end (``tests.reliability.test_once_only.interleave``); with the
conditional delete taken out, both sends go out. Then the same through concurrent signed
requests.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from hr_plugin.db import unit_of_work
from hr_plugin.models import OutboxMessage
from hr_plugin.reintegration import drafts
from hr_plugin.reintegration import views as plan_views
from hr_plugin.reintegration.models import NeedDraft, SharedNeed
from hr_plugin.reintegration.service import PlanError
from hr_plugin.testing.signed_client import SignedResponse
from hr_plugin.testing.stack import AppStack
from tests.e2e import vault_flows as flow
from tests.e2e.conftest import TEAM
from tests.reliability.conftest import AppErrors
from tests.reliability.test_once_only import interleave

CLICKS = 10


@pytest.fixture
def parent(stack: AppStack, hr: str) -> str:
    flow.enrol(stack, "UPARENT")
    stack.ticks.context.drainer.drain(max_seconds=60)
    return "UPARENT"


def _draft(stack: AppStack, user: str) -> str:
    return drafts.save(
        stack.factory, stack.services.clock, tenant_id=TEAM, user_id=user, words="Mondays at home, please"
    ).draft_id


def _counts(stack: AppStack) -> tuple[int, int, int]:
    """(needs shared, need messages queued, drafts left)."""
    with unit_of_work(stack.factory) as session:
        shared = session.scalar(select(func.count()).select_from(SharedNeed)) or 0
        queued = (
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.idempotency_key.startswith("shared-need:"))
            )
            or 0
        )
        left = session.scalar(select(func.count()).select_from(NeedDraft)) or 0
    return int(shared), int(queued), int(left)


def _send(stack: AppStack, user: str, draft_id: str) -> None:
    drafts.send(stack.factory, stack.services.clock, tenant_id=TEAM, user_id=user, draft_id=draft_id)


def test_two_sends_of_one_draft_at_once_send_it_once(stack: AppStack, parent: str) -> None:
    draft_id = _draft(stack, parent)

    first, second = interleave(
        drafts, lambda: _send(stack, parent, draft_id), lambda: _send(stack, parent, draft_id)
    )

    assert second.error is None  # it ran to the end while the first was held
    assert isinstance(first.error, PlanError) and str(first.error) == drafts.GONE
    assert _counts(stack) == (1, 1, 0)


def test_a_close_racing_a_send_either_sends_or_deletes_never_both(stack: AppStack, parent: str) -> None:
    draft_id = _draft(stack, parent)

    def close() -> bool:
        return drafts.discard(stack.factory, tenant_id=TEAM, user_id=parent, draft_id=draft_id)

    first, second = interleave(drafts, lambda: _send(stack, parent, draft_id), close)

    assert second.error is None and second.value is True  # the close won: the draft is gone
    assert isinstance(first.error, PlanError)  # so the send that read it sends nothing
    assert _counts(stack) == (0, 0, 0)


def test_a_send_clicked_ten_times_at_once_reaches_the_manager_once(
    stack: AppStack, parent: str, app_errors: AppErrors
) -> None:
    preview = stack.slack.view_submission(
        parent,
        plan_views.NEED_CALLBACK,
        {
            plan_views.TEMPLATE_BLOCK: {"value": {"selected_option": {"value": "remote_days"}}},
            plan_views.DETAIL_BLOCK: {"value": {"value": "Mondays"}},
        },
    )
    assert preview.json is not None, preview.body
    draft_id = preview.json["view"]["private_metadata"]
    answers: list[SignedResponse] = []
    guard, start = threading.Lock(), threading.Barrier(CLICKS)

    def click() -> None:
        start.wait(10)
        answer = stack.slack.view_submission(
            parent, plan_views.NEED_SEND_CALLBACK, {}, private_metadata=draft_id
        )
        with guard:
            answers.append(answer)

    threads = [threading.Thread(target=click, daemon=True) for _ in range(CLICKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    stack.ticks.context.drainer.drain(max_seconds=60)

    assert len(answers) == CLICKS and all(answer.status == 200 for answer in answers)
    closed = [answer for answer in answers if not answer.json]
    refused: list[dict[str, Any]] = [answer.json["view"] for answer in answers if answer.json]
    assert len(closed) == 1  # one send went out and closed the modal
    assert {view["callback_id"] for view in refused} == {plan_views.NEED_NOT_SENT_CALLBACK}
    assert _counts(stack) == (1, 1, 0)
    sent = [
        call
        for call in stack.fake.calls_for("chat.postMessage", user="ULEAD")
        if call["ok"] and "shared a work need" in call["params"]["text"]
    ]
    assert len(sent) == 1
    app_errors.assert_none()
