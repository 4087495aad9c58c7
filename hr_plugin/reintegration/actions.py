"""Every action id and callback id of return plans: what Slack sends back when someone clicks one
of the plan's buttons or submits or closes one of its modals. ``feature.py`` routes on them, and
the views and messages put them on what they build; here once, so the two cannot drift."""

from __future__ import annotations

# Buttons.
ACKNOWLEDGE_ACTION = "plan.acknowledge"  # the manager's "Got it", on the Home tab and in the plan's DM
EXTEND_ACTION = "plan.extend"
MORE_OPEN_ACTION = "plan.more_open"
NEED_OPEN_ACTION = "plan.need_open"
GRANT_ACTION = "plan.request_grant"
DECLINE_ACTION = "plan.request_decline"
POLICY_OPEN_ACTION = "policy.edit_open"

# Modals.
MORE_CALLBACK = "plan.more"
NEED_CALLBACK = "plan.need"
NEED_SEND_CALLBACK = "plan.need_send"
NEED_NOT_SENT_CALLBACK = "plan.need_not_sent"
POLICY_CALLBACK = "policy.edit"
