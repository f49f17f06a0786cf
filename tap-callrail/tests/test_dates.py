"""Date settings, windows and time zones."""

from datetime import datetime, timedelta, timezone

from callrail_harness import api_total, sync, tap_config
from tap_callrail.common.dates import parse_timestamp

DATED_PATHS = (
    "calls.json",
    "summary.json",
    "timeseries.json",
    "text-messages.json",
    "form_submissions.json",
)


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
