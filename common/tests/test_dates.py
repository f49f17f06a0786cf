"""The date settings, bookmarks and day windows every tap shares."""

import itertools
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from common.dates import (
    SettingError,
    StateError,
    SyncRange,
    bookmark_in,
    bookmark_instant,
    day_windows,
    months_before,
    parse_timestamp,
)

NOW = datetime(2026, 3, 10, 15, 30, tzinfo=timezone.utc)
CHICAGO = ZoneInfo("America/Chicago")


def test_relative_dates_resolve_to_midnights() -> None:
    assert SyncRange.from_settings("today", None, now=NOW).start == datetime(
        2026, 3, 10, tzinfo=timezone.utc
    )
    assert SyncRange.from_settings("yesterday", None, now=NOW).start == datetime(
        2026, 3, 9, tzinfo=timezone.utc
    )
    assert SyncRange.from_settings("today-30", None, now=NOW).start == datetime(
        2026, 2, 8, tzinfo=timezone.utc
    )


@pytest.mark.parametrize("days_back", [7, "7", " 7 "])
def test_a_bare_number_is_that_many_days_back(days_back) -> None:
    assert SyncRange.from_settings(days_back, None, now=NOW).start == datetime(
        2026, 3, 3, tzinfo=timezone.utc
    )


def test_zero_days_back_is_today() -> None:
    assert SyncRange.from_settings(0, None, now=NOW).start == datetime(
        2026, 3, 10, tzinfo=timezone.utc
    )


def test_one_specific_day_covers_that_whole_day() -> None:
    one_day = SyncRange.from_settings("2026-01-05", "2026-01-05", now=NOW)
    assert (one_day.start, one_day.end) == (
        datetime(2026, 1, 5, tzinfo=timezone.utc),
        datetime(2026, 1, 6, tzinfo=timezone.utc),
    )


def test_days_are_those_of_the_accounts_zone() -> None:
    one_day = SyncRange.from_settings("2026-01-05", "2026-01-05", now=NOW, zone=CHICAGO)
    assert one_day.start == datetime(2026, 1, 5, 6, tzinfo=timezone.utc)
    assert one_day.end == datetime(2026, 1, 6, 6, tzinfo=timezone.utc)
    # 15:30 UTC is 09:30 in Chicago: "today" began at 06:00 UTC.
    assert SyncRange.from_settings("today", None, now=NOW, zone=CHICAGO).start == datetime(
        2026,
        3,
        10,
        5,
        tzinfo=timezone.utc,  # daylight saving time began on 8 March
    )


def test_a_date_time_without_offset_is_a_wall_clock_time_of_the_zone() -> None:
    span = SyncRange.from_settings("2026-01-05T09:00:00", None, now=NOW, zone=CHICAGO)
    assert span.start == datetime(2026, 1, 5, 15, tzinfo=timezone.utc)


def test_end_date_defaults_to_now_and_date_times_keep_their_offset() -> None:
    days_back = SyncRange.from_settings("2026-03-01T09:00:00-05:00", None, now=NOW)
    assert days_back.start == datetime(2026, 3, 1, 14, tzinfo=timezone.utc)
    assert days_back.end == NOW


@pytest.mark.parametrize(
    ("start", "end", "named"),
    [
        ("soon", None, "start_date"),
        ("12/31/2025", None, "start_date"),
        (None, None, "start_date"),
        ({"days": 3}, None, "start_date"),
        (1e30, None, "start_date"),
        ("today-99999999999", None, "start_date"),
        ("today", "2026-13-01", "end_date"),
        ("today", "today-3", "end_date"),
        ("2026-01-01", "9999-12-31", "end_date"),
        ("2026-01-01", "2100-06-01", "end_date"),
        ("1900-01-01", None, "start_date"),
    ],
)
def test_unusable_dates_name_the_setting(start, end, named: str) -> None:
    with pytest.raises(SettingError, match=named):
        SyncRange.from_settings(start, end, now=NOW)


def test_windows_end_on_midnights_and_cover_the_range_once() -> None:
    start, end = (
        datetime(2026, 1, 1, 12, tzinfo=timezone.utc),
        datetime(2026, 1, 20, 8, tzinfo=timezone.utc),
    )
    windows = day_windows(start, end, 7)
    assert windows[0][0] == start
    assert windows[-1][1] == end
    assert all(a_end == b_start for (_, a_end), (b_start, _) in itertools.pairwise(windows))
    assert all(w_end - w_start <= timedelta(days=7) for w_start, w_end in windows)


def test_windows_end_on_the_zones_midnights() -> None:
    start = datetime(2026, 3, 7, 6, tzinfo=timezone.utc)  # midnight in Chicago
    windows = day_windows(start, start + timedelta(days=3), 1, CHICAGO)
    ends = [end.astimezone(CHICAGO) for _, end in windows[:-1]]
    assert all((e.hour, e.minute) == (0, 0) for e in ends)
    assert windows[1][1] - windows[1][0] == timedelta(hours=23)  # the day clocks go forward


def test_months_before_clamps_to_the_shorter_month() -> None:
    assert months_before(date(2026, 3, 31), 25) == date(2024, 2, 29)


def test_timestamps_with_any_offset_parse_offset_aware() -> None:
    assert parse_timestamp("2016-10-01T06:00:00-0500") == datetime(
        2016, 10, 1, 11, tzinfo=timezone.utc
    )
    assert parse_timestamp("2017-11-17T07:46:28.000Z").utcoffset() == timedelta(0)


def test_a_run_resumes_lookback_before_its_bookmark_within_the_range() -> None:
    sync_range = SyncRange.from_settings("2026-03-01", None, now=NOW)
    week = timedelta(days=7)
    assert sync_range.resume_from(None, week) == sync_range.start
    assert (
        sync_range.resume_from(datetime(2026, 3, 5, tzinfo=timezone.utc), week) == sync_range.start
    )
    bookmark = datetime(2026, 3, 9, 12, tzinfo=timezone.utc)
    assert sync_range.resume_from(bookmark, week) == datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
    assert sync_range.resume_from(NOW + timedelta(seconds=1), week) is None


def test_a_bookmark_counts_only_for_its_own_replication_key() -> None:
    state = {"replication_key": "start_time", "replication_key_value": "2026-03-01T00:00:00+00:00"}
    assert bookmark_in(state, "start_time") == "2026-03-01T00:00:00+00:00"
    assert bookmark_in(state, "created_at") is None
    assert bookmark_in({}, "start_time") is None


@pytest.mark.parametrize("value", ["yesterday-ish", 12345, "9999-99-99", "1e30", "1900-01-01"])
def test_a_bookmark_that_is_not_a_date_names_the_stream(value) -> None:
    state = {"replication_key": "start_time", "replication_key_value": value}
    with pytest.raises(StateError, match="calls"):
        bookmark_instant(state, "start_time", "calls")
