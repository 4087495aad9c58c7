"""A listener as two parts: what comes before Slack's answer, and the work after it.

Bolt's own way (``ack=..., lazy=[...]``) deep-copies the whole request for every lazy function,
in the request thread, before the answer goes out: profiled, that copy was more than half of
the time a button that opens a modal spent before Slack had its answer. ``listen`` gives the
work after the answer the same arguments Bolt would (``client``, ``context``, ``body``...),
without the copy, and queues it behind the request's deferred Slack calls
(``hr_plugin.slack.deferred.after_answer``), so it starts only once the answer is ready.

As with Bolt's lazy functions, the work after the answer runs even when the first part
failed: it refreshes what the person sees, which is right after a refused change too. Not after
a replay (``hr_plugin.slack.replays``): its first copy did that work, and a replay is answered
401 with nothing else. Its
client is the request's watched one, so a view it cannot show is told to the person
(``hr_plugin.slack.failures``), here and in the companion alike.

Under ``serve`` that work usually runs in the companion process (``hr_plugin.slack.companion``),
which dispatches the request again in follow-up mode: there the first part is skipped (it ran
here, and ran once) and only the work after the answer runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.kwargs_injection.args import Args
from slack_bolt.util.utils import get_arg_names_of_callable

from hr_plugin.events import Replayed
from hr_plugin.services import Services
from hr_plugin.slack.args import ArgsWith
from hr_plugin.slack.deadline import within_deadline
from hr_plugin.slack.deferred import Queued, after_answer, arrived_wall, following_up, keeping_here, send_all
from hr_plugin.slack.replays import once, refused
from hr_plugin.slack.triggers import with_kept_trigger

Route = Callable[..., Any]  # what ``app.action(...)``, ``app.view(...)`` and the like return

# What Bolt hands a listener that asks for ``args``: every name a listener function may use.
_KNOWN = frozenset(Args.__annotations__)


def listen(
    route: Route,
    services: Services,
    *,
    ack: Callable[..., Any],
    after: Sequence[Callable[..., Any]] = (),
    declared: object = None,
    again_in_follow_up: bool = False,
    deadline: bool = False,
    opens: bool = False,
    guarded: bool = False,
) -> None:
    """Wire ``ack`` to answer Slack and each of ``after`` to run once the answer is ready.

    ``declared``: the feature's declaration this wiring comes from (``hr_plugin.slack.declare``),
    kept on the function Bolt calls so a test can trace every registered listener to it.
    ``again_in_follow_up``: ``ack`` runs in the companion's follow-up too (a dispatcher whose own
    work after the answer is found only by running it; ``hr_plugin.slack.declare.Changes``).
    ``deadline``: ``ack`` saves a modal's submission and is held to Slack's 3 seconds
    (``hr_plugin.slack.deadline``). ``opens``: the listener opens or pushes a modal with the
    click's trigger, which is kept alive (``hr_plugin.slack.triggers``): around ``ack`` when it
    has work after the answer of its own (``after``), else around ``after``. ``guarded``: a
    replay of the request is refused, its claim made in the first transaction ``ack`` commits
    (``hr_plugin.slack.replays``)."""
    first = _Bound(ack, services)
    once_if = partial(once, services) if guarded else _run_as_is
    later = [_Bound(function, services) for function in after]
    keep_first, keep_later = opens and not after, opens and bool(after)

    def answer_then_queue(args: Args) -> BoltResponse | None:
        arrived = arrived_wall()
        if following_up():
            if again_in_follow_up:
                first(args)  # its ack reaches nobody; what it leaves for after the answer runs here
                return None
            args.ack()  # nobody hears it: the answer went from the web process
            send_all(Queued(work.name, partial(_run, work, args, keep_later, arrived)) for work in later)
            return None
        replayed = False
        try:
            if deadline:
                within_deadline(services, args, lambda held: once_if(held, partial(first, held)))
            else:
                once_if(args, partial(_run, first, args, keep_first, arrived, keeping_here()))
        except Replayed:
            replayed = True
            return refused()
        finally:
            for work in later if not replayed else ():  # a replay's first copy did this work
                run = partial(_run, work, args, keep_later, arrived)
                after_answer(work.name, run, services.lazy_pool, redispatched=True)
        return None

    answer_then_queue.declared = declared  # type: ignore[attr-defined]
    route(answer_then_queue)


def _run_as_is(_args: Any, run: Callable[[], object]) -> object:
    return run()


def _run(
    function: _Bound,
    args: Args | ArgsWith,
    keep: bool,
    arrived: float,
    on_loading: Callable[[], None] | None = None,
) -> Any:
    """``function(args)``; with ``keep``, its client keeps the click's trigger alive until it
    has shown its modal (``hr_plugin.slack.triggers``)."""
    if not keep:
        return function(args)
    return with_kept_trigger(
        args.body or {}, args.client, arrived, lambda kept: function(ArgsWith(args, client=kept)), on_loading
    )


class _Bound:
    """A listener function and the arguments it names, read once when it is wired: Bolt's, and
    ``services`` (the process's ``Services``), which Bolt does not know."""

    def __init__(self, function: Callable[..., Any], services: Services) -> None:
        self.function = function
        self.services = services
        self.name = getattr(function, "__name__", "work after the answer")
        self.arg_names = get_arg_names_of_callable(function)
        unknown = [name for name in self.arg_names if name not in _KNOWN and name != "services"]
        if unknown:  # a typo would otherwise arrive as None, far from here
            raise TypeError(f"{self.name} asks for arguments Bolt does not give: {unknown}")

    def __call__(self, args: Args | ArgsWith) -> Any:
        return self.function(
            **{name: self.services if name == "services" else getattr(args, name) for name in self.arg_names}
        )
