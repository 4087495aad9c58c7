"""What a person writes in their space: the weekly check-in, their private settings (the
profile), and the reflections at milestones and each quarter. All sealed, all readable only
by their owner.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hr_plugin.db import unit_of_work
from hr_plugin.vault.service._common import VaultBase, between_read_and_write
from hr_plugin.vault.signals import migrated
from hr_plugin.vault.values import (
    MAX_ANSWER,
    CheckinInput,
    ModalToken,
    Owner,
    Profile,
    VaultError,
    checked_arrival,
)


class Entries(VaultBase):
    """The part of ``Vault`` that saves and reads a person's sealed entries."""

    # -- the weekly check-in -----------------------------------------------------------

    def iso_week(self, owner: Owner, moment: datetime | None = None) -> str:
        from zoneinfo import ZoneInfo

        local = (moment or self.clock.now()).astimezone(ZoneInfo(owner.timezone)).date()
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"

    def _week_record_id(self, owner: Owner, week: str) -> str:
        """The id of the person's check-in for ``week``: the same for every check-in that week."""
        return self._fixed_id(owner, "vault.checkin-week-ids", week, "checkin")

    def save_checkin(
        self,
        tenant_id: str,
        user_id: str,
        answers: CheckinInput,
        *,
        from_reminder: bool,
        token: ModalToken | None = None,
    ) -> None:
        """One entry per week: checking in again the same week replaces that week's entry.

        With the modal's ``token`` the token is spent in the same transaction as the entry:
        both are committed or neither (``StaleScreen`` if it was already spent).
        """
        answers.check()
        with unit_of_work(self.factory) as session:
            self._spend(session, tenant_id, user_id, token)
            owner = self.owner(session, tenant_id, user_id)
            if self.space(session, owner) is None:
                raise VaultError("Please open your private space and agree first.")
            week = self.iso_week(owner)
            stored = self._records(session, owner, "checkin")
            existing = [rid for rid, data in stored if data.get("week") == week]
            earlier = sorted((d for _, d in stored if str(d.get("week")) < week), key=lambda d: d["week"])
            # The follow-ups answer the latest earlier check-in's experiments, in their order.
            last_planned = migrated(earlier[-1])["experiments"] if earlier else []
            entry = {
                "week": week,
                "saved_at": self.clock.now().isoformat(),
                "restorative": answers.restorative.strip(),
                "demand": answers.demand.strip(),
                "vulnerability": answers.vulnerability.strip(),
                "rating": answers.rating,
                "experiments": [
                    {
                        "text": planned.text.strip(),
                        "day": int(planned.day) if planned.day is not None else None,
                        "time": planned.time,
                    }
                    for planned in answers.experiments
                    if planned.text.strip()
                ],
                "follow_ups": [
                    {
                        # Which of last week's experiments this answers: its place in that
                        # week's list (two may have the same words), and its words.
                        "index": index,
                        "experiment": last_planned[index]["text"],
                        "outcome": answer.outcome,
                        "note": answer.note.strip(),
                    }
                    for index, answer in enumerate(answers.follow_ups)
                    if index < len(last_planned) and (answer.outcome or answer.note.strip())
                ],
                "partner_rating": answers.partner_rating,
                "partner_words": answers.partner_words.strip(),
                "closeness_outside": answers.closeness_outside,
                "from_reminder": from_reminder,
            }
            between_read_and_write()
            # The week's own id, not a random one: two check-ins of one week at once then write
            # the same row and the last one stays, as when one follows the other. (An entry
            # stored under a random id before keeps it.)
            record_id = existing[0] if existing else self._week_record_id(owner, week)
            self._write(session, owner, "checkin", entry, record_id)
            session.commit()

    def entries(self, tenant_id: str, user_id: str) -> list[dict[str, Any]]:
        with unit_of_work(self.factory) as session:
            owner = self.owner(session, tenant_id, user_id)
            return sorted(
                (migrated(data) for _, data in self._records(session, owner, "checkin")),
                key=lambda d: d["week"],
            )

    def this_week(self, tenant_id: str, user_id: str) -> str:
        with unit_of_work(self.factory) as session:
            return self.iso_week(self.owner(session, tenant_id, user_id))

    # -- profile, milestones, reviews ----------------------------------------------------

    def profile(self, tenant_id: str, user_id: str) -> Profile:
        with unit_of_work(self.factory) as session:
            owner = self.owner(session, tenant_id, user_id)
            found = self._records(session, owner, "profile")
            return Profile(**found[0][1]) if found else Profile()

    def save_profile(
        self, tenant_id: str, user_id: str, profile: Profile, *, token: ModalToken | None = None
    ) -> None:
        profile.arrival_date = checked_arrival(profile.arrival_date, self.clock.now().date())
        with unit_of_work(self.factory) as session:
            self._spend(session, tenant_id, user_id, token)
            owner = self.owner(session, tenant_id, user_id)
            found = self._records(session, owner, "profile")
            between_read_and_write()
            # An older profile keeps its random id; a new one gets the person's fixed id.
            record_id = found[0][0] if found else self._profile_record_id(owner)
            self._write(session, owner, "profile", profile.__dict__, record_id)
            session.commit()

    def save_reflection(
        self,
        tenant_id: str,
        user_id: str,
        kind: str,
        answers: dict[str, str],
        *,
        milestone: str | None = None,
        token: ModalToken | None = None,
    ) -> None:
        """A milestone answer or a quarterly review: sealed like a check-in.

        A ``milestone`` answered is marked in the profile in the same transaction as the answer
        (and the modal's ``token`` spent in it too), so it is never marked without its answer.
        """
        if kind not in ("milestone", "review"):
            raise VaultError("Unknown reflection.")
        for name, text in answers.items():
            if len(text) > MAX_ANSWER:
                raise VaultError(f"Please keep this under {MAX_ANSWER} characters.", name)
        with unit_of_work(self.factory) as session:
            self._spend(session, tenant_id, user_id, token)
            owner = self.owner(session, tenant_id, user_id)
            # A milestone's answer keeps which milestone it answers, so it can be read back
            # under its name (older answers, saved without it, are read back without one).
            which = {"milestone": milestone} if milestone is not None else {}
            # A milestone keeps one answer: its own record id, so answering it again (another
            # screen of it, or twelve at once) replaces the answer, as a week's check-in does.
            record_id = (
                self._fixed_id(owner, "vault.milestone-ids", milestone, kind)
                if milestone is not None
                else None
            )
            between_read_and_write()
            self._write(
                session,
                owner,
                kind,
                {"saved_at": self.clock.now().isoformat(), **which, **answers},
                record_id,
            )
            if milestone is not None:
                found = self._records(session, owner, "profile")
                profile = Profile(**found[0][1]) if found else Profile()
                if milestone not in profile.answered_milestones:
                    profile.answered_milestones = [*profile.answered_milestones, milestone]
                record_id = found[0][0] if found else self._profile_record_id(owner)
                self._write(session, owner, "profile", profile.__dict__, record_id)
            session.commit()

    def reflections(self, tenant_id: str, user_id: str, kind: str) -> list[dict[str, Any]]:
        with unit_of_work(self.factory) as session:
            owner = self.owner(session, tenant_id, user_id)
            return sorted((d for _, d in self._records(session, owner, kind)), key=lambda d: d["saved_at"])
