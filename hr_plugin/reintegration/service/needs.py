"""A need the employee chose to tell their manager: the need, not the story. The words are
checked, sent exactly as previewed (``drafts`` spends its draft in the same transaction) and
recorded; the manager gets them quoted as words only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hr_plugin import audit, outbox
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import find_by_slack_id
from hr_plugin.models import Employee
from hr_plugin.reintegration import messages
from hr_plugin.reintegration.models import SharedNeed
from hr_plugin.reintegration.service._common import PlanError

MAX_NEED_LENGTH = 1000


def check_need(text: str) -> str:
    """The words of a need as they will be sent, or why they cannot be."""
    words = text.strip()
    if not words:
        raise PlanError("Write what you need, or pick a template.", "detail")
    if len(words) > MAX_NEED_LENGTH:
        raise PlanError(f"Keep it under {MAX_NEED_LENGTH} characters.", "detail")
    return words


def share_need(factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, text: str) -> None:
    """Send the manager exactly the words the employee previewed: the need, not the story."""
    words = check_need(text)
    with unit_of_work(factory) as session:
        employee = find_by_slack_id(session, tenant_id, user_id)
        if employee is None:
            raise PlanError("You are not in the directory.", "detail")
        share_need_in(session, clock, employee, words)
        session.commit()


def share_need_in(session: Session, clock: Clock, employee: Employee, words: str) -> None:
    """``share_need`` in the caller's transaction (a previewed draft is spent in the same one).

    The message is built from the employee's name as it is now, so a rename between the
    preview and the send changes the name, never the words."""
    tenant_id = employee.tenant_id
    user_id = employee.slack_user_id or str(employee.id)
    manager = session.get(Employee, employee.manager_id) if employee.manager_id else None
    if manager is None or not manager.reachable:
        raise PlanError("You have no manager in the directory to send this to; HR can fix that.", "detail")
    need = SharedNeed(
        tenant_id=tenant_id,
        employee_id=employee.id,
        manager_id=manager.id,
        text=words,
        sent_at=clock.now(),
    )
    session.add(need)
    session.flush()
    outbox.enqueue(
        session,
        tenant_id=tenant_id,
        key=f"shared-need:{tenant_id}:{need.id}",
        now=clock.now(),
        recipient=manager.slack_user_id,
        text=messages.need_text(employee.name, words),
    )
    audit.record(
        session,
        tenant_id=tenant_id,
        at=clock.now(),
        actor=user_id,
        action="plan.need_shared",
        subject=str(employee.id),
    )
