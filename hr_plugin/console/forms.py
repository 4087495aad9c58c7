"""The console's forms, with WTForms: their fields, labels and the values typed into them.

WTForms reads, keeps and draws what was typed; the rules stay where the App Home's modals keep
them (``hr_plugin.help_links.check_resource``, ``hr_plugin.reintegration.policy.parse_policy``),
so an error here is the same sentence Slack shows. The forms carry no CSRF token of their own:
``admin_page`` checks the session's token on every POST (one mechanism, not two).
"""

from __future__ import annotations

from typing import Any

from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.fields import DateField
from wtforms.fields.choices import SelectChoice

from hr_plugin.help_links import KIND_NAMES


def choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class HelpLinkForm(Form):
    """The App Home's "Add a link", field for field (the names are ``check_resource``'s)."""

    kind = SelectField(
        "Kind", choices=choices([("", "Choose a kind"), *KIND_NAMES.items()]), validate_choice=False
    )
    name = StringField("Name")
    url = StringField("Link", description="https://... for a web page, tel:... for a phone number.")
    country = StringField(
        "Country", description="Two letters, such as GB or US. Leave blank to show it to everyone."
    )
    description = TextAreaField("Description (optional)")
    sessions = StringField(
        "Counselling sessions offered (optional)",
        description="For counselling only: shown to people only when you fill it in.",
    )

    def fields(self) -> dict[str, Any]:
        return {
            name: self[name].data for name in ("kind", "name", "url", "country", "description", "sessions")
        }


class PolicyForm(Form):
    """The Slack policy modal, field for field (the names are its block ids)."""

    name = StringField("Name", description="Use an existing name to change that policy.")
    scope = SelectField(
        "Applies to",
        choices=choices([("all", "Everyone"), ("country", "A country"), ("department", "A department")]),
        validate_choice=False,
    )
    scope_value = StringField("Country code or department", description="Leave empty for everyone")
    reduced_weeks = StringField("Weeks at reduced time", default="2")
    reduced_percent = StringField("Reduced percent", default="50")
    ramp_percents = StringField(
        "Ramp weeks after that", default="75", description="Percents separated by commas, like 75, 90"
    )
    extension_weeks = StringField("Extra weeks employees may add", default="1")

    def typed(self) -> dict[str, str]:
        return {name: str(field.data or "") for name, field in self._fields.items()}


class PreviewForm(Form):
    """A plan preview: which policy, the first day back, and the country whose holidays count."""

    policy = SelectField("Policy", validate_choice=False)
    return_date = DateField("First day back")
    country = StringField("Country", description="Two letters, such as GB, for its public holidays.")


class AuditFilterForm(Form):
    """The audit log's filters: a kind of entry and a date range, each optional."""

    action = SelectField("Kind", validate_choice=False)
    start = DateField("From")
    end = DateField("Until")
