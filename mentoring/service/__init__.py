"""Mentoring use cases: mentors opt in, the matcher proposes, the mentor decides first,
either side can step back quietly, HR can pair by hand. Hard constraints hold everywhere.

Nobody is ever told why someone declined or ended a match: no reason is asked, none stored.

One module per idea (mentors, preferences, matching runs, answers, met-checks, HR's pairing,
what the Home reads); this package only names them, so ``mentoring.service.<use case>`` stays
the one way in.
"""

from __future__ import annotations

from collections.abc import Callable

from mentoring.service._common import (
    ASKED,
    BY_HR,
    DECLINED,
    ENDED,
    MATCH_LEAD,
    MATCHED,
    MATCHER,
    MET_CHECK_AFTER,
    OPEN_MATCH,
    CannotPair,
    MentoringError,
    _nothing,
)
from mentoring.service.answers import end, respond
from mentoring.service.hr_pairing import hr_assign
from mentoring.service.mentors import (
    current_mentor_form,
    huddle_facilitators,
    is_mentor,
    mentor_profile_of,
    opt_in,
    set_mentor_state,
)
from mentoring.service.met_checks import record_met, send_met_checks
from mentoring.service.preferences import current_preferences, set_preferences
from mentoring.service.reads import (
    HomeFacts,
    HrFigures,
    HrProgram,
    PairView,
    home_facts,
    home_probe,
    hr_figures,
    hr_program,
    manager_sees_mentor,
    mentee_view,
    mentee_view_of,
    mentor_views,
    met_answers,
)
from mentoring.service.runs import run_matching, run_rematches
from mentoring.views import MentorForm, PreferencesForm

# The test seam between a check and its write (see ``_common.between_read_and_write``), looked up
# here at every call so that a test can replace it on this package.
_between_read_and_write: Callable[[], None] = _nothing

__all__ = [
    "ASKED",
    "BY_HR",
    "DECLINED",
    "ENDED",
    "MATCHED",
    "MATCHER",
    "MATCH_LEAD",
    "MET_CHECK_AFTER",
    "OPEN_MATCH",
    "CannotPair",
    "HomeFacts",
    "HrFigures",
    "HrProgram",
    "MentorForm",
    "MentoringError",
    "PairView",
    "PreferencesForm",
    "current_mentor_form",
    "current_preferences",
    "end",
    "home_facts",
    "home_probe",
    "hr_assign",
    "hr_figures",
    "hr_program",
    "huddle_facilitators",
    "is_mentor",
    "manager_sees_mentor",
    "mentee_view",
    "mentee_view_of",
    "mentor_profile_of",
    "mentor_views",
    "met_answers",
    "opt_in",
    "record_met",
    "respond",
    "run_matching",
    "run_rematches",
    "send_met_checks",
    "set_mentor_state",
    "set_preferences",
]
