"""The one list of features. The Bolt app, the scheduler, the CLI, the web app and the
migrations read it; no other module of the core names a feature.

Order matters where Slack or people see it: listeners are registered in this order (the shell
first), ``/rtw help`` lists subcommands in it, and App Home sections follow it.

Features do not import each other. Where one needs another, the connection is made here, in
plain sight: huddles ask mentoring who volunteered to facilitate, and the HR console gets its
cookie key from the vault's derived key.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from hr_plugin import vault
from hr_plugin.console.feature import feature as console
from hr_plugin.console.program import Sources
from hr_plugin.enrolment.feature import FEATURE as ENROLMENT
from hr_plugin.feature_api import Feature, token_key
from hr_plugin.reintegration import service as reintegration
from hr_plugin.reintegration.feature import FEATURE as REINTEGRATION
from hr_plugin.slack.feature import FEATURE as SHELL
from huddles import service as huddles_service
from huddles.feature import feature as huddles
from mentoring import service as mentoring
from mentoring.feature import FEATURE as MENTORING
from mentoring.service import huddle_facilitators

_SLACK_FEATURES: tuple[Feature, ...] = (
    SHELL,
    ENROLMENT,
    REINTEGRATION,
    MENTORING,
    huddles(facilitators=huddle_facilitators),
    vault.FEATURE,
)


def _mentoring_counts(session: Session, tenant_id: str, today: date) -> tuple[int, int, int]:
    figures = mentoring.hr_figures(session, tenant_id, today)
    return figures.matched, figures.waiting, figures.unmatched


# The HR console signs its session cookie with a key derived from the one the vault derives
# from the master key for the app's own secrets; its overview reads the figures the features'
# services give HR's App Home (never the vault's).
FEATURES: tuple[Feature, ...] = (
    *_SLACK_FEATURES,
    console(
        base_key=lambda settings: token_key(_SLACK_FEATURES, settings.master_key()),
        sources=Sources(
            plans=reintegration.active_plans,
            huddles=huddles_service.hr_figures,
            mentoring=_mentoring_counts,
            met=mentoring.met_answers,
        ),
        pages=[page for feature in _SLACK_FEATURES for page in feature.console_pages],
    ),
)
