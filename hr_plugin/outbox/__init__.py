"""The outbox: durable, idempotent, paced delivery of Slack messages and files.

Background work never calls Slack directly: it writes a row, in the same transaction as the
change that caused it, under an idempotency key; a drainer sends due rows at Slack's pace and
records what came of each, so that every message arrives effectively once. The names below
are the package's public face; code elsewhere imports them from ``hr_plugin.outbox``.

Which module holds what:

- ``enqueue``: queueing a message under its idempotency key (``enqueue``, ``enqueue_many``,
  ``Outgoing``), withdrawing one not yet sent (``cancel``) and putting it back (``reinstate``).
- ``states``: the states a row moves through (``PENDING`` ... ``CANCELLED``), how many rows are
  in each (``depth``) and when the next falls due (``next_due``).
- ``drain``: the ``Drainer`` (claiming due rows under a lease and sending them) and
  ``recover_expired`` (rows whose sender vanished mid-send go back, flagged).
- ``outcomes``: recording a send's outcome (sent, retried, failed, cancelled, held), and
  what "effectively once" means; ``DrainReport`` counts them.
- ``errors``: ``SLACK_ERRORS``, what each of Slack's errors leads to (``Handling``,
  ``handling_of``), which calls can leave a duplicate (``SHOWN_BY``), and whether a request
  that got no answer ever left.
- ``pacing``: ``OutboxPolicy`` (pacing and retry knobs) and the shared pace table.
- ``conversations``: which conversation a row goes to, and the cache of opened ones.
- ``deactivation``: learning from Slack who is deactivated when it will not open a
  conversation over them (``MEMBER_GONE_ERRORS``).
- ``uploads``: files (``Attachment``), their three-step upload, the file id kept on the row.
- ``forgetting``: dropping a finished message's text (``forget_finished_text``,
  ``text_forgotten``).
- ``logs``: the one logger (``hr_plugin.outbox``) and the ids a log line about a row carries.
"""

from __future__ import annotations

from hr_plugin.outbox.deactivation import MEMBER_GONE_ERRORS
from hr_plugin.outbox.drain import Drainer, recover_expired
from hr_plugin.outbox.enqueue import Outgoing, cancel, enqueue, enqueue_many, reinstate
from hr_plugin.outbox.errors import SHOWN_BY, SLACK_ERRORS, Handling, handling_of
from hr_plugin.outbox.forgetting import forget_finished_text, text_forgotten
from hr_plugin.outbox.outcomes import DrainReport
from hr_plugin.outbox.pacing import OutboxPolicy
from hr_plugin.outbox.states import CANCELLED, FAILED, IN_FLIGHT, PENDING, SENT, depth, next_due
from hr_plugin.outbox.uploads import Attachment

__all__ = [
    "CANCELLED",
    "FAILED",
    "IN_FLIGHT",
    "MEMBER_GONE_ERRORS",
    "PENDING",
    "SENT",
    "SHOWN_BY",
    "SLACK_ERRORS",
    "Attachment",
    "DrainReport",
    "Drainer",
    "Handling",
    "OutboxPolicy",
    "Outgoing",
    "cancel",
    "depth",
    "enqueue",
    "enqueue_many",
    "forget_finished_text",
    "handling_of",
    "next_due",
    "recover_expired",
    "reinstate",
    "text_forgotten",
]
