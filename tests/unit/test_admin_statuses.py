"""The App Home's cached answer to "is this person a workspace admin?" (users.info is Tier 4)."""

from __future__ import annotations

from typing import Any

from hr_plugin.slack.listeners.home import AdminStatuses
from hr_plugin.slack.payloads import RequestContext


class _CountingSlack:
    """``users.info`` as Slack answers it, counting the questions."""

    def __init__(self, admins: set[str]) -> None:
        self.admins = admins
        self.asked: list[str] = []

    def users_info(self, *, user: str) -> dict[str, Any]:
        self.asked.append(user)
        return {"user": {"id": user, "is_admin": user in self.admins}}


def test_slack_is_asked_once_per_person_and_workspace_until_the_answer_is_old() -> None:
    now = [1000.0]
    statuses = AdminStatuses(seconds=300, now=lambda: now[0])
    slack = _CountingSlack(admins={"UADMIN"})
    admin, member = (
        RequestContext(tenant_id="T1", user_id="UADMIN"),
        RequestContext(tenant_id="T1", user_id="UM"),
    )

    assert [statuses.is_admin(slack, admin) for _ in range(3)] == [True] * 3  # type: ignore[arg-type]
    assert [statuses.is_admin(slack, member) for _ in range(3)] == [False] * 3  # type: ignore[arg-type]
    assert slack.asked == ["UADMIN", "UM"]

    slack.admins = {"UM"}  # promoted and demoted in Slack: the Home follows once the answer is old
    now[0] += 299
    assert statuses.is_admin(slack, member) is False  # type: ignore[arg-type]
    now[0] += 2
    assert statuses.is_admin(slack, member) is True  # type: ignore[arg-type]
    assert statuses.is_admin(slack, admin) is False  # type: ignore[arg-type]
    assert slack.asked == ["UADMIN", "UM", "UM", "UADMIN"]

    other_workspace = RequestContext(tenant_id="T2", user_id="UM")
    assert statuses.is_admin(slack, other_workspace) is True  # type: ignore[arg-type]
    assert slack.asked[-1] == "UM" and len(slack.asked) == 5
