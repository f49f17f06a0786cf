"""Date settings, windows and time zones."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from callrail_harness import api_total, sync, tap_config
from tap_callrail.common.dates import parse_timestamp

DATED_PATHS = (
    "calls.json",
    "summary.json",
    "timeseries.json",
    "text-messages.json",
    "form_submissions.json",
)


def test_every_dated_request_names_its_dates_and_zone(sandbox) -> None:
    output = sync(tap_config(start_date="today-10"))
    zones = {c["id"]: c["time_zone"] for c in output.records("companies")}
    dated = [r for r in sandbox.requests if r.path.endswith(DATED_PATHS)]
    assert dated
    for request in dated:
        assert request.query.get("start_date"), request
        assert request.query.get("end_date"), request
        if request.path.endswith(("summary.json", "timeseries.json")):
            # A report counts the company's own days (the sandbox's companies differ).
            company = request.query["company_id"][0]
            assert request.query.get("time_zone") == [zones[company]], request
        else:  # lists ask for exact instants
            assert request.query.get("time_zone") == ["Etc/UTC"], request


def test_an_old_range_is_not_cut_to_callrails_last_seven_days(sandbox) -> None:
    config = tap_config(start_date="today-60", end_date="today-40")
    output = sync(config, select={"calls", "accounts"})
    calls = output.records("calls")
    assert calls
    zones = {a["id"]: ZoneInfo(a["time_zone"]) for a in output.records("accounts")}
    for call in calls:
        # Days, "today" included, are the account's own (a UTC date may be a day off).
        zone = zones[call["account_id"]]
        today = datetime.now(zone).date()
        day = parse_timestamp(call["start_time"]).astimezone(zone).date()
        assert today - timedelta(days=60) <= day <= today - timedelta(days=40), call["id"]


def test_one_day_is_the_accounts_own_day(sandbox) -> None:
    day = (datetime.now(timezone.utc) - timedelta(days=20)).date()
    output = sync(tap_config(start_date=day.isoformat(), end_date=day.isoformat()))
    calls = output.records("calls")
    assert calls
    zones = {a["id"]: ZoneInfo(a["time_zone"]) for a in output.records("accounts")}
    assert len(set(zones.values())) > 1  # the sandbox's accounts are in several zones
    # Emitted in UTC, yet every call is on that day of its account's zone.
    assert all(c["start_time"].endswith("+00:00") for c in calls)
    assert {
        parse_timestamp(c["start_time"]).astimezone(zones[c["account_id"]]).date() for c in calls
    } == {day}
    expected = sum(
        api_total(
            f"/a/{account}/calls.json",
            start_date=day.isoformat(),
            end_date=day.isoformat(),
            time_zone=zone.key,
        )
        for account, zone in zones.items()
    )
    assert len(calls) == expected


def test_the_time_zone_setting_names_the_days(sandbox) -> None:
    day = (datetime.now(timezone.utc) - timedelta(days=20)).date().isoformat()
    config = tap_config(start_date=day, end_date=day, time_zone="Etc/UTC")
    calls = sync(config, select={"calls"}).records("calls")
    assert calls
    assert {c["start_time"][:10] for c in calls} == {day}
    expected = sum(
        api_total(f"/a/{account}/calls.json", start_date=day, end_date=day, time_zone="Etc/UTC")
        for account in sandbox.account_ids
    )
    assert len(calls) == expected


def test_start_date_beyond_retention_is_clamped_with_a_warning(sandbox, caplog) -> None:
    output = sync(tap_config(start_date="2000-01-01", end_date="today-700"), select={"calls"})
    assert "older than CallRail keeps data" in caplog.text
    assert output.records("calls")
