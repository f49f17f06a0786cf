"""Days are the account's: the business unit's time zone, or the time_zone setting."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from incontact_harness import PASSWORD, sync, tap_config
from tap_incontact.common.dates import parse_timestamp

from sandbox.incontact import InContactSandbox


def midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(zone)).astimezone(timezone.utc)


def days_ago(days: int, zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date() - timedelta(days=days)


@pytest.mark.parametrize(
    ("reported", "zone"),
    [
        ("Pacific Standard Time", "America/Los_Angeles"),
        ("India Standard Time", "Asia/Kolkata"),
        ("AUS Eastern Standard Time", "Australia/Sydney"),
        (None, "UTC"),
    ],
)
def test_days_are_those_of_the_business_units_zone(reported, zone, caplog) -> None:
    config = tap_config(start_date="today-3", end_date="today-2")
    del config["time_zone"]
    with InContactSandbox(password=PASSWORD, time_zone=reported, agents=6, seed=13) as unit:
        config["auth_url"] = unit.auth_url
        output = sync(config, select={"agent_performance", "data_download_reports"})
        asked = [r for r in unit.requests if r.path.endswith("/agents/performance")]
        downloads = [r for r in unit.requests if "/datadownload/" in r.path]
        business_unit = [r for r in unit.requests if r.path.endswith("/business-unit")]
    first, last = midnight(days_ago(3, zone), zone), midnight(days_ago(1, zone), zone)
    assert len(business_unit) == 1  # asked once, for the whole run
    assert parse_timestamp(asked[0].query["startDate"][0]) == first
    assert parse_timestamp(asked[0].query["endDate"][0]) == last
    assert parse_timestamp(downloads[0].query["startDate"][0] + "Z") == first
    rows = output.records("agent_performance")
    assert rows
    for row in rows:
        assert row["time_zone"] == zone
        assert row["interval_start"].endswith("+00:00")  # date-times stay UTC
        start = parse_timestamp(row["interval_start"]).astimezone(ZoneInfo(zone))
        assert start.time() == time()
    assert {r["time_zone"] for r in output.records("data_download_reports")} == {zone}
    warned = "set 'time_zone' to the account's zone" in caplog.text
    assert warned == (reported is None)


def test_the_time_zone_setting_wins_over_the_business_units(sandbox) -> None:
    config = tap_config(start_date="today-3", end_date="today-2", time_zone="Asia/Tokyo")
    output = sync(config, select={"team_performance"})
    assert not [r for r in sandbox.requests if r.path.endswith("/business-unit")]
    starts = {parse_timestamp(r["interval_start"]) for r in output.records("team_performance")}
    assert min(starts) == midnight(days_ago(3, "Asia/Tokyo"), "Asia/Tokyo")
    assert {r["time_zone"] for r in output.records("team_performance")} == {"Asia/Tokyo"}


def test_relative_dates_count_days_of_the_zone(sandbox) -> None:
    config = tap_config(start_date="today-2", time_zone="Pacific/Auckland")
    sync(config, select={"contacts"})
    [request] = [r for r in sandbox.requests if r.path.endswith("/contacts/completed")][:1]
    since = parse_timestamp(request.query["updatedSince"][0])
    assert since == midnight(days_ago(2, "Pacific/Auckland"), "Pacific/Auckland")
