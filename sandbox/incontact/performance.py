"""agents/performance, teams/performance-total and skills/summary, totalled from the contacts.

Traps reproduced: performance windows must start and end on quarter hours and have closed
(400 "Invalid DateRange" otherwise); summary windows are at most 30 days; an empty result
is a 204; durations are ISO 8601 (`PT1H2M3S`), except summary times in legacy versions,
which are integer seconds; and a summary's real-time snapshot fields (agentsWorking,
queueCount...) describe the current minute, not the window asked for.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from sandbox.core.http import Request, Response
from sandbox.incontact.business_unit import SKILLS
from sandbox.incontact.dates import MINUTE_MS, date_window, iso_duration, parse_date, to_ms
from sandbox.incontact.faults import Refusal
from sandbox.incontact.world import World

Record = dict[str, Any]

QUARTER_MS = 15 * MINUTE_MS
SUMMARY_TIMES = (
    "averageHandleTime", "averageSpeedToAnswer", "averageTalkTime", "averageWrapTime",
    "averageInqueueTime", "holdTime", "longestQueueDur", "totalContactTime",
)  # fmt: skip
SKILL_FIELDS = (
    "skillId", "skillName", "campaignId", "campaignName", "mediaTypeId", "mediaTypeName",
    "isOutbound", "serviceLevelGoal", "serviceLevelThreshold",
)  # fmt: skip


def agent_performance(world: World, request: Request) -> Response:
    rows = [with_durations(row) for row in _agent_totals(world, *_closed_quarters(world, request))]
    return _answer({"agentPerformance": rows} if rows else None)


def team_performance(world: World, request: Request) -> Response:
    teams: dict[int, list[Record]] = {}
    for row in _agent_totals(world, *_closed_quarters(world, request)):
        teams.setdefault(row["teamId"], []).append(row)
    rows = [with_durations(_team_total(team, members)) for team, members in sorted(teams.items())]
    return _answer({"teamPerformanceTotal": rows} if rows else None)


def skill_summary(
    world: World, request: Request, *, bus_no: int, vendor_name: str, legacy: bool
) -> Response:
    now = to_ms(world.clock())
    start, end = date_window(request.param("startDate"), request.param("endDate"), now)
    data, groups = world.contacts(), dict[int, list[int]]()
    for i in world.window_indices(start, end):
        groups.setdefault(data.skill[i], []).append(i)
    media, outbound = request.param("mediaTypeId"), request.param("isOutbound")
    unit = {"businessUnitId": bus_no, "businessUnitName": f"{vendor_name} Contact Center"}
    rows = []
    for position, indices in sorted(groups.items()):
        skill = world.unit.skills[position]
        if (not media or str(skill["mediaTypeId"]) == media) and (
            not outbound or str(skill["isOutbound"]).lower() == outbound.lower()
        ):
            row = _summary_row(world, skill, indices, f"{start}:{end}", unit)
            rows.append(row if legacy else with_durations(row, SUMMARY_TIMES))
    return _answer({"skillSummaries": rows} if rows else None)


def _closed_quarters(world: World, request: Request) -> tuple[int, int]:
    """A window on quarter hours that has closed."""
    start, end = (parse_date(request.param(n), n) for n in ("startDate", "endDate"))
    if start % QUARTER_MS or end % QUARTER_MS:
        raise Refusal(400, "Invalid DateRange - startDate and endDate must be quarter hours")
    if end <= start:
        raise Refusal(400, "Invalid DateRange - endDate must be after startDate")
    if end > to_ms(world.clock()):
        raise Refusal(400, "Invalid DateRange - endDate must not be in the future")
    return start, end


def _agent_totals(world: World, start: int, end: int) -> list[Record]:
    """Per agent with contacts in [start, end): totals in seconds, before rendering."""
    return [
        _agent_total(world, world.unit.active[position], sums, f"{start}:{end}")
        for position, sums in sorted(_handled_sums(world, start, end).items())
    ]


def _handled_sums(world: World, start: int, end: int) -> dict[int, list[int]]:
    """By agent position: inbound count, talk, hold; outbound count, talk, hold; ACW."""
    data = world.contacts()
    sums: dict[int, list[int]] = {}
    for i in world.window_indices(start, end):
        if (position := data.agent[i]) >= 0:
            row, base = sums.setdefault(position, [0] * 7), 3 * SKILLS[data.skill[i]].outbound
            row[base] += 1
            row[base + 1] += data.talk[i]
            row[base + 2] += data.hold[i]
            row[6] += data.acw[i]
    return sums


def _agent_total(world: World, agent: Record, sums: list[int], window: str) -> Record:
    """One agent's totals; what contacts do not tell (idle time, refusals) comes from a seed."""
    ih, italk, ihold, oh, otalk, ohold, acw = sums
    rng = random.Random(f"{world.seed}:performance:{agent['agentId']}:{window}")
    busy = italk + ihold + otalk + ohold + acw
    available = round(rng.uniform(0.2, 0.6) * busy + 60, 1)
    unavailable = round(rng.uniform(0.05, 0.2) * busy, 1)
    refused = int(rng.random() < 0.15)
    return _derive({
        "agentId": agent["agentId"], "teamId": agent["teamId"],
        "agentName": f"{agent['firstName']} {agent['lastName']}", "teamName": agent["teamName"],
        "agentOffered": ih + oh + refused, "inboundHandled": ih,
        "inboundTime": italk + ihold, "inboundTalkTime": italk, "outboundHandled": oh,
        "outboundTime": otalk + ohold, "outboundTalkTime": otalk,
        "totalHandled": ih + oh, "totalTalkTime": italk + otalk, "handleTime": busy,
        "consultTime": round(rng.uniform(0, 0.05) * (italk + otalk), 1),
        "availableTime": available, "unavailableTime": unavailable, "acwTime": acw,
        "refused": refused, "loginTime": round(busy + available + unavailable, 1),
    })  # fmt: skip


def _team_total(team_id: int, members: list[Record]) -> Record:
    numbers = [k for k, v in members[0].items() if not isinstance(v, str)]
    total = _derive({k: sum(m[k] for m in members) for k in numbers})
    total |= {
        "teamId": team_id, "teamName": members[0]["teamName"],
        "totalAvgHandled": round(total["totalHandled"] / len(members)),
        "avgAvailableTime": total["availableTime"] / len(members),
        "avgUnavailableTime": total["unavailableTime"] / len(members),
    }  # fmt: skip
    del total["agentId"]
    return total


def _derive(sums: Record) -> Record:
    """Averages and rates from performance totals in seconds."""
    busy = sums["handleTime"]

    def ratio(part: float, whole: float) -> float:
        return round(part / whole * 100, 2) if whole else 0

    return sums | {
        "inboundAvgTalkTime": sums["inboundTalkTime"] / max(1, sums["inboundHandled"]),
        "outboundAvgTalkTime": sums["outboundTalkTime"] / max(1, sums["outboundHandled"]),
        "totalAvgTalkTime": sums["totalTalkTime"] / max(1, sums["totalHandled"]),
        "totalAvgHandleTime": busy / max(1, sums["totalHandled"]),
        "percentRefused": ratio(sums["refused"], sums["agentOffered"]),
        "workingRate": ratio(busy + sums["availableTime"], sums["loginTime"]),
        "occupancy": ratio(busy, busy + sums["availableTime"]),
    }


def _summary_row(world: World, skill: Record, indices: list[int], window: str,
                 unit: Record) -> Record:  # fmt: skip
    data = world.contacts()
    handled = [i for i in indices if data.agent[i] >= 0]
    queued = [] if skill["isOutbound"] else [data.queue[i] for i in indices]
    within = sum(q <= skill["serviceLevelThreshold"] for q in queued)
    talk, hold, wrap = (
        sum(column[i] for i in handled) for column in (data.talk, data.hold, data.acw)
    )
    count, dials = max(1, len(handled)), len(indices) * skill["isOutbound"]
    aht, connects = (talk + hold + wrap) / count, len(handled) * skill["isOutbound"]
    rng = random.Random(f"{world.seed}:summary:{skill['skillId']}:{window}")
    right_party = round(connects * rng.uniform(0.55, 0.85))
    return {k: skill[k] for k in SKILL_FIELDS} | unit | {
        "contactsOffered": len(indices), "contactsHandled": len(handled),
        "contactsQueued": len(queued), "abandonCount": len(indices) - len(handled),
        "contactsWithinSLA": within, "contactsOutOfSLA": len(queued) - within,
        "dials": dials, "connects": connects, "rightPartyConnects": right_party,
        "abandonRate": round((len(indices) - len(handled)) / len(indices) * 100, 2),
        "serviceLevel": round(within / len(queued) * 100, 2) if queued else 0,
        "averageHandleTime": aht, "averageTalkTime": talk / count,
        "averageSpeedToAnswer": sum(data.queue[i] for i in handled) / count,
        "averageWrapTime": wrap / count, "holdTime": hold,
        "averageInqueueTime": sum(queued) / max(1, len(queued)),
        "longestQueueDur": max(queued, default=0), "totalContactTime": talk + hold + wrap,
        "connectsAHT": f"{aht if connects else 0:.2f}", "contactsTransferred": 0,
        "rightPartyConnectsAHT": f"{aht * rng.uniform(1, 1.2) if right_party else 0:.2f}",
    } | _snapshot(world, skill["skillId"])  # fmt: skip


def _snapshot(world: World, skill_id: int) -> Record:
    """The real-time fields: this minute's, whatever window was asked for."""
    minute = to_ms(world.clock()) // MINUTE_MS
    rng = random.Random(f"{world.seed}:snapshot:{skill_id}:{minute}")
    working, acw, available, unavailable = (rng.randint(0, n) for n in (6, 3, 4, 3))
    return {
        "agentsAcw": acw, "agentsAvailable": available, "agentsIdle": available,
        "agentsLoggedIn": working + acw + available + unavailable,
        "agentsUnavailable": unavailable, "agentsWorking": working,
        "contactsActive": working, "queueCount": rng.randint(0, 5),
    }  # fmt: skip


def with_durations(row: Record, names: Iterable[str] = ()) -> Record:
    """Seconds as ISO 8601 durations: `names`, or every `...Time`; internal handleTime left out."""
    names = set(names) or {name for name in row if name.endswith("Time")}
    return {k: iso_duration(v) if k in names else v for k, v in row.items() if k != "handleTime"}


def _answer(body: Record | None) -> Response:
    return Response(json=body) if body else Response(204)
