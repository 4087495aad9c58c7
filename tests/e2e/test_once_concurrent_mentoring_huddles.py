"""Once-only operations of mentoring and huddles under concurrent requests to a running serve.

As in ``tests/e2e/test_once_concurrent.py``: twelve signed requests fired together at the real
server (gunicorn, two workers), then one more, as a later click. Each
test checks the database and what the fake Slack recorded: one effect, every request that lost
told what the later one is told, and no error in the server's log.
``tests/reliability/test_once_only.py`` interleaves the same operations deterministically at
each service's seam.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from hr_plugin.admins import appoint_by_email
from hr_plugin.clock import SystemClock
from hr_plugin.db import unit_of_work
from hr_plugin.directory import find_by_slack_id, import_directory, parse_directory_csv
from hr_plugin.models import AuditEntry, OutboxMessage
from hr_plugin.slack_clients import make_client
from hr_plugin.testing.signed_client import SignedResponse
from huddles import messages as huddle_words
from huddles import service as huddle_service
from huddles import views as huddle_views
from huddles.models import HuddleMember, HuddleOptOut, HuddleRating
from mentoring import messages as mentoring_words
from mentoring import service as mentoring_service
from mentoring import views as mentoring_views
from mentoring.models import Match
from tests.e2e.conftest import ORG_CSV, TEAM
from tests.e2e.once_serving import (
    AT_ONCE,
    TOKEN,
    Running,
    all_at_once,
    audited,
    enrol,
    modal_errors,
    nothing_failed,
    replies,
)
from tests.huddle_rows import add_huddle
from tests.waiting import wait_for

ALREADY_ANSWERED = "You have already answered this request."
HAS_A_MENTOR = "That person already has a mentor, or one is being asked."
CANNOT_PAIR = (
    "These two cannot be paired: same reporting line, no free place, paused, excluded, "
    "or they were paired before."
)


def _outbox(running: Running, prefix: str) -> list[tuple[str, str | None]]:
    """(key, recipient) of every outbox row whose key starts with ``prefix``."""
    with unit_of_work(running.factory) as session:
        rows = session.execute(
            select(OutboxMessage.idempotency_key, OutboxMessage.recipient_user_id).where(
                OutboxMessage.idempotency_key.like(f"{prefix}%")
            )
        )
        return [(key, recipient) for key, recipient in rows]


def _mentor(running: Running, user_id: str, capacity: int = 1) -> None:
    form = mentoring_service.MentorForm(
        confirmed_transition=True, capacity=capacity, tags=frozenset(), share_tags=False, returned_on=None
    )
    mentoring_service.opt_in(running.factory, SystemClock(), tenant_id=TEAM, user_id=user_id, form=form)


def _employee_id(running: Running, user_id: str) -> int:
    with unit_of_work(running.factory) as session:
        person = find_by_slack_id(session, TEAM, user_id)
        assert person is not None
        return person.id


def _match(running: Running, mentee: str, mentor: str, status: str) -> int:
    with unit_of_work(running.factory) as session:
        match = Match(
            tenant_id=TEAM,
            mentee_id=_employee_id(running, mentee),
            mentor_id=_employee_id(running, mentor),
            status=status,
            origin=mentoring_service.MATCHER,
            proposed_at=SystemClock().now(),
        )
        session.add(match)
        session.commit()
        return match.id


def _open_matches(running: Running, **where: int) -> list[tuple[int, int, str]]:
    """(mentee id, mentor id, status) of every asked or active match, filtered by column."""
    with unit_of_work(running.factory) as session:
        query = select(Match.mentee_id, Match.mentor_id, Match.status).where(
            Match.status.in_(mentoring_service.OPEN_MATCH),
            *(getattr(Match, column) == value for column, value in where.items()),
        )
        return [(mentee, mentor, status) for mentee, mentor, status in session.execute(query)]


def _home(running: Running, user_id: str) -> dict[str, Any]:
    """The user's App Home as Slack holds it after they open the tab."""
    before = len(running.fake.calls_for("views.publish", user=user_id))
    running.client().app_home_opened(user_id)
    wait_for(
        lambda: len(running.fake.calls_for("views.publish", user=user_id)) > before, 20, f"{user_id}'s Home"
    )
    home = running.fake.home_view(user_id)
    assert home is not None
    return home


def _buttons(view: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    found = []
    for block in view.get("blocks", []):
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("action_id") == action_id:
                found.append(element)
    return found


def _homes_published(running: Running, user_id: str) -> list[dict[str, Any]]:
    return [call["params"]["view"] for call in running.fake.calls_for("views.publish", user=user_id)]


# -- mentoring: the mentor's answer ----------------------------------------------------------


def test_a_mentor_clicking_accept_and_decline_twelve_times_at_once_keeps_one_answer(
    running: Running,
) -> None:
    """Six "Yes, happy to" and six "Not this time" on one request, all at once: one answer is
    kept, with its one consequence (an introduction, or the next mentor asked), never both."""
    enrol(running, "parent@example.com", "UPARENT")
    _mentor(running, "UPEER")
    _mentor(running, "UHR")  # the next mentor, if the answer kept is a no
    match_id = _match(running, "UPARENT", "UPEER", mentoring_service.ASKED)
    client = running.client()

    def click(index: int) -> SignedResponse:
        action = mentoring_words.ACCEPT_ACTION if index % 2 else mentoring_words.DECLINE_ACTION
        return client.block_action("UPEER", action, str(match_id), block_id=f"mentor-ask-{match_id}")

    answers = all_at_once(AT_ONCE, click)
    wait_for(lambda: len(replies(running, "UPEER")) >= AT_ONCE, 20, "a reply to every click")
    later = client.block_action("UPEER", mentoring_words.ACCEPT_ACTION, str(match_id))
    wait_for(lambda: len(replies(running, "UPEER")) > AT_ONCE, 20, "the reply to the later click")

    assert [answer.status for answer in [*answers, later]] == [200] * (AT_ONCE + 1)
    accepted, declined = audited(running, "mentoring.accepted"), audited(running, "mentoring.declined")
    assert accepted + declined == 1, (accepted, declined)
    with unit_of_work(running.factory) as session:
        status = session.scalar(select(Match.status).where(Match.id == match_id))
    assert _outbox(running, "mentor-ask:") == []  # a decline only marks the mentee: the tick asks
    mentoring_service.run_rematches(running.factory, SystemClock())
    intros = _outbox(running, "mentor-intro:")
    asks = _outbox(running, "mentor-ask:")
    told = replies(running, "UPEER")
    if accepted:
        assert status == mentoring_service.MATCHED
        assert len(intros) == 1 and asks == []  # introduced once, nobody else asked
        kept = "Thank you. We've introduced you in a group message."
    else:
        assert status == mentoring_service.DECLINED
        assert intros == []  # no introduction to a mentor who said no
        assert [recipient for _, recipient in asks] == ["UHR"]  # the next mentor, asked once
        kept = mentoring_words.DECLINED_REPLY
    assert told[:AT_ONCE].count(kept) == 1
    assert told[:AT_ONCE].count(ALREADY_ANSWERED) == AT_ONCE - 1
    assert told[AT_ONCE:] == [ALREADY_ANSWERED]  # the later click: what every loser was told
    nothing_failed(running)


# -- mentoring: ending a match ---------------------------------------------------------------


def test_both_sides_clicking_end_match_twelve_times_at_once_end_it_once(running: Running) -> None:
    """The mentee (through the button's confirm dialog: Slack sends the click once confirmed)
    and the mentor each click "End" six times, all at once, from their App Homes."""
    enrol(running, "parent@example.com", "UPARENT")
    _mentor(running, "UPEER")
    match_id = _match(running, "UPARENT", "UPEER", mentoring_service.MATCHED)
    homes = {user_id: _home(running, user_id) for user_id in ("UPARENT", "UPEER")}
    ends = {user_id: _buttons(home, mentoring_views.END_ACTION) for user_id, home in homes.items()}
    assert [button["value"] for buttons in ends.values() for button in buttons] == [str(match_id)] * 2
    assert "confirm" in ends["UPARENT"][0]  # the mentee confirms first; Slack then sends the click
    published = {user_id: len(_homes_published(running, user_id)) for user_id in homes}
    blocks = {"UPARENT": "mentee", "UPEER": f"mentor-end-{match_id}"}  # where each button sits
    client = running.client()

    def click(index: int) -> SignedResponse:
        user_id = "UPARENT" if index % 2 else "UPEER"
        return client.block_action(
            user_id, mentoring_views.END_ACTION, str(match_id), view=homes[user_id], block_id=blocks[user_id]
        )

    answers = all_at_once(AT_ONCE, click)
    later = click(1)  # the mentee, afterwards

    assert [answer.status for answer in [*answers, later]] == [200] * (AT_ONCE + 1)
    assert {answer.body for answer in answers} == {later.body}  # the same ack as a later click
    # Every click refreshes its sender's Home: each refresh shows the match ended, none an End button.
    for user_id, clicks in (("UPARENT", AT_ONCE // 2 + 1), ("UPEER", AT_ONCE // 2)):
        wait_for(
            lambda user_id=user_id, clicks=clicks: (
                len(_homes_published(running, user_id)) >= published[user_id] + clicks
            ),
            30,
            f"{user_id}'s Home refreshed after every click",
        )
        refreshed = _homes_published(running, user_id)[published[user_id] :]
        assert all(_buttons(home, mentoring_views.END_ACTION) == [] for home in refreshed)
    assert audited(running, "mentoring.ended") == 1
    with unit_of_work(running.factory) as session:
        status = session.scalar(select(Match.status).where(Match.id == match_id))
        ender = session.scalar(select(AuditEntry.actor).where(AuditEntry.action == "mentoring.ended"))
    assert status == mentoring_service.ENDED
    other = "UPEER" if ender == "UPARENT" else "UPARENT"
    assert [recipient for _, recipient in _outbox(running, "mentor-ended:")] == [other]  # told once
    # The rematch waits for the tick, which runs once for the one ending however often it runs:
    # the mentee waits (the only mentor is the one just ended with).
    assert _outbox(running, "mentor-waiting:") == []
    for _ in range(2):
        mentoring_service.run_rematches(running.factory, SystemClock())
    assert [recipient for _, recipient in _outbox(running, "mentor-waiting:")] == ["UPARENT"]
    assert _outbox(running, "mentor-ask:") == []
    nothing_failed(running)


# -- mentoring: HR pairing by hand -----------------------------------------------------------


def _pair(mentee: str, mentor: str) -> dict[str, dict[str, dict[str, Any]]]:
    """The "Pair by hand" modal's values as Slack submits them."""
    return {
        mentoring_views.MENTEE_BLOCK: {"value": {"type": "users_select", "selected_user": mentee}},
        mentoring_views.MENTOR_BLOCK: {"value": {"type": "users_select", "selected_user": mentor}},
    }


def test_hr_pairing_one_mentee_from_twelve_submissions_at_once_asks_one_mentor(running: Running) -> None:
    enrol(running, "parent@example.com", "UPARENT")
    _mentor(running, "UPEER")
    appoint_by_email(running.factory, SystemClock(), tenant_id=TEAM, email="hr@example.com", actor="test")
    client = running.client()

    def submit(_: int) -> SignedResponse:
        return client.view_submission("UHR", mentoring_views.ASSIGN_CALLBACK, _pair("UPARENT", "UPEER"))

    answers = all_at_once(AT_ONCE, submit)
    later = submit(0)

    assert [answer.status for answer in [*answers, later]] == [200] * (AT_ONCE + 1)
    refused = [modal_errors(answer) for answer in answers if modal_errors(answer)]
    assert len(refused) == AT_ONCE - 1  # one modal closed: the one that asked the mentor
    assert modal_errors(later) == [HAS_A_MENTOR]
    assert all(errors == modal_errors(later) for errors in refused), refused
    parent, peer = _employee_id(running, "UPARENT"), _employee_id(running, "UPEER")
    assert _open_matches(running) == [(parent, peer, mentoring_service.ASKED)]
    assert [recipient for _, recipient in _outbox(running, "mentor-ask:")] == ["UPEER"]
    assert audited(running, "mentoring.mentor_asked") == 1
    nothing_failed(running)


def _more_mentees(running: Running, count: int) -> list[str]:
    """``count`` more people in the directory, each enrolled and back today; their Slack ids.
    They report to the lead, so the peer (the lead's other report) is outside their line."""
    extra = [(f"mentee{n:02d}@example.com", f"Mentee {n:02d}", f"UMENTEE{n:02d}") for n in range(count)]
    for email, name, user_id in extra:
        running.fake.add_user(
            user_id, name=email.split("@")[0], real_name=name, email=email, tz="Europe/London"
        )
    lines = [f"{email},{name},lead@example.com,Engineering,GB,Europe/London" for email, name, _ in extra]
    import_directory(
        running.factory,
        tenant_id=TEAM,
        rows=parse_directory_csv(ORG_CSV + "\n".join(lines) + "\n"),
        slack=make_client(TOKEN, running.fake.base_url, wait_on_rate_limit=True),
        clock=SystemClock(),
        full=True,
        actor="test",
    )
    for email, _, user_id in extra:
        enrol(running, email, user_id)
    return [user_id for _, _, user_id in extra]


def test_twelve_hr_pairings_of_different_mentees_to_a_mentor_with_one_place_ask_once(
    running: Running,
) -> None:
    """Twelve mentees paired with one mentor who offered one place, all at once (twelve HR
    screens): one mentor asked, and the other eleven told what a later pairing is told."""
    mentees = _more_mentees(running, AT_ONCE + 1)
    _mentor(running, "UPEER", capacity=1)
    appoint_by_email(running.factory, SystemClock(), tenant_id=TEAM, email="hr@example.com", actor="test")
    client = running.client()

    def submit(index: int) -> SignedResponse:
        return client.view_submission("UHR", mentoring_views.ASSIGN_CALLBACK, _pair(mentees[index], "UPEER"))

    answers = all_at_once(AT_ONCE, submit)
    later = submit(AT_ONCE)  # a thirteenth mentee, afterwards

    assert [answer.status for answer in [*answers, later]] == [200] * (AT_ONCE + 1)
    opened = _open_matches(running, mentor_id=_employee_id(running, "UPEER"))
    assert len(opened) == 1, f"{len(opened)} open matches for a mentor with one place"
    assert [recipient for _, recipient in _outbox(running, "mentor-ask:")] == ["UPEER"]
    assert audited(running, "mentoring.mentor_asked") == 1
    refused = [modal_errors(answer) for answer in answers if modal_errors(answer)]
    assert len(refused) == AT_ONCE - 1
    assert modal_errors(later) == [CANNOT_PAIR]
    assert all(errors == modal_errors(later) for errors in refused), refused
    nothing_failed(running)


# -- huddles ---------------------------------------------------------------------------------


def _huddle(running: Running, starts_in: timedelta) -> int:
    return add_huddle(
        running.factory, TEAM, SystemClock().now(), starts_in=starts_in, members=("UPARENT", "UPEER")
    )


def _member(running: Running, huddle_id: int, user_id: str) -> HuddleMember:
    with unit_of_work(running.factory) as session:
        member = session.scalars(
            select(HuddleMember).where(
                HuddleMember.huddle_id == huddle_id,
                HuddleMember.employee_id == _employee_id(running, user_id),
            )
        ).one()
        session.expunge(member)
        return member


def _click_invitation(running: Running, action_id: str, huddle_id: int) -> list[SignedResponse]:
    """Twelve clicks on one invitation button, all at once, then one later; every answer."""
    client = running.client()

    def click(_: int) -> SignedResponse:
        return client.block_action("UPARENT", action_id, str(huddle_id), block_id=f"huddle-rsvp-{huddle_id}")

    answers = all_at_once(AT_ONCE, click)
    wait_for(lambda: len(replies(running, "UPARENT")) >= AT_ONCE, 20, "a reply to every click")
    later = click(0)
    wait_for(lambda: len(replies(running, "UPARENT")) > AT_ONCE, 20, "the reply to the later click")
    return [*answers, later]


def test_skipping_a_huddle_twelve_times_at_once_is_recorded_once(running: Running) -> None:
    huddle_id = _huddle(running, timedelta(days=2))

    answers = _click_invitation(running, huddle_words.SKIP_ACTION, huddle_id)

    assert [answer.status for answer in answers] == [200] * (AT_ONCE + 1)
    assert audited(running, "huddles.skip") == 1
    assert _member(running, huddle_id, "UPARENT").rsvp == huddle_service.SKIPPED
    assert _member(running, huddle_id, "UPEER").rsvp == huddle_service.INVITED
    assert replies(running, "UPARENT") == [huddle_words.rsvp_reply("skip")] * (AT_ONCE + 1)
    nothing_failed(running)


def test_leaving_huddles_twelve_times_at_once_is_recorded_once(running: Running) -> None:
    """ "Leave huddles" asks for confirmation in Slack; the clicks here are the confirmed ones."""
    huddle_id = _huddle(running, timedelta(days=2))

    answers = _click_invitation(running, huddle_words.LEAVE_ACTION, huddle_id)

    assert [answer.status for answer in answers] == [200] * (AT_ONCE + 1)
    assert audited(running, "huddles.leave") == 1
    with unit_of_work(running.factory) as session:
        assert session.scalar(select(func.count()).select_from(HuddleOptOut)) == 1
    assert _member(running, huddle_id, "UPARENT").rsvp == huddle_service.LEFT
    assert replies(running, "UPARENT") == [huddle_words.rsvp_reply("leave")] * (AT_ONCE + 1)
    nothing_failed(running)


def test_rejoining_huddles_twelve_times_at_once_is_recorded_once(running: Running) -> None:
    enrol(running, "parent@example.com", "UPARENT")
    huddle_id = _huddle(running, timedelta(days=2))
    huddle_service.answer(
        running.factory, SystemClock(), tenant_id=TEAM, user_id="UPARENT", huddle_id=huddle_id, choice="leave"
    )
    home = _home(running, "UPARENT")
    rejoin = _buttons(home, huddle_views.REJOIN_ACTION)
    assert len(rejoin) == 1
    published = len(_homes_published(running, "UPARENT"))
    client = running.client()

    def click(_: int) -> SignedResponse:
        return client.block_action("UPARENT", huddle_views.REJOIN_ACTION, rejoin[0]["value"], view=home)

    answers = all_at_once(AT_ONCE, click)
    later = click(0)

    assert [answer.status for answer in [*answers, later]] == [200] * (AT_ONCE + 1)
    assert {answer.body for answer in answers} == {later.body}  # the same ack as a later click
    wait_for(
        lambda: len(_homes_published(running, "UPARENT")) >= published + AT_ONCE + 1,
        30,
        "the Home refreshed after every click",
    )
    refreshed = _homes_published(running, "UPARENT")[published:]
    assert all(_buttons(view, huddle_views.REJOIN_ACTION) == [] for view in refreshed)  # back in, each time
    assert audited(running, "huddles.rejoined") == 1
    with unit_of_work(running.factory) as session:
        assert session.scalar(select(func.count()).select_from(HuddleOptOut)) == 0
    nothing_failed(running)


def test_rating_and_saying_you_missed_it_twelve_times_at_once_keeps_one_answer(running: Running) -> None:
    """Six ratings (1 to 5) and six "I couldn't make it" from one member, all at once."""
    huddle_id = _huddle(running, -timedelta(hours=2))
    client = running.client()
    block = f"huddle-rate-{huddle_id}"

    def click(index: int) -> SignedResponse:
        if index % 2:
            return client.block_action(
                "UPARENT", huddle_words.MISSED_ACTION, f"{huddle_id}:0", block_id=block
            )
        score = index % 5 + 1
        return client.block_action(
            "UPARENT", f"{huddle_words.RATE_ACTION}.{score}", f"{huddle_id}:{score}", block_id=block
        )

    answers = all_at_once(AT_ONCE, click)
    wait_for(lambda: len(replies(running, "UPARENT")) >= AT_ONCE, 20, "a reply to every click")
    later = client.block_action("UPARENT", f"{huddle_words.RATE_ACTION}.3", f"{huddle_id}:3", block_id=block)
    wait_for(lambda: len(replies(running, "UPARENT")) > AT_ONCE, 20, "the reply to the later click")

    assert [answer.status for answer in [*answers, later]] == [200] * (AT_ONCE + 1)
    with unit_of_work(running.factory) as session:
        scores = list(session.scalars(select(HuddleRating.score).where(HuddleRating.huddle_id == huddle_id)))
    member = _member(running, huddle_id, "UPARENT")
    if scores:  # a rating came first: one score, from someone who was there
        assert len(scores) == 1, f"{len(scores)} ratings stored for one member"
        assert (member.attended, member.rated) == (True, True)
        kept = huddle_words.rating_reply(scores[0])
    else:  # "I couldn't make it" came first: no score at all
        assert (member.attended, member.rated) == (False, False)
        kept = huddle_words.rating_reply(0)
    told = replies(running, "UPARENT")
    assert told[:AT_ONCE].count(kept) == 1
    assert told[:AT_ONCE].count(huddle_service.ALREADY_ANSWERED) == AT_ONCE - 1
    assert told[AT_ONCE:] == [huddle_service.ALREADY_ANSWERED]  # the later click: what the losers had
    assert _member(running, huddle_id, "UPEER").rated is False
    nothing_failed(running)
