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
(``hr_plugin.slack.failures``). It runs on the web worker's pool for work after the answer
(``Services.lazy_pool``).

A listener's first part may leave more for after its answer, conditionally: a function its
declaration lists in ``later`` runs after the answer when the first part calls
``later(function)`` (an argument it asks for by name, as ``/rtw`` does for a subcommand that
only shows). Such a function opens a modal with the request's trigger, which is kept alive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.kwargs_injection.args import Args
from slack_bolt.util.utils import get_arg_names_of_callable

from hr_plugin.events import Replayed
from hr_plugin.services import Services
from hr_plugin.slack.args import ArgsWith
from hr_plugin.slack.deadline import within_deadline
from hr_plugin.slack.deferred import after_answer, arrived_at
from hr_plugin.slack.replays import once, refused
from hr_plugin.slack.triggers import with_kept_trigger

Route = Callable[..., Any]  # what ``app.action(...)``, ``app.view(...)`` and the like return

# A listener function's arguments by name: Bolt's ``Args``, some of them replaced (``ArgsWith``).
Arguments = Any

# What Bolt hands a listener that asks for ``args``: every name a listener function may use.
_KNOWN = frozenset(Args.__annotations__)


def listen(
    route: Route,
    services: Services,
    *,
    ack: Callable[..., Any],
    after: Sequence[Callable[..., Any]] = (),
    later: Sequence[Callable[..., Any]] = (),
    declared: object = None,
    deadline: bool = False,
    opens: bool = False,
    guarded: bool = False,
) -> None:
    """Wire ``ack`` to answer Slack and each of ``after`` to run once the answer is ready.

    ``later``: functions ``ack`` may leave for after its answer (it calls ``later(function)``),
    each opening a modal with the request's trigger kept alive.
    ``declared``: the feature's declaration this wiring comes from (``hr_plugin.slack.declare``),
    kept on the function Bolt calls so a test can trace every registered listener to it.
    ``deadline``: ``ack`` saves a modal's submission and is held to Slack's 3
    seconds (``hr_plugin.slack.deadline``). ``opens``: the listener opens or pushes a modal with
    the click's trigger, which is kept alive (``hr_plugin.slack.triggers``): around ``ack`` when
    it has work after the answer of its own (``after``), else around ``after``. ``guarded``: a
    replay of the request is refused, its claim made in the first transaction ``ack`` commits
    (``hr_plugin.slack.replays``)."""
    first = _Bound(ack, services, also={"later"} if later else set())
    once_if = partial(once, services) if guarded else _run_as_is
    keep_first, keep_later = opens and not after, opens and bool(after)
    afterwards = [Work(_Bound(function, services), keep_later) for function in after]
    leavable = {function: Work(_Bound(function, services), True) for function in later}
    leaves = "later" in first.arg_names

    def answer_then_queue(args: Args) -> BoltResponse | None:
        arrived = arrived_at()
        first_args: Args | ArgsWith = args
        if leaves:
            first_args = ArgsWith(args, later=partial(_leave, leavable, args, arrived, services))

        def queue_afterwards() -> None:
            for work in afterwards:
                work.queue(args, arrived, services)

        queue = True  # not for a replay (its first copy did this work) nor a late save (it will)
        try:
            if deadline:
                run = lambda held: once_if(held, partial(first, held))  # noqa: E731
                queue = within_deadline(services, first_args, run, queue_afterwards)
            else:
                once_if(first_args, partial(_run, first, first_args, keep_first, arrived))
        except Replayed:
            queue = False
            return refused()
        finally:
            if queue:
                queue_afterwards()
        return None

    answer_then_queue.declared = declared  # type: ignore[attr-defined]
    route(answer_then_queue)


def _run_as_is(_args: Any, run: Callable[[], object]) -> object:
    return run()


@dataclass(frozen=True)
class Work:
    """A function run after the answer: with the request's arguments and, with ``keep``, the
    click's trigger kept alive until it has shown its modal."""

    function: _Bound
    keep: bool

    @property
    def name(self) -> str:
        return self.function.name

    def run(self, args: Arguments, arrived: float) -> Any:
        return _run(self.function, args, self.keep, arrived)

    def queue(self, args: Arguments, arrived: float, services: Services) -> None:
        """Run it once the request's answer is ready (``after_answer``)."""
        after_answer(self.name, partial(self.run, args, arrived), services.lazy_pool)


def _leave(
    leavable: dict[Callable[..., Any], Work],
    args: Args,
    arrived: float,
    services: Services,
    function: Callable[..., Any],
) -> None:
    """``later(function)``: run ``function``, which the listener declared, after the answer."""
    work = leavable.get(function)
    if work is None:  # only what the listener declared may be left (a typo fails here, not later)
        raise ValueError(f"{getattr(function, '__name__', function)} is not among the listener's `later`")
    work.queue(args, arrived, services)


def _run(function: _Bound, args: Arguments, keep: bool, arrived: float) -> Any:
    """``function(args)``; with ``keep``, its client keeps the click's trigger alive until it
    has shown its modal (``hr_plugin.slack.triggers``)."""
    if not keep:
        return function(args)
    return with_kept_trigger(
        args.body or {}, args.client, arrived, lambda kept: function(ArgsWith(args, client=kept))
    )


class _Bound:
    """A listener function and the arguments it names, read once when it is wired: Bolt's, and
    ``services`` (the process's ``Services``), which Bolt does not know."""

    def __init__(
        self, function: Callable[..., Any], services: Services, also: set[str] | None = None
    ) -> None:
        self.function = function
        self.services = services
        self.name = getattr(function, "__name__", "work after the answer")
        self.arg_names = get_arg_names_of_callable(function)
        known = _KNOWN | {"services"} | (also or set())  # ``later``: for a first part that leaves work
        unknown = [name for name in self.arg_names if name not in known]
        if unknown:  # a typo would otherwise arrive as None, far from here
            raise TypeError(f"{self.name} asks for arguments Bolt does not give: {unknown}")

    def __call__(self, args: Arguments) -> Any:
        return self.function(
            **{name: self.services if name == "services" else getattr(args, name) for name in self.arg_names}
        )
