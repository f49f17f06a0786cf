"""Date settings, request windows and LeadExec's naive Pacific times."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from clickpoint_harness import API_KEY, PACIFIC_FORMAT, api_total, lead_queries, sync, tap_config
from tap_clickpoint.assumed import from_source_time, window_params
from tap_clickpoint.formats import parse_naive_timestamp
from tap_clickpoint.tap import TapClickPoint

from sandbox.leadexec import MORTGAGE, SOLAR, LeadExecSandbox

PACIFIC = ZoneInfo("America/Los_Angeles")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)  # type: ignore[arg-type,misc]


def test_both_formats_wall_clock_times_parse() -> None:
    assert parse_naive_timestamp("1/5/2014 10:50:54 AM") == datetime(2014, 1, 5, 10, 50, 54)
    assert parse_naive_timestamp("1/5/2014 12:05:00 AM") == datetime(2014, 1, 5, 0, 5)
    assert parse_naive_timestamp("1/5/2014 12:05:00 PM") == datetime(2014, 1, 5, 12, 5)
    assert parse_naive_timestamp("01-15-2024") is None
    assert parse_naive_timestamp("1/15/2024") == datetime(2024, 1, 15)
    assert parse_naive_timestamp("2014-01-05T10:50:54") == datetime(2014, 1, 5, 10, 50, 54)
    assert parse_naive_timestamp("2014-01-05T10:50:54.5") == datetime(
        2014, 1, 5, 10, 50, 54, 500000
    )
    assert parse_naive_timestamp("N/A") is None


def test_pacific_times_become_utc_with_daylight_saving() -> None:
    assert from_source_time(datetime(2026, 7, 1, 9, 0), PACIFIC) == at(2026, 7, 1, 16)
    assert from_source_time(datetime(2026, 1, 1, 9, 0), PACIFIC) == at(2026, 1, 1, 17)
    # Clocks fall back on 1 Nov 2026: 01:30 happens twice; the first is taken.
    assert from_source_time(datetime(2026, 11, 1, 1, 30), PACIFIC) == at(2026, 11, 1, 8, 30)


def test_windows_are_sent_as_pacific_wall_clock_times() -> None:
    summer = window_params(at(2026, 7, 1), at(2026, 7, 2), PACIFIC)
    assert summer == {"StartDate": "06/30/2026 17:00:00", "EndDate": "07/01/2026 17:00:00"}
    across = window_params(at(2026, 11, 1), at(2026, 11, 2), PACIFIC)
    assert across == {"StartDate": "10/31/2026 17:00:00", "EndDate": "11/01/2026 16:00:00"}


def test_a_day_setting_is_that_day_of_source_timezone() -> None:
    def sync_range(**settings: str) -> tuple[datetime, datetime]:
        tap = TapClickPoint(config=tap_config(**settings), setup_mapper=False)
        return tap.sync_range.start, tap.sync_range.end

    one_day = {"start_date": "2024-05-01", "end_date": "2024-05-01"}
    assert sync_range(**one_day) == (at(2024, 5, 1, 7), at(2024, 5, 2, 7))  # Pacific midnights
    berlin = sync_range(**one_day, source_timezone="Europe/Berlin")
    assert berlin == (at(2024, 4, 30, 22), at(2024, 5, 1, 22))
    start, _ = sync_range(start_date="today-3")
    today = datetime.now(PACIFIC).date()
    assert start.astimezone(PACIFIC) == datetime.combine(today - timedelta(days=3), time(), PACIFIC)


def test_one_day_reads_every_lead_of_that_pacific_day_and_no_other(sandbox) -> None:
    day = datetime.now(PACIFIC).date() - timedelta(days=12)
    output = sync(tap_config(start_date=day.isoformat(), end_date=day.isoformat()))
    assert output.records()
    added = [datetime.fromisoformat(r["DateAdded"]) for r in output.records()]
    assert {moment.astimezone(PACIFIC).date() for moment in added} == {day}
    assert all(r["DateAdded"].endswith("+00:00") for r in output.records())
    pacific = [datetime.combine(day + timedelta(days=n), time()) for n in (0, 1)]
    for lid, records in output.by_lead_type().items():
        assert len(records) == api_total(lid, *pacific)
    assert {q.params["startdate"] for q in lead_queries(sandbox)} == {
        pacific[0].strftime(PACIFIC_FORMAT)
    }


def test_a_lead_comes_out_at_the_instant_it_was_added(sandbox) -> None:
    instant = (datetime.now(timezone.utc) - timedelta(days=3)).replace(microsecond=0)
    uid = sandbox.add_lead(SOLAR.lid, instant, visible_after=0)
    try:
        config = tap_config(start_date="today-4", lead_type_ids=[SOLAR.lid])
        record = {r["UID"]: r for r in sync(config).records()}[uid]
        assert record["DateAdded"] == instant.isoformat()
    finally:
        sandbox.delete_lead(SOLAR.lid, uid)


@pytest.fixture(scope="module")
def autumn() -> LeadExecSandbox:
    """Leads around the night clocks fall back (1 Nov 2026), 200 a day."""
    now = at(2026, 11, 3, 12)
    with LeadExecSandbox(
        api_keys=(API_KEY,), lead_types=(MORTGAGE,), leads_per_day=200, history_days=5, now=now
    ) as running:
        yield running


def test_the_night_clocks_fall_back_loses_no_lead(autumn) -> None:
    config = tap_config(
        api_url=autumn.api_url,
        lead_type_ids=[MORTGAGE.lid],
        start_date="2026-10-31",
        end_date="2026-11-02",
    )
    records = sync(config).records()
    # The days of source_timezone: from its midnight of 31 Oct to that of 3 Nov.
    truth = autumn.leads(MORTGAGE.lid, datetime(2026, 10, 31), datetime(2026, 11, 3))
    assert {r["UID"] for r in records} == {lead["UID"] for lead in truth}
    night = [lead for lead in truth if lead["DateAdded"].date() == date(2026, 11, 1)]
    repeated_hour = [lead for lead in night if lead["DateAdded"].hour == 1]
    assert len(repeated_hour) > 10  # both 01:00-02:00 hours of that night
    by_uid = {r["UID"]: r for r in records}
    for lead in repeated_hour:
        # Without an offset, the two hours cannot be told apart: the first is taken.
        assert by_uid[lead["UID"]]["DateAdded"].startswith("2026-11-01T08:")
