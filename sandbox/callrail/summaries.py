"""CallRail's call summaries: `/calls/summary.json` (totals, optionally grouped) and
`/calls/timeseries.json` (totals per hour, day, week, month or year).

Traps reproduced: `fields` adds metrics to the default `total_calls` and never removes it, and
with them an undocumented `voicemail_calls`; company groupings exist only at account level;
envelope dates carry an offset without a colon (`-0000` for UTC); hours are stepped in UTC,
so a DST day has 23 or 25 of them; more than 200 points answers 400; the summaries read the
same 7-day default, time zones and call filters as `/calls.json`.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.callrail.call_records import CallFactory, duration_text
from sandbox.callrail.calls import select_calls
from sandbox.callrail.dates import (
    compact,
    day_start,
    epoch_ms,
    months_before,
    request_window,
    request_zone,
)
from sandbox.callrail.paging import requested_fields
from sandbox.callrail.world import Account, Record
from sandbox.core.http import ApiError, Request

MAX_POINTS = 200
TOO_MANY_POINTS = (
    "Too many data points requested, please shorten the date range or use a larger interval"
)
METRICS = (
    "total_calls", "missed_calls", "answered_calls", "first_time_callers", "average_duration",
    "formatted_average_duration", "leads",
)  # fmt: skip
#: `group_by` value -> core field.
GROUP_FIELDS = {
    "source": "source", "keywords": "keywords", "campaign": "campaign",
    "referrer": "referrer_domain", "landing_page": "landing_page_url",
    "company": "company_name", "company_id": "company_id",
}  # fmt: skip
INTERVALS = ("hour", "day", "week", "month", "year")
#: Groupings CallRail offers only for a whole account, never with `company_id`.
COMPANY_GROUPS = ("company", "company_id")


def summary(request: Request, account: Account, *, factory: CallFactory, now: datetime) -> Record:
    zone = request_zone(request, account.zone)
    start, end = request_window(request, zone, now)
    names = _metric_names(request)
    group = request.param("group_by")
    if group is not None and group not in GROUP_FIELDS:
        raise ApiError(400, f"Invalid group_by: {group}")
    if group in COMPANY_GROUPS and request.param("company_id"):
        raise ApiError(400, f"group_by={group} is only available at the account level")
    need_core = bool(group) or names != ["total_calls"]
    calls = select_calls(factory, account, (start, end), request, need_core)
    cores = [core for _, _, core in calls]
    body = _envelope(start, end, zone) | {"total_results": _metrics(cores, names)}
    if group:
        groups: dict[Any, list[Record]] = {}
        for core in cores:
            groups.setdefault(core[GROUP_FIELDS[group]], []).append(core)
        ranked = sorted(groups.items(), key=lambda g: (-len(g[1]), g[0] is None, str(g[0])))
        body["grouped_by"] = group
        body["grouped_results"] = [{"key": k, **_metrics(v, names)} for k, v in ranked]
    return body


def timeseries(
    request: Request, account: Account, *, factory: CallFactory, now: datetime
) -> Record:
    zone = request_zone(request, account.zone)
    start, end = request_window(request, zone, now)
    interval = request.param("interval") or "day"
    if interval not in INTERVALS:
        raise ApiError(400, f"Invalid interval: {interval}")
    periods = _periods(start, end, zone, interval)
    if len(periods) > MAX_POINTS:
        raise ApiError(400, TOO_MANY_POINTS)
    names = _metric_names(request)
    calls = select_calls(factory, account, (start, end), request, names != ["total_calls"])
    cores, moments = [core for _, _, core in calls], [ms for ms, _, _ in calls]
    cuts = [0, *(bisect.bisect_left(moments, begin) for _, begin in periods[1:]), len(calls)]
    data = [
        {"date": label, **_metrics(cores[cuts[i] : cuts[i + 1]], names)}
        for i, (label, _) in enumerate(periods)
    ]
    return _envelope(start, end, zone) | {"total_results": _metrics(cores, names), "data": data}


def _periods(
    start: datetime, end: datetime, zone: ZoneInfo, interval: str
) -> list[tuple[str, int]]:
    """(label, start ms) of each period touching [start, end]; stops past MAX_POINTS."""
    periods: list[tuple[str, int]] = []
    local = start.astimezone(zone)
    if interval == "hour":
        # Step in UTC so that DST days have 23 or 25 hours, labelled in the request zone.
        cursor = local.replace(minute=0, second=0, microsecond=0).astimezone(timezone.utc)
        while cursor <= end and len(periods) <= MAX_POINTS:
            periods.append((compact(cursor, zone), epoch_ms(cursor)))
            cursor += timedelta(hours=1)
        return periods
    day = local.date()
    day = {
        "day": day,
        "week": day - timedelta(days=day.weekday()),  # weeks start on Monday
        "month": day.replace(day=1),
        "year": day.replace(month=1, day=1),
    }[interval]
    while (begin := day_start(day, zone)) <= end and len(periods) <= MAX_POINTS:
        periods.append((day.isoformat(), epoch_ms(begin)))
        steps = {"day": day + timedelta(days=1), "week": day + timedelta(days=7)}
        day = steps.get(interval) or months_before(day, -1 if interval == "month" else -12)
    return periods


def _envelope(start: datetime, end: datetime, zone: ZoneInfo) -> Record:
    return {
        "start_date": compact(start, zone),
        "end_date": compact(end, zone),
        "time_zone": zone.key,
    }


def _metric_names(request: Request) -> list[str]:
    # fields adds to the default total_calls; it never removes it.
    return list(dict.fromkeys(["total_calls", *requested_fields(request, METRICS)]))


def _metrics(cores: Sequence[Record], names: Sequence[str]) -> Record:
    values: Record = {"total_calls": len(cores)}
    if set(names) - {"total_calls"}:
        average = round(sum(c["duration"] for c in cores) / len(cores)) if cores else 0
        values |= {
            "missed_calls": sum(not c["answered"] for c in cores),
            "answered_calls": sum(c["answered"] for c in cores),
            "first_time_callers": sum(c["first_call"] for c in cores),
            "average_duration": average,
            "formatted_average_duration": duration_text(average),
            "leads": sum(c["lead_status"] == "good_lead" for c in cores),
        }
        # Sent with the other metrics though CallRail documents it nowhere.
        return {name: values[name] for name in names} | {
            "voicemail_calls": sum(c["voicemail"] for c in cores)
        }
    return {name: values[name] for name in names}
