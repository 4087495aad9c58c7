"""The mentoring page's form (``mentoring.console``), with WTForms: imported when the page is
first shown or posted, so a web worker that never serves the console does not load WTForms."""

from __future__ import annotations

from wtforms import Form, SelectField


class PairForm(Form):
    """The Slack "Pair by hand" modal's two choices."""

    mentee = SelectField("Returning employee", validate_choice=False)
    mentor = SelectField("Mentor", validate_choice=False)
