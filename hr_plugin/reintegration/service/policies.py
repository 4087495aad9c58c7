"""HR's budgets for returns, as stored: every tenant starts with a default, HR adds or changes
policies (audited, from the modal or ``hr-plugin policy set``), and a new plan reads them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_plugin import audit
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import find_by_slack_id
from hr_plugin.reintegration.models import Policy
from hr_plugin.reintegration.policy import DEFAULT_POLICY, PolicyError, PolicyInput
from hr_plugin.roles import is_hr_admin


def policy_inputs(session: Session, tenant_id: str) -> list[PolicyInput]:
    rows = session.scalars(select(Policy).where(Policy.tenant_id == tenant_id).order_by(Policy.name))
    return [_input(row) for row in rows]


def ensure_default_policy(session: Session, tenant_id: str, now: datetime) -> None:
    """A tenant starts with a sensible budget: 2 weeks at 50%, one week at 75%."""
    exists = session.scalar(select(Policy.id).where(Policy.tenant_id == tenant_id).limit(1))
    if exists is None:
        session.add(_row(tenant_id, DEFAULT_POLICY, actor="default", now=now))
        session.flush()


def set_policy(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, policy: PolicyInput, actor: str
) -> bool:
    """Create or replace the policy of that name; True if it is new. Audited with who and when."""
    now = clock.now()
    with unit_of_work(factory) as session:
        ensure_default_policy(session, tenant_id, now)  # HR's first policy adds to the default
        clash = session.scalars(
            select(Policy).where(
                Policy.tenant_id == tenant_id,
                Policy.scope_kind == policy.scope_kind,
                Policy.scope_value == policy.scope_value,
                Policy.name != policy.name,
            )
        ).first()
        if clash is not None:
            raise PolicyError("scope", f"the policy {clash.name!r} already covers {policy.scope_words()}")
        row = session.scalars(
            select(Policy).where(Policy.tenant_id == tenant_id, Policy.name == policy.name)
        ).first()
        created = row is None
        if row is None:
            session.add(_row(tenant_id, policy, actor=actor, now=now))
        else:
            row.scope_kind, row.scope_value = policy.scope_kind, policy.scope_value
            row.reduced_weeks, row.reduced_percent = policy.reduced_weeks, policy.reduced_percent
            row.ramp_percents, row.extension_weeks = list(policy.ramp_percents), policy.extension_weeks
            row.updated_by, row.updated_at = actor, now
        audit.record(
            session,
            tenant_id=tenant_id,
            at=now,
            actor=actor,
            action="policy.created" if created else "policy.changed",
            subject=policy.name,
            details={
                "scope": policy.scope_words(),
                "reduced_weeks": policy.reduced_weeks,
                "reduced_percent": policy.reduced_percent,
                "ramp_percents": list(policy.ramp_percents),
                "extension_weeks": policy.extension_weeks,
            },
        )
        session.commit()
        return created


def set_policy_from_slack(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, actor_user_id: str, policy: PolicyInput
) -> bool:
    with unit_of_work(factory) as session:
        actor = find_by_slack_id(session, tenant_id, actor_user_id)
        if actor is None or not is_hr_admin(session, tenant_id, actor.id):
            raise PolicyError("name", "Only HR admins can change policies.")
    return set_policy(factory, clock, tenant_id=tenant_id, policy=policy, actor=actor_user_id)


def list_policies(factory: SessionFactory, clock: Clock, *, tenant_id: str) -> list[PolicyInput]:
    with unit_of_work(factory) as session:
        ensure_default_policy(session, tenant_id, clock.now())
        session.commit()
        return policy_inputs(session, tenant_id)


def _input(row: Policy) -> PolicyInput:
    return PolicyInput(
        row.name,
        row.scope_kind,
        row.scope_value,
        row.reduced_weeks,
        row.reduced_percent,
        tuple(row.ramp_percents),
        row.extension_weeks,
    )


def _row(tenant_id: str, policy: PolicyInput, *, actor: str, now: datetime) -> Policy:
    return Policy(
        tenant_id=tenant_id,
        name=policy.name,
        scope_kind=policy.scope_kind,
        scope_value=policy.scope_value,
        reduced_weeks=policy.reduced_weeks,
        reduced_percent=policy.reduced_percent,
        ramp_percents=list(policy.ramp_percents),
        extension_weeks=policy.extension_weeks,
        updated_by=actor,
        updated_at=now,
    )
