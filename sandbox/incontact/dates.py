"""Times as inContact writes and reads them, with the traps of its date parameters.

Out: UTC with milliseconds and a literal `Z` (`2016-09-13T16:29:31.443Z`), durations as
ISO 8601 (`PT1H2M3S`). In: ISO 8601 dates where an unencoded `+00:00` arrives as a space and
fails, windows of at most 30 days, and (Data Download only) no time-zone offset at all.
Inside the simulator every moment is an integer of milliseconds since the epoch.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock

from sandbox.incontact.faults import Refusal

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MINUTE_MS, DAY_MS = 60_000, 86_400_000
MAX_WINDOW_MS = 30 * DAY_MS
MAX_WINDOW_ERROR = "Invalid date range. Max 30 days."
_DATE = re.compile(
    r"^\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d(?:\.\d{1,6})?)?)?(Z|[+-]\d\d:\d\d)?$", re.I
)


def to_ms(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)


def iso_z(ms: int) -> str:
    """UTC with milliseconds and `Z`, as inContact writes timestamps."""
    return (EPOCH + timedelta(milliseconds=ms)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def plain_utc(ms: int) -> str:
    return (EPOCH + timedelta(milliseconds=ms)).strftime("%Y-%m-%d %H:%M:%S")


def day_start_ms(day: date) -> int:
    return to_ms(datetime.combine(day, clock(), timezone.utc))


def hms(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def iso_duration(seconds: float) -> str:
    """ISO 8601, as `PT1H2M3.5S`."""
    hours, rest = divmod(round(seconds, 3), 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT" + (f"{int(hours)}H" if hours else "") + (f"{int(minutes)}M" if minutes else "")
    if secs or text == "PT":
        text += f"{secs:.3f}".rstrip("0").rstrip(".") + "S"
    return text


def parse_date(text: str | None, name: str, *, offset: bool = True) -> int:
    """A query date as ms: `Z`, an offset (unless `offset` is False) or none, meaning UTC."""
    found = _DATE.match(text or "")
    if text is None or found is None:  # an unencoded `+` arrives as a space, and fails here
        raise Refusal(400, f"Invalid {name}")
    if found.group(1) and not offset:
        raise Refusal(400, f"Invalid {name}: no time zone offset is allowed")
    moment = datetime.fromisoformat(text[:-1] if found.group(1) in ("Z", "z") else text)
    return to_ms(moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))


def date_window(first: str | None, last: str | None, now: int) -> tuple[int, int]:
    """A startDate/endDate pair of at most 30 days; endDate defaults to now."""
    start = parse_date(first, "startDate")
    end = parse_date(last, "endDate") if last is not None else now
    if end <= start:
        raise Refusal(400, "Invalid date range: endDate must be after startDate")
    if end - start > MAX_WINDOW_MS:
        raise Refusal(400, MAX_WINDOW_ERROR)
    return start, end
