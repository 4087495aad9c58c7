"""Benchmark: ``hr-plugin huddles plan`` (cohorts, facilitators, slots) on a seeded company.

    python -m bench.huddles            # 50,000 participants, 7,500 facilitators (target: under 5 s)
    python -m bench.huddles --quick    # 10,000 participants, 1,500 facilitators

Two months are planned, as the program runs: a first month from scratch, then the next month
with the first month's groups as ``previous_groups`` after 5% of participants left and as many
newcomers arrived (the path that keeps groups together). Participants are spread over time
zones on every continent, half-hour and 45-minute ones included, with varied hours, part-time
weeks, holiday calendars and a reporting-chain exclusion for one in ten. Each timed call is the
public ``plan`` on the input dict, validation included. A JSON report is written.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

from bench.report import Line, ScenarioResult, median
from huddles.plan import plan

# Issue 20: 50,000 participants in under 5 s. The quick run is the former full size, where the
# planner's cost is already mostly linear work, so a regression to quadratic still shows.
FULL = {"participants": 50_000, "facilitators": 7_500}
QUICK = {"participants": 10_000, "facilitators": 1_500}
TARGET_SECONDS = 5.0
# (zone, country, subdivision, weight): where a multinational's returning parents might sit.
ZONES = [
    ("Europe/London", "GB", "ENG", 12),
    ("Europe/Dublin", "IE", None, 3),
    ("Europe/Berlin", "DE", "BE", 8),
    ("Europe/Paris", "FR", None, 6),
    ("Europe/Madrid", "ES", None, 3),
    ("Europe/Warsaw", "PL", None, 3),
    ("Africa/Lagos", "NG", None, 2),
    ("Africa/Johannesburg", "ZA", None, 2),
    ("Asia/Dubai", "AE", None, 2),
    ("Asia/Kolkata", "IN", None, 8),
    ("Asia/Kathmandu", "NP", None, 1),
    ("Asia/Singapore", "SG", None, 3),
    ("Asia/Tokyo", "JP", None, 3),
    ("Australia/Sydney", "AU", "NSW", 4),
    ("Australia/Adelaide", "AU", "SA", 1),
    ("Pacific/Auckland", "NZ", None, 1),
    ("America/St_Johns", "CA", "NL", 1),
    ("America/New_York", "US", "NY", 14),
    ("America/Chicago", "US", "IL", 6),
    ("America/Denver", "US", "CO", 2),
    ("America/Los_Angeles", "US", "CA", 9),
    ("America/Sao_Paulo", "BR", None, 3),
    ("America/Mexico_City", "MX", None, 2),
]
HOURS = [(["09:00", "17:00"], 6), (["08:00", "16:00"], 2), (["10:00", "18:00"], 2), (["09:30", "14:30"], 1)]
DAYS = [([0, 1, 2, 3, 4], 8), ([0, 1, 2, 3], 1), ([1, 2, 3, 4], 1), ([0, 2, 4], 1)]


def person(rng: random.Random, pid: str, ids: list[str]) -> dict[str, Any]:
    """One seeded person in DESIGN.md's input shape."""
    zone, country, subdivision, _ = rng.choices(ZONES, weights=[z[3] for z in ZONES])[0]
    item: dict[str, Any] = {
        "id": pid,
        "timezone": zone,
        "stage_weeks": rng.randrange(0, 39),
        "working_hours": rng.choices([h for h, _ in HOURS], weights=[w for _, w in HOURS])[0],
        "working_days": rng.choices([d for d, _ in DAYS], weights=[w for _, w in DAYS])[0],
        "country": country,
    }
    if subdivision:
        item["subdivision"] = subdivision
    if ids and rng.random() < 0.1:
        item["excluded"] = rng.sample(ids, min(len(ids), 3))
    return item


def generate(participants: int, facilitators: int, seed: int) -> dict[str, Any]:
    """The first month's input."""
    rng = random.Random(seed)
    people: list[dict[str, Any]] = []
    ids: list[str] = []
    for index in range(participants):
        people.append(person(rng, f"U{index:06d}", ids))
        ids.append(people[-1]["id"])
    mentors = [person(rng, f"M{index:06d}", ids) for index in range(facilitators)]
    for mentor in mentors:
        mentor.pop("stage_weeks")
    return {"month": "2026-03", "min_size": 4, "max_size": 7, "participants": people, "facilitators": mentors}


def next_month(first: dict[str, Any], output: dict[str, Any], seed: int) -> dict[str, Any]:
    """The second month: 5% leave, as many arrive, everyone is four weeks further along."""
    rng = random.Random(seed + 1)
    people = [dict(item, stage_weeks=item["stage_weeks"] + 4) for item in first["participants"]]
    leaving = set(rng.sample(range(len(people)), len(people) // 20))
    people = [item for index, item in enumerate(people) if index not in leaving]
    ids = [item["id"] for item in people]
    for index in range(len(leaving)):
        people.append(person(rng, f"N{index:06d}", ids))
    previous = [group["members"] for group in output["groups"]]
    return dict(first, month="2026-04", participants=people, previous_groups=previous)


def timed(data: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """``plan`` on ``data`` and the seconds it took."""
    began = time.perf_counter()
    result = plan(data)
    return result, time.perf_counter() - began


def summary(data: dict[str, Any], result: dict[str, Any], seconds: float) -> dict[str, Any]:
    """One month's line in the report."""
    sizes = [len(group["members"]) for group in result["groups"]]
    return {
        "month": data["month"],
        "participants": len(data["participants"]),
        "seconds": round(seconds, 3),
        "groups": len(sizes),
        "placed": sum(sizes),
        "unplaced": len(result["unplaced"]),
        "with_facilitator": sum(group["facilitator"] is not None for group in result["groups"]),
        "size_histogram": {str(size): sizes.count(size) for size in sorted(set(sizes))},
    }


def scenario(quick: bool, runs: int, seed: int = 7) -> ScenarioResult:
    """``python -m bench``'s view: both months ``runs`` times (50,000; quick 10,000), medians."""
    sizes = QUICK if quick else FULL
    first = generate(sizes["participants"], sizes["facilitators"], seed)
    first_times: list[float] = []
    second_times: list[float] = []
    months: list[dict[str, Any]] = []
    for _ in range(runs):
        first_result, first_seconds = timed(first)
        second = next_month(first, first_result, seed)
        second_result, second_seconds = timed(second)
        first_times.append(first_seconds)
        second_times.append(second_seconds)
        months = [summary(first, first_result, first_seconds), summary(second, second_result, second_seconds)]
    slowest = max(median(first_times), median(second_times))
    result = ScenarioResult("huddles")
    result.lines.append(
        Line(
            f"huddles for {sizes['participants']:,} participants",
            f"{median(first_times):.2f} s first month, {median(second_times):.2f} s next month "
            f"({months[0]['groups']:,} groups, {months[0]['unplaced']} unplaced)",
            f"limit {TARGET_SECONDS:.0f} s; {sizes['facilitators']:,} facilitators, {len(ZONES)} time zones",
            f"< {TARGET_SECONDS:.0f} s",
            slowest < TARGET_SECONDS,
        )
    )
    result.data = {
        "instance": {**sizes, "seed": seed, "zones": len(ZONES)},
        "first_month_seconds": first_times,
        "next_month_seconds": second_times,
        "months": months,
        "target_seconds": TARGET_SECONDS,
    }
    return result


def main(argv: list[str] | None = None) -> int:
    """Run both months, print the times, write the report; exit 1 when over the target."""
    parser = argparse.ArgumentParser(prog="python -m bench.huddles")
    parser.add_argument("--quick", action="store_true", help="10,000 participants instead of 50,000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--report", type=Path, default=None, help="the JSON report's path")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    first = generate(sizes["participants"], sizes["facilitators"], args.seed)
    first_result, first_seconds = timed(first)
    second = next_month(first, first_result, args.seed)
    second_result, second_seconds = timed(second)
    months = [summary(first, first_result, first_seconds), summary(second, second_result, second_seconds)]

    kept = {tuple(group) for group in second["previous_groups"]}
    present = {item["id"] for item in second["participants"]}
    intact = [group for group in kept if set(group) <= present]
    group_of = {
        member: index for index, new in enumerate(second_result["groups"]) for member in new["members"]
    }
    together = sum(
        group[0] in group_of and len({group_of.get(member) for member in group}) == 1 for group in intact
    )
    for line in months:
        print(
            f"{line['month']}: {line['participants']} participants -> {line['groups']} groups "
            f"({line['placed']} placed, {line['unplaced']} unplaced, {line['with_facilitator']} with a "
            f"facilitator) in {line['seconds']:.2f} s"
        )
    print(f"previous groups with everyone still present kept together: {together} of {len(intact)}")
    report = {
        "instance": {**sizes, "seed": args.seed, "zones": len(ZONES)},
        "months": months,
        "previous_groups_intact": len(intact),
        "previous_groups_kept_together": together,
        "target_seconds": TARGET_SECONDS,
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }
    target = args.report or Path(__file__).parent / "results" / (
        "huddles-quick.json" if args.quick else "huddles.json"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target}")
    return 0 if max(first_seconds, second_seconds) < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
