"""The date settings every tap in this repository shares.

`start_date` and `end_date` accept an ISO 8601 date or date-time, or a relative day:
`today`, `yesterday` or `today-N` (N days back). Together they give the three date
modes users know from report connectors: one specific day, N days back, and a range.

This module is deliberately identical in each tap of the monorepo (tap-callrail,
tap-incontact, tap-clickpoint, tap-mongoose): keep the copies in step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

_RELATIVE = re.compile(r"^\s*(today|yesterday)\s*(?:-\s*(\d+))?\s*$", re.IGNORECASE)
_OFFSET_WITHOUT_COLON = re.compile(r"([+-]\d{2})(\d{2})$")


class SettingError(ValueError):
    """A setting that cannot be used; the message names the setting."""


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO 8601 timestamp, offset-aware; naive values are taken as UTC.

    Accepts the forms APIs really send: `Z`, `+00:00` and `-0500` offsets.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    elif "T" in text or " " in text:
        text = _OFFSET_WITHOUT_COLON.sub(r"\1:\2", text)
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def to_utc_iso(value: str) -> str:
    """Any offset-aware ISO 8601 timestamp as a UTC ISO 8601 string."""
    return parse_timestamp(value).astimezone(timezone.utc).isoformat()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)


def _parse_setting(name: str, value: str, now: datetime) -> tuple[datetime, bool]:
    """Return the instant a setting names and whether it named a whole day."""
    relative = _RELATIVE.match(value)
    if relative:
        word, days_back = relative.groups()
        day = now.date() - timedelta(days=int(days_back or 0) + (word.lower() == "yesterday"))
        return _midnight(day), True
    try:
        if len(value.strip()) == 10:
            return _midnight(date.fromisoformat(value.strip())), True
        return parse_timestamp(value).astimezone(timezone.utc), False
    except ValueError:
        msg = (
            f"setting '{name}' is not a date: {value!r} "
            "(use ISO 8601, 'today', 'yesterday' or 'today-N')"
        )
        raise SettingError(msg) from None


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
    """The instants a sync covers, in UTC: from `start` (inclusive) to `end` (exclusive)."""

    start: datetime
    end: datetime

    @classmethod
    def from_settings(
        cls,
        start_date: str | None,
        end_date: str | None,
        *,
        now: datetime | None = None,
    ) -> SyncRange:
        """Resolve the settings; a date-only `end_date` includes that whole day."""
        now = now or datetime.now(timezone.utc)
        if not start_date:
            raise SettingError("setting 'start_date' is required")
        start, _ = _parse_setting("start_date", start_date, now)
        end = now
        if end_date:
            end, whole_day = _parse_setting("end_date", end_date, now)
            end += timedelta(days=1) if whole_day else timedelta(0)
        if end <= start:
            msg = f"setting 'end_date' ({end_date}) is not after 'start_date' ({start_date})"
            raise SettingError(msg)
        return cls(start=start, end=end)

    def clamped(self, earliest: datetime) -> SyncRange:
        """This range, starting no earlier than `earliest`."""
        return SyncRange(start=max(self.start, earliest), end=self.end)

    def resume_from(self, bookmark: datetime | None, lookback: timedelta) -> datetime | None:
        """Where an incremental run starts: `lookback` before the bookmark, never before
        `start`; `start` without a bookmark; None when the bookmark is past `end`."""
        if bookmark is None:
            return self.start
        if bookmark >= self.end:
            return None
        return max(self.start, bookmark - lookback)


def bookmark_in(state: Mapping[str, Any], replication_key: str | None) -> str | None:
    """The bookmark a stream's (or partition's) state holds for `replication_key`, if any."""
    value = state.get("replication_key_value")
    if value and state.get("replication_key") == replication_key:
        return str(value)
    return None


def day_windows(start: datetime, end: datetime, days: int) -> list[tuple[datetime, datetime]]:
    """Split [start, end) into windows that end on UTC midnights, at most `days` days long."""
    windows = []
    cursor = start
    while cursor < end:
        boundary = _midnight(cursor.date()) + timedelta(days=days)
        windows.append((cursor, min(boundary, end)))
        cursor = boundary
    return windows
