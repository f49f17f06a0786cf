"""CallRail's dates: the window a request covers, the zone it is read in, and how times are written.

Traps reproduced: a request without dates covers only `recent`, the last 7 days including
today; dates follow the key owner's zone unless `time_zone` names another (the legacy `EST`
included); both ends are inclusive, a date-only `end_date` meaning the whole day; a range
reaching past the 25 months of retention, or `all_time`, answers 400. Call times carry the
request zone's offset, companies and forms are UTC with `Z`, summaries use `-0000`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.core.http import ApiError, Request

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MS = timedelta(milliseconds=1)
DAY_MS = 86_400_000
UTC = ZoneInfo("Etc/UTC")
RETENTION_MONTHS = 25
RETENTION_ERROR = (
    "The requested date range is outside of the data retention period of 25 months. "
    "Please revise the date range."
)
_TIME_PART = re.compile(r"[T ]\d{2}(:\d{2})?(:\d{2})?(\.\d+)?")


def request_zone(request: Request, owner_zone: ZoneInfo) -> ZoneInfo:
    """The zone of `time_zone`; `user`, the default, is the key owner's zone."""
    name = request.param("time_zone")
    if not name or name == "user":
        return owner_zone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ApiError(400, f"Invalid time_zone: {name}") from None


def request_window(request: Request, zone: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """The inclusive [start, end] a date-filtered request covers."""
    today = now.astimezone(zone).date()
    first, last = request.param("start_date"), request.param("end_date")
    if first or last:
        if not first:
            raise ApiError(400, "start_date is required when end_date is given")
        start = _parse_bound(first, zone, end=False)
        tonight = day_start(today + timedelta(days=1), zone) - MS
        end = _parse_bound(last, zone, end=True) if last else tonight
    else:
        first_day, last_day = _named_range(request.param("date_range") or "recent", today)
        start = day_start(first_day, zone)
        end = day_start(last_day + timedelta(days=1), zone) - MS
    if end < start:
        raise ApiError(400, "end_date must not be before start_date")
    earliest = months_before(today, RETENTION_MONTHS) + timedelta(days=1)
    if start < day_start(earliest, zone):
        raise ApiError(400, RETENTION_ERROR)
    return start, end


def _parse_bound(text: str, zone: ZoneInfo, *, end: bool) -> datetime:
    """A start_date or end_date; an end covers the whole last unit it names (day, minute, ...)."""
    text = text.strip()
    try:
        if len(text) == 10:
            start = day_start(date.fromisoformat(text), zone)
            return start + timedelta(days=1) - MS if end else start
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text)
    except ValueError:
        raise ApiError(400, f"Invalid date: {text}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    time_part = _TIME_PART.search(text)
    if end and time_part and not time_part.group(3):
        # Through 14:00:59.999 for "14:00", through 14:00:00.999 for "14:00:00".
        parsed += timedelta(seconds=1 if time_part.group(2) else 60) - MS
    return parsed


def _named_range(name: str, today: date) -> tuple[date, date]:
    day = timedelta(days=1)
    month_start = today.replace(day=1)
    last_month_end = month_start - day
    ranges = {
        "recent": (today - 6 * day, today),
        "today": (today, today),
        "yesterday": (today - day, today - day),
        "last_7_days": (today - 7 * day, today - day),
        "last_30_days": (today - 30 * day, today - day),
        "this_month": (month_start, today),
        "last_month": (last_month_end.replace(day=1), last_month_end),
        "this_year": (today.replace(month=1, day=1), today),
        "last_year": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    }
    if name == "all_time":
        raise ApiError(400, RETENTION_ERROR)
    if name not in ranges:
        raise ApiError(400, f"Invalid date_range: {name}")
    return ranges[name]


def day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock(), zone)


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (later when negative), clamped to the month's end."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    first = date(year, month + 1, 1)
    following = date(year + (month == 11), (month + 1) % 12 + 1, 1)
    return min(first + timedelta(days=day.day - 1), following - timedelta(days=1))


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the epoch, exactly (float timestamps can be off by one)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (moment - EPOCH) // MS


def utc_z(moment: datetime) -> str:
    """The form of companies, trackers, forms and conversations: UTC, milliseconds, `Z`."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def compact(moment: datetime, zone: ZoneInfo) -> str:
    """The summary envelopes' form: an offset without a colon, `-0000` for UTC."""
    text = moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S%z")
    return text[:-5] + "-0000" if text.endswith("+0000") else text


def render(value: Any, zone: ZoneInfo) -> Any:
    """Datetimes as CallRail's offset form in the request zone, with milliseconds."""
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat(timespec="milliseconds")
    if isinstance(value, dict):
        return {k: render(v, zone) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, zone) for v in value]
    return value
