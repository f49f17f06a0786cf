# Copied from common/dates.py by `python3 tasks.py copy-common`: edit the source, not this copy.
"""The date settings, bookmarks and day windows of every tap.

`start_date` and `end_date` accept an ISO 8601 date or date-time, `today`, `yesterday`,
`today-N`, or a bare integer N: N days back (a JSON number, or text such as "7"). Together they
give the three date modes users know from report connectors: one specific day, N days back,
and a range. Every date setting of every tap is read here, and declared as `DATE_SETTING`.

`start_date` is needed only by dated streams: without it `SyncRange.from_settings` raises
`MissingStartDate`, which the tap reports when a dated stream is selected.

Days are those of a time zone, the account's: a date, `today-N` and a day window all begin at
that zone's midnight. A date-time with an offset is that instant; one without an offset is a
wall-clock time of the zone. Every instant is kept offset-aware and compared in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

from singer_sdk import typing as th

_RELATIVE = re.compile(r"^\s*(today|yesterday)\s*(?:-\s*(\d+))?\s*$", re.IGNORECASE)
_DAYS_BACK = re.compile(r"^\s*(\d+)\s*$")
_OFFSET_WITHOUT_COLON = re.compile(r"([+-]\d{2})(\d{2})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: No API these taps read keeps data before this, nor can a date after LATEST be meant.
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)
MAX_DAYS_BACK = (LATEST - EARLIEST).days
ACCEPTED = "an ISO 8601 date or date-time, 'today', 'yesterday', 'today-N', or N days back"
#: The type of every date setting: text, or a whole number of days back.
DATE_SETTING = th.CustomType({"type": ["string", "integer"]})
#: How the descriptions of date settings say what they accept.
DATE_FORMS = "An ISO 8601 date or date-time, today, yesterday, today-N, or N (days back)"


class SettingError(ValueError):
    """A setting that cannot be used; the message names the setting."""


class MissingStartDate(SettingError):
    """`start_date` is not set: only streams that read by date need it."""


def parse_timestamp(value: str, zone: tzinfo = timezone.utc) -> datetime:
    """An ISO 8601 timestamp, offset-aware; a value without an offset is a time of `zone`.

    Accepts the forms APIs really send: `Z`, `+00:00` and `-0500` offsets. Raises ValueError.
    """
    try:  # the common case, at C speed: one call per timestamp of every record
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        pass
    else:
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    text = str(value).strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    elif "T" in text or " " in text:
        text = _OFFSET_WITHOUT_COLON.sub(r"\1:\2", text)
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def to_utc_iso(value: str) -> str:
    """Any offset-aware ISO 8601 timestamp as a UTC ISO 8601 string."""
    return parse_timestamp(value).astimezone(timezone.utc).isoformat()


def midnight(day: date, zone: tzinfo = timezone.utc) -> datetime:
    """The instant `day` begins in `zone`, in UTC.

    Kept in UTC on purpose: Python subtracts two times of one zone by their wall clocks, so
    the day clocks go forward would seem 24 hours long.
    """
    return datetime.combine(day, time(), tzinfo=zone).astimezone(timezone.utc)


def _resolve(name: str, value: Any, now: datetime, zone: tzinfo) -> tuple[datetime, bool]:
    """The instant a date setting names, and whether it named a whole day."""
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    problem = f"setting '{name}' is not a date: {value!r} (use {ACCEPTED})"
    if text is None:
        raise SettingError(problem)
    back = _days_back(text)
    if back is not None:
        if back > MAX_DAYS_BACK:
            raise SettingError(f"setting '{name}' goes back {back} days, more than anyone keeps")
        return midnight(now.astimezone(zone).date() - timedelta(days=back), zone), True
    try:
        if _ISO_DATE.match(text.strip()):
            return midnight(date.fromisoformat(text.strip()), zone), True
        return parse_timestamp(text, zone).astimezone(timezone.utc), False
    except (ValueError, OverflowError):
        raise SettingError(problem) from None


def _days_back(text: str) -> int | None:
    """How many days back `today-N`, `yesterday` or a bare N names; None for other text."""
    if found := _DAYS_BACK.match(text):
        return int(found.group(1))
    if found := _RELATIVE.match(text):
        word, number = found.groups()
        return int(number or 0) + (word.lower() == "yesterday")
    return None


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier, clamped to the month's length."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for last_day in (31, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError  # pragma: no cover - every month has 28 days


@dataclass(frozen=True)
class SyncRange:
    """The instants a sync covers: from `start` (inclusive) to `end` (exclusive).

    `zone` is the time zone whose days the settings name.
    """

    start: datetime
    end: datetime
    zone: tzinfo = timezone.utc

    @classmethod
    def from_settings(
        cls,
        start_date: Any,
        end_date: Any,
        *,
        now: datetime | None = None,
        zone: tzinfo = timezone.utc,
    ) -> SyncRange:
        """Resolve the settings; a date `end_date` includes that whole day. Raises SettingError."""
        now = now or datetime.now(timezone.utc)
        if start_date is None or start_date == "":
            raise MissingStartDate("setting 'start_date' is required to read streams by date")
        start, _ = _resolve("start_date", start_date, now, zone)
        end, whole_day = now, False
        if end_date is not None and end_date != "":
            end, whole_day = _resolve("end_date", end_date, now, zone)
        for name, moment in (("start_date", start), ("end_date", end)):
            if not EARLIEST <= moment < LATEST:
                value = start_date if name == "start_date" else end_date
                msg = f"setting '{name}' ({value}) is not between 1970 and 2100"
                raise SettingError(msg)
        if whole_day:
            end = midnight(end.astimezone(zone).date() + timedelta(days=1), zone)
        if end <= start:
            msg = f"setting 'end_date' ({end_date}) is not after 'start_date' ({start_date})"
            raise SettingError(msg)
        return cls(start=start, end=end, zone=zone)

    def clamped(self, earliest: datetime) -> SyncRange:
        """This range, starting no earlier than `earliest`."""
        return SyncRange(start=max(self.start, earliest), end=self.end, zone=self.zone)

    def resume_from(self, bookmark: datetime | None, lookback: timedelta) -> datetime | None:
        """Where an incremental run starts: `lookback` before the bookmark, never before
        `start`; `start` without a bookmark; None when the bookmark is past `end`."""
        if bookmark is None:
            return self.start
        if bookmark >= self.end:
            return None
        return max(self.start, bookmark - lookback)


class StateError(ValueError):
    """A bookmark in the state that cannot be used; the message names the stream."""


def bookmark_in(state: Mapping[str, Any], replication_key: str | None) -> str | None:
    """The bookmark a stream's (or partition's) state holds for `replication_key`, if any."""
    value = state.get("replication_key_value")
    if value and state.get("replication_key") == replication_key:
        return str(value)
    return None


def bookmark_instant(
    state: Mapping[str, Any], replication_key: str | None, stream: str
) -> datetime | None:
    """The instant of a stream's bookmark; StateError when it is not a date or date-time."""
    value = bookmark_in(state, replication_key)
    if value is None:
        return None
    try:
        moment = parse_timestamp(value)
    except (ValueError, OverflowError):
        moment = None
    if moment is None or moment < EARLIEST:
        msg = f"the state's bookmark for {stream} is not a date-time: {value[:40]!r}"
        raise StateError(msg)
    return moment


def day_windows(
    start: datetime, end: datetime, days: int, zone: tzinfo = timezone.utc
) -> list[tuple[datetime, datetime]]:
    """Split [start, end) into windows that end on `zone`'s midnights, at most `days` days."""
    windows = []
    cursor = start
    while cursor < end:
        boundary = midnight(cursor.astimezone(zone).date() + timedelta(days=days), zone)
        windows.append((cursor, min(boundary, end)))
        cursor = boundary
    return windows
