"""Use cases for reintegration plans: policies, plans, extensions, shared needs, managers.

One function per thing a person does, one transaction each, the clock passed in. What a
manager receives is built only from the plan's dates and percents (the disclosure matrix:
"plan and dates", nothing else).

A package because one module grew past 600 lines; each submodule is one idea (``policies``,
``plans``, ``extensions``, ``needs``, ``managers``). Callers import the names below from here.
"""

from __future__ import annotations

from hr_plugin.reintegration.service._common import PlanError
from hr_plugin.reintegration.service.extensions import (
    NO_EXTENSION_LEFT,
    decide_request,
    extend,
    open_requests,
    request_more,
)
from hr_plugin.reintegration.service.managers import (
    acknowledge,
    follow_managers,
    manages_a_plan,
    plans_for_manager,
    remind_capacity_changes,
)
from hr_plugin.reintegration.service.needs import MAX_NEED_LENGTH, check_need, share_need, share_need_in
from hr_plugin.reintegration.service.plans import active_plans, on_enrolment, own_plan_id, plan_by_id, plan_of
from hr_plugin.reintegration.service.policies import (
    ensure_default_policy,
    list_policies,
    policy_inputs,
    set_policy,
    set_policy_from_slack,
)

__all__ = [
    "MAX_NEED_LENGTH",
    "NO_EXTENSION_LEFT",
    "PlanError",
    "acknowledge",
    "active_plans",
    "check_need",
    "decide_request",
    "ensure_default_policy",
    "extend",
    "follow_managers",
    "list_policies",
    "manages_a_plan",
    "on_enrolment",
    "open_requests",
    "own_plan_id",
    "plan_by_id",
    "plan_of",
    "plans_for_manager",
    "policy_inputs",
    "remind_capacity_changes",
    "request_more",
    "set_policy",
    "set_policy_from_slack",
    "share_need",
    "share_need_in",
]
