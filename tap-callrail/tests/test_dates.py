"""Date settings, windows and time zones."""

import itertools
from datetime import date, datetime, timedelta, timezone

import pytest
from callrail_harness import api_total, sync, tap_config
from tap_callrail.dates import (
    SettingError,
    SyncRange,
    bookmark_in,
    day_windows,
    months_before,
    parse_timestamp,
)

NOW = datetime(2026, 3, 10, 15, 30, tzinfo=timezone.utc)
DATED_PATHS = (
    "calls.json",
    "summary.json",
    "timeseries.json",
    "text-messages.json",
    "form_submissions.json",
)


def test_relative_dates_resolve_to_utc_midnights() -> None:
    assert SyncRange.from_settings("today", None, now=NOW).start == datetime(
        2026, 3, 10, tzinfo=timezone.utc
    )
    assert SyncRange.from_settings("yesterday", None, now=NOW).start == datetime(
        2026, 3, 9, tzinfo=timezone.utc
    )
    assert SyncRange.from_settings("today-30", None, now=NOW).start == datetime(
        2026, 2, 8, tzinfo=timezone.utc
    )


def test_one_specific_day_covers_that_whole_day() -> None:
    one_day = SyncRange.from_settings("2026-01-05", "2026-01-05", now=NOW)
    assert (one_day.start, one_day.end) == (
        datetime(2026, 1, 5, tzinfo=timezone.utc),
        datetime(2026, 1, 6, tzinfo=timezone.utc),
    )


def test_end_date_defaults_to_now_and_date_times_keep_their_offset() -> None:
    days_back = SyncRange.from_settings("2026-03-01T09:00:00-05:00", None, now=NOW)
    assert days_back.start == datetime(2026, 3, 1, 14, tzinfo=timezone.utc)
    assert days_back.end == NOW


@pytest.mark.parametrize(
    ("start", "end", "named"),
    [
        ("soon", None, "start_date"),
        ("today", "2026-13-01", "end_date"),
        ("today", "today-3", "end_date"),
    ],
)
def test_unusable_dates_name_the_setting(start: str, end: str | None, named: str) -> None:
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


def test_months_before_clamps_to_the_shorter_month() -> None:
    assert months_before(date(2026, 3, 31), 25) == date(2024, 2, 29)


def test_timestamps_with_any_offset_parse_offset_aware() -> None:
    assert parse_timestamp("2016-10-01T06:00:00-0500") == datetime(
        2016, 10, 1, 11, tzinfo=timezone.utc
    )
    assert parse_timestamp("2017-11-17T07:46:28.000Z").utcoffset() == timedelta(0)


def test_every_dated_request_names_its_dates_and_utc(sandbox) -> None:
    sync(tap_config(start_date="today-10"))
    dated = [r for r in sandbox.requests if r.path.endswith(DATED_PATHS)]
    assert dated
    for request in dated:
        assert request.query.get("time_zone") == ["Etc/UTC"], request
        assert request.query.get("start_date"), request
        assert request.query.get("end_date"), request


def test_an_old_range_is_not_cut_to_callrails_last_seven_days(sandbox) -> None:
    output = sync(tap_config(start_date="today-60", end_date="today-40"), select={"calls"})
    calls = output.records("calls")
    today = datetime.now(timezone.utc).date()
    assert calls
    assert all(
        today - timedelta(days=60)
        <= parse_timestamp(c["start_time"]).date()
        <= today - timedelta(days=40)
        for c in calls
    )


def test_one_day_is_the_utc_day_whatever_the_accounts_zone(sandbox) -> None:
    day = (datetime.now(timezone.utc) - timedelta(days=20)).date().isoformat()
    calls = sync(tap_config(start_date=day, end_date=day), select={"calls"}).records("calls")
    assert calls
    # Every account's key owner is in another zone; a tap leaning on it would drift by hours.
    assert {c["start_time"][:10] for c in calls} == {day}
    assert all(c["start_time"].endswith("+00:00") for c in calls)
    expected = sum(
        api_total(f"/a/{account}/calls.json", start_date=day, end_date=day, time_zone="Etc/UTC")
        for account in sandbox.account_ids
    )
    assert len(calls) == expected


def test_start_date_beyond_retention_is_clamped_with_a_warning(sandbox, caplog) -> None:
    output = sync(tap_config(start_date="2000-01-01", end_date="today-700"), select={"calls"})
    assert "older than CallRail keeps data" in caplog.text
    assert output.records("calls")


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
