"""Block Kit for plans: the employee's, the manager's and HR's parts of the App Home, and modals;
and what each modal's submission says, parsed (``...Submission.from_view``) before a listener
calls the service."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, Self

from pydantic import BaseModel
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from hr_plugin.reintegration.actions import (
    ACKNOWLEDGE_ACTION,
    DECLINE_ACTION,
    EXTEND_ACTION,
    GRANT_ACTION,
    MORE_CALLBACK,
    MORE_OPEN_ACTION,
    NEED_CALLBACK,
    NEED_NOT_SENT_CALLBACK,
    NEED_OPEN_ACTION,
    NEED_SEND_CALLBACK,
    POLICY_CALLBACK,
    POLICY_OPEN_ACTION,
)
from hr_plugin.reintegration.messages import need_templates
from hr_plugin.reintegration.plan_view import PlanView
from hr_plugin.reintegration.policy import PolicyInput
from hr_plugin.reintegration.wording import day
from hr_plugin.reports import BudgetInUse, Figure
from hr_plugin.slack.blockkit import escape, fit_lines, state_value

WEEKS_BLOCK, TEMPLATE_BLOCK, DETAIL_BLOCK = "weeks", "template", "detail"
POLICY_FIELDS = (
    "name",
    "scope",
    "scope_value",
    "reduced_weeks",
    "reduced_percent",
    "ramp_percents",
    "extension_weeks",
)
LIST_LIMIT = 8


# -- the employee ------------------------------------------------------------------------


def employee_plan_blocks(plan: PlanView, today: date) -> list[Block]:
    current = plan.percent_in_week(today) if plan.return_date <= today < plan.full_capacity_from else None
    lines = []
    for week in plan.weeks:
        marker = (
            " ← this week"
            if current is not None and week.week_start <= today < _next_monday(week.week_start)
            else ""
        )
        lines.append(f"Week of {day(week.week_start)}: *{week.percent}%*{marker}")
    lines.append(f"From {day(plan.full_capacity_from)}: 100%")
    buttons: list[ButtonElement] = []
    if plan.extension_left > 0 and today < plan.full_capacity_from:
        buttons.append(
            ButtonElement(
                text="Add a week at reduced time",
                action_id=EXTEND_ACTION,
                value=str(plan.plan_id),
                confirm=ConfirmObject(
                    title="Add a week?",
                    text=f"Your plan allows {plan.extension_left} more week(s). No reason needed; "
                    "your manager gets the new dates.",
                    confirm="Add it",
                    deny="Not now",
                ),
            )
        )
    buttons.append(
        ButtonElement(text="Ask HR for more time", action_id=MORE_OPEN_ACTION, value=str(plan.plan_id))
    )
    buttons.append(
        ButtonElement(text="Share a need with my manager", action_id=NEED_OPEN_ACTION, value="open")
    )
    return [
        SectionBlock(text=MarkdownTextObject(text="*Your plan*\n" + "\n".join(lines))),
        ActionsBlock(block_id="plan", elements=buttons),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Your manager sees these dates and percents, and nothing else from the program."
                )
            ]
        ),
    ]


def more_time_modal() -> View:
    return View(
        type="modal",
        callback_id=MORE_CALLBACK,
        title="Ask HR for more time",
        submit="Send to HR",
        close="Cancel",
        blocks=[
            SectionBlock(text="HR sees how many weeks you ask for. No reason is asked for or shared."),
            InputBlock(
                block_id=WEEKS_BLOCK,
                label="Extra weeks at reduced time",
                element=NumberInputElement(
                    action_id="value", is_decimal_allowed=False, min_value="1", max_value="8"
                ),
            ),
        ],
    )


def need_modal() -> View:
    templates = need_templates()
    return View(
        type="modal",
        callback_id=NEED_CALLBACK,
        title="Share a need",
        submit="Preview",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text="Share the need, not the story: your manager reads only the request. "
                    "You see exactly what they will receive before anything is sent."
                )
            ),
            InputBlock(
                block_id=TEMPLATE_BLOCK,
                label="What kind of need",
                element=StaticSelectElement(
                    action_id="value",
                    options=[Option(value=key, label=item["label"]) for key, item in templates.items()],
                ),
            ),
            InputBlock(
                block_id=DETAIL_BLOCK,
                label="Details",
                hint="Times, days or your own words",
                element=PlainTextInputElement(action_id="value", max_length=500, multiline=True),
            ),
        ],
    )


def need_preview_modal(manager_text: str, draft_id: str) -> View:
    """The exact message, for the person's eyes; the words wait on the server as a draft.

    ``private_metadata`` holds only the draft's random id (``hr_plugin.reintegration.drafts``),
    and ``notify_on_close`` tells the app when the preview is closed, so the draft is deleted.
    """
    return View(
        type="modal",
        callback_id=NEED_SEND_CALLBACK,
        title="Preview",
        submit="Send",
        close="Don't send",
        private_metadata=draft_id,
        notify_on_close=True,
        blocks=[
            SectionBlock(text="Your manager will receive exactly this message:"),
            SectionBlock(text=MarkdownTextObject(text=manager_text)),
        ],
    )


def need_not_sent_modal(reason: str) -> View:
    """A send that was refused: why, and that the words were not kept."""
    return View(
        type="modal",
        callback_id=NEED_NOT_SENT_CALLBACK,
        title="Not sent",
        close="Close",
        blocks=[SectionBlock(text=f"Nothing was sent. {reason}")],
    )


# -- the manager -------------------------------------------------------------------------


def manager_blocks(plans: list[PlanView], today: date) -> list[Block]:
    blocks: list[Block] = []
    for plan in plans[:LIST_LIMIT]:
        now = plan.percent_in_week(today) if plan.return_date <= today < plan.full_capacity_from else None
        state = (
            f"this week {now}%"
            if now is not None
            else ("not back yet" if today < plan.return_date else "at full capacity")
        )
        text = (
            f"*{escape(plan.employee_name)}*: back {day(plan.return_date)}, {state}, "
            f"full capacity from {day(plan.full_capacity_from)}"
        )
        accessory = (
            None
            if plan.acknowledged
            else ButtonElement(
                text="Got it", action_id=ACKNOWLEDGE_ACTION, value=str(plan.plan_id), style="primary"
            )
        )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text), accessory=accessory))
    return blocks


# -- HR ----------------------------------------------------------------------------------


def hr_blocks(
    *,
    plans_active: int,
    unacknowledged: int,
    requests: list[tuple[int, str, int]],
    budget: BudgetInUse,
    policies: list[PolicyInput],
    minimum: int,
) -> list[Block]:
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    f"*Return plans*\nActive: {plans_active}. "
                    f"Not yet acknowledged by the manager: {unacknowledged}."
                )
            )
        )
    ]
    for request_id, name, weeks in requests[:LIST_LIMIT]:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=f"{escape(name)} asks for {weeks} more week(s) at reduced time.")
            )
        )
        blocks.append(
            ActionsBlock(
                block_id=f"request-{request_id}",
                elements=[
                    ButtonElement(
                        text="Grant", action_id=GRANT_ACTION, value=str(request_id), style="primary"
                    ),
                    ButtonElement(text="Decline", action_id=DECLINE_ACTION, value=str(request_id)),
                ],
            )
        )
    blocks.append(SectionBlock(text=MarkdownTextObject(text=_budget_text(budget, minimum))))
    lines = [
        f"• *{escape(policy.name)}* ({escape(policy.scope_words())}): {policy.summary()}"
        for policy in policies[:LIST_LIMIT]
    ]
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(
                text=fit_lines(lines, head="*Policies*") if lines else "*Policies*\nNone yet."
            ),
            accessory=ButtonElement(text="Add or edit", action_id=POLICY_OPEN_ACTION, value="open"),
        )
    )
    return blocks


def _budget_text(budget: BudgetInUse, minimum: int) -> str:
    if budget.total_person_weeks is None:
        return (
            "*Budget in use*\nFewer than "
            f"{minimum} people have reduced time, so no figures are shown (they could identify someone)."
        )

    def line(figure: Figure) -> str:
        shown = f"{figure.value} person-weeks" if figure.value is not None else "hidden (small group)"
        return f"{escape(figure.label)}: {shown}"

    months = "\n".join(line(figure) for figure in budget.by_month[-6:])
    departments = "\n".join(line(figure) for figure in budget.by_department[:LIST_LIMIT])
    return (
        f"*Budget in use*: {budget.total_person_weeks} person-weeks of reduced time\n"
        f"_By month_\n{months}\n_By department_\n{departments}"
    )


def policy_modal(policies: list[PolicyInput]) -> View:
    current = policies[0] if len(policies) == 1 else None
    scope_options = [
        Option(value="all", label="Everyone"),
        Option(value="country", label="A country"),
        Option(value="department", label="A department"),
    ]

    def text(
        block_id: str, label: str, initial: str | None, hint: str | None = None, optional: bool = False
    ) -> Block:
        return InputBlock(
            block_id=block_id,
            label=label,
            hint=hint,
            optional=optional,
            element=PlainTextInputElement(action_id="value", initial_value=initial or None),
        )

    def number(block_id: str, label: str, initial: int | None, low: int, high: int) -> Block:
        return InputBlock(
            block_id=block_id,
            label=label,
            element=NumberInputElement(
                action_id="value",
                is_decimal_allowed=False,
                initial_value=str(initial) if initial is not None else None,
                min_value=str(low),
                max_value=str(high),
            ),
        )

    listing = "\n".join(f"• {escape(policy.name)}" for policy in policies[:LIST_LIMIT]) or "none"
    return View(
        type="modal",
        callback_id=POLICY_CALLBACK,
        title="Return policy",
        submit="Save",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"Existing policies: {listing}\nUse an existing name to change that policy. "
                    "The most specific policy applies: department, then country, then everyone."
                )
            ),
            text("name", "Name", current.name if current else None),
            InputBlock(
                block_id="scope",
                label="Applies to",
                element=StaticSelectElement(
                    action_id="value",
                    options=scope_options,
                    initial_option=scope_options[0],
                ),
            ),
            text(
                "scope_value", "Country code or department", None, "Leave empty for everyone", optional=True
            ),
            number("reduced_weeks", "Weeks at reduced time", current.reduced_weeks if current else 2, 0, 12),
            number("reduced_percent", "Reduced percent", current.reduced_percent if current else 50, 1, 100),
            text(
                "ramp_percents",
                "Ramp weeks after that",
                "75",
                "Percents separated by commas, like 75, 90",
                optional=True,
            ),
            number(
                "extension_weeks",
                "Extra weeks employees may add",
                current.extension_weeks if current else 1,
                0,
                12,
            ),
        ],
    )


def section_divider() -> Block:
    return DividerBlock()


def _next_monday(start: date) -> date:
    return start + timedelta(days=7)


# -- what the modals' submissions say ----------------------------------------------------


def _text(view: dict[str, Any], block_id: str) -> str:
    return (state_value(view, block_id).get("value") or "").strip()


def _whole_or_raw(raw: str) -> int | str:
    """A whole number when it is one, else the words as typed (for ``parse_policy`` to refuse)."""
    try:
        return int(raw)
    except ValueError:
        return raw


class MoreTimeSubmission(BaseModel):
    """The "Ask HR for more time" modal: the weeks asked for, None when not a whole number."""

    weeks: int | None

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Self:
        raw = state_value(view, WEEKS_BLOCK).get("value") or ""
        try:
            weeks: int | None = int(raw)
        except ValueError:
            weeks = None
        return cls(weeks=weeks)


class NeedSubmission(BaseModel):
    """The "Share a need" modal: the template chosen ("" if none) and the details, trimmed."""

    template: str
    detail: str

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Self:
        chosen = state_value(view, TEMPLATE_BLOCK).get("selected_option") or {}
        return cls(template=chosen.get("value") or "", detail=_text(view, DETAIL_BLOCK))


class NeedPreviewSubmission(BaseModel):
    """The need's preview, sent or closed: only its draft's id, all the modal carries ("" if none)."""

    draft_id: str

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Self:
        return cls(draft_id=view.get("private_metadata") or "")


class PolicySubmission(BaseModel):
    """HR's policy modal, as typed: numbers that are not whole stay words, so ``parse_policy``
    refuses them with the same message a policy file gets."""

    name: str
    scope_kind: str
    scope_value: str
    reduced_weeks: int | str
    reduced_percent: int | str
    ramp_percents: list[int | str]
    extension_weeks: int | str

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Self:
        scope = state_value(view, "scope").get("selected_option") or {}
        fields = (
            "name",
            "scope_value",
            "reduced_weeks",
            "reduced_percent",
            "ramp_percents",
            "extension_weeks",
        )
        return cls.from_typed({"scope": scope.get("value", "all"), **{f: _text(view, f) for f in fields}})

    @classmethod
    def from_typed(cls, typed: Mapping[str, str]) -> Self:
        """The same fields as typed into another form (the web console's), keyed by block id."""
        ramps = [part.strip() for part in typed.get("ramp_percents", "").split(",") if part.strip()]
        return cls(
            name=typed.get("name", "").strip(),
            scope_kind=typed.get("scope") or "all",
            scope_value=typed.get("scope_value", "").strip(),
            reduced_weeks=_whole_or_raw(typed.get("reduced_weeks", "").strip()),
            reduced_percent=_whole_or_raw(typed.get("reduced_percent", "").strip()),
            ramp_percents=[_whole_or_raw(part) for part in ramps],
            extension_weeks=_whole_or_raw(typed.get("extension_weeks", "").strip()),
        )

    def policy_fields(self) -> dict[str, Any]:
        """The fields as a policy file holds them, for ``parse_policy``."""
        return {
            "name": self.name,
            "scope": "all" if self.scope_kind == "all" else {self.scope_kind: self.scope_value},
            "reduced_weeks": self.reduced_weeks,
            "reduced_percent": self.reduced_percent,
            "ramp_percents": list(self.ramp_percents),
            "extension_weeks": self.extension_weeks,
        }

    @staticmethod
    def error_block(field: str) -> str:
        """The block beside which a ``PolicyError`` on ``field`` is shown."""
        return "scope_value" if field == "scope" else field
