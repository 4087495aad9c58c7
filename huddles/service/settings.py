"""HR's huddle settings: read with the defaults for a workspace that has none, and saved by an
HR admin once checked. They apply from the next cycle that is not yet planned.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_plugin import audit
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import HrAdmin
from huddles import series
from huddles.models import HuddleSettings
from huddles.service._common import HuddleError, _person


@dataclass(frozen=True)
class HuddleConfig:
    """A workspace's settings: whether huddles run, their rhythm and sizes, HR's video link."""

    enabled: bool
    cadence: series.Cadence
    video_link: str | None


DEFAULT_CONFIG = HuddleConfig(True, series.Cadence(), None)


def config_of(session: Session, tenant_id: str) -> HuddleConfig:
    row = _settings_row(session, tenant_id)
    if row is None:
        return DEFAULT_CONFIG
    cadence = series.Cadence(
        every_months=row.every_months,
        week_of_month=row.week_of_month,
        avoided_weekdays=frozenset(row.avoided_weekdays),
        min_size=row.min_size,
        max_size=row.max_size,
        eligible_months=row.eligible_months,
    )
    return HuddleConfig(row.enabled, cadence, row.video_link)


def current_config(factory: SessionFactory, *, tenant_id: str) -> HuddleConfig:
    with unit_of_work(factory) as session:
        return config_of(session, tenant_id)


def save_config(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, config: HuddleConfig
) -> None:
    """HR saves the settings; they apply from the next cycle that is not yet planned."""
    try:
        config.cadence.check()
    except series.SettingsError as exc:
        raise HuddleError(str(exc), exc.field) from None
    link = (config.video_link or "").strip() or None
    if link is not None and not link.startswith("https://"):
        raise HuddleError("A video link starts with https://", "video_link")
    now = clock.now()
    with unit_of_work(factory) as session:
        actor = _person(session, tenant_id, user_id)
        if (
            session.scalar(
                select(HrAdmin.id).where(HrAdmin.tenant_id == tenant_id, HrAdmin.employee_id == actor.id)
            )
            is None
        ):
            raise HuddleError("Only HR admins can change huddle settings.", "every_months")
        row = _settings_row(session, tenant_id)
        if row is None:
            row = HuddleSettings(tenant_id=tenant_id)
            session.add(row)
        cadence = config.cadence
        row.enabled, row.video_link, row.updated_at = config.enabled, link, now
        row.every_months, row.week_of_month = cadence.every_months, cadence.week_of_month
        row.avoided_weekdays = sorted(cadence.avoided_weekdays)
        row.min_size, row.max_size, row.eligible_months = (
            cadence.min_size,
            cadence.max_size,
            cadence.eligible_months,
        )
        audit.record(
            session,
            tenant_id=tenant_id,
            at=now,
            actor=user_id,
            action="huddles.settings_changed",
            details={
                "enabled": config.enabled,
                "every_months": cadence.every_months,
                "week_of_month": cadence.week_of_month,
                "avoided_weekdays": sorted(cadence.avoided_weekdays),
                "min_size": cadence.min_size,
                "max_size": cadence.max_size,
                "eligible_months": cadence.eligible_months,
                "video_link": link is not None,
            },
        )
        session.commit()


def _settings_row(session: Session, tenant_id: str) -> HuddleSettings | None:
    return session.scalars(select(HuddleSettings).where(HuddleSettings.tenant_id == tenant_id)).first()
