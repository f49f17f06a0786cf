"""Account-local days, windows of at most 31 days, and UTC times across clock changes."""

import itertools
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from mongoose_harness import API_KEY, USERNAME, api_records, sync, tap_config
from tap_mongoose.client import local_to_utc

from sandbox.mongoose import MongooseSandbox

NEW_YORK = ZoneInfo("America/New_York")


def requested_days(sandbox, report: str = "get_fulfilled") -> list[tuple[date, date]]:
    return [
        (date.fromisoformat(r.query["start_date"][0]), date.fromisoformat(r.query["end_date"][0]))
        for r in sandbox.requests
        if r.path.endswith(report)
    ]


def test_windows_cover_the_days_once_and_never_exceed_their_length(sandbox) -> None:
    sync(tap_config(start_date="today-74", window_days=31), select={"customers"})
    windows = requested_days(sandbox, "customer_report")
    today = datetime.now(NEW_YORK).date()
    assert windows[0][0] == today - timedelta(days=74)
    assert windows[-1][1] == today
    assert all(b[0] - a[1] == timedelta(days=1) for a, b in itertools.pairwise(windows))
    assert [(last - first).days + 1 for first, last in windows] == [31, 31, 13]


def test_windows_are_31_days_by_default_up_to_the_accounts_today(sandbox) -> None:
    sync(tap_config(start_date="today-40"))
    today = datetime.now(NEW_YORK).date()
    expected = [(today - timedelta(days=40), today - timedelta(days=10)),
                (today - timedelta(days=9), today)]  # fmt: skip
    assert requested_days(sandbox) == expected
    assert requested_days(sandbox, "customer_report") == expected
    assert all(r.query["per_page"] == ["1000"] for r in sandbox.requests)


def test_a_long_range_is_read_in_windows_of_at_most_31_days(sandbox) -> None:
    output = sync(tap_config(start_date="today-70", window_days=31), select={"fulfilled"})
    windows = sorted(set(requested_days(sandbox)))  # a window of several pages asks again
    assert len(windows) == 3
    assert all((last - first).days + 1 <= 31 for first, last in windows)
    assert all(r.status == 200 for r in sandbox.requests)
    truth = {
        r["cdr_rated_code"]
        for window_first, window_last in windows
        for r in api_records("get_fulfilled", str(window_first), str(window_last))
    }
    assert {r["cdr_rated_code"] for r in output.records("fulfilled")} == truth


def test_dates_name_the_accounts_days(sandbox) -> None:
    first = datetime.now(NEW_YORK).date() - timedelta(days=10)
    days = [str(first + timedelta(days=n)) for n in range(3)]
    output = sync(tap_config(start_date=days[0], end_date=days[-1], window_days=3))
    assert requested_days(sandbox) == [(first, first + timedelta(days=2))]
    calls = output.records("fulfilled")
    assert calls
    assert {c["call_date"][:10] for c in calls} == set(days)
    assert {r["report_date"] for r in output.records("customers")} == set(days)


def test_a_date_time_setting_is_taken_as_its_day_in_the_accounts_zone(sandbox) -> None:
    day = datetime.now(NEW_YORK).date() - timedelta(days=5)
    # 03:00 UTC is still the day before in New York.
    start = f"{day}T03:00:00Z"
    sync(tap_config(start_date=start, end_date=str(day)), select={"customers"})
    assert requested_days(sandbox, "customer_report") == [(day - timedelta(days=1), day)]


def test_times_are_utc_and_agree_with_the_accounts_wall_clock(sandbox) -> None:
    output = sync(tap_config(start_date="today-3"))
    for call in output.records("fulfilled"):
        started = datetime.fromisoformat(call["call_started_at"])
        assert started.utcoffset() == timedelta(0)
        assert started.astimezone(NEW_YORK).strftime("%Y-%m-%d %H:%M:%S") == call["call_date"]
        entry = datetime.fromisoformat(call["cdr_entry_at"])
        assert entry == datetime.fromtimestamp(call["cdr_entry_date"], timezone.utc)
        assert entry >= started
    for row in output.records("customers"):
        created = datetime.fromisoformat(row["created_at"])
        assert created.astimezone(NEW_YORK).strftime("%Y-%m-%d %H:%M:%S") == row["created_date"]


@pytest.fixture(scope="module")
def dst_sandbox():
    """An account in 2024, whose calls straddle both clock changes of New York."""
    now = datetime(2024, 11, 10, 12, tzinfo=timezone.utc)
    with MongooseSandbox(
        username=USERNAME, api_key=API_KEY, now=now, history_days=300, calls_per_day=4
    ) as running:
        yield running


@pytest.mark.parametrize(
    ("moment", "wall_clock"),
    [
        (datetime(2024, 3, 10, 6, 30, tzinfo=timezone.utc), "2024-03-10 01:30:00"),  # EST
        (datetime(2024, 3, 10, 7, 30, tzinfo=timezone.utc), "2024-03-10 03:30:00"),  # EDT
        (datetime(2024, 11, 3, 5, 30, tzinfo=timezone.utc), "2024-11-03 01:30:00"),  # first 01:30
        (datetime(2024, 11, 3, 6, 30, tzinfo=timezone.utc), "2024-11-03 01:30:00"),  # second
        (datetime(2024, 11, 3, 7, 30, tzinfo=timezone.utc), "2024-11-03 02:30:00"),  # EST
    ],
)
def test_clock_changes_give_the_right_utc_time(dst_sandbox, moment, wall_clock) -> None:
    code = dst_sandbox.add_call(moment, call_duration=120, cdr_entry_date=moment.timestamp() + 300)
    try:
        day = wall_clock[:10]
        output = sync(
            tap_config(api_url=dst_sandbox.api_url, start_date=day, end_date=day),
            select={"fulfilled"},
        )
        (call,) = [c for c in output.records("fulfilled") if c["cdr_rated_code"] == code]
        assert call["call_date"] == wall_clock
        assert datetime.fromisoformat(call["call_started_at"]) == moment
    finally:
        dst_sandbox.delete_call(code)


def test_a_day_with_a_clock_change_is_read_whole(dst_sandbox) -> None:
    for day in ("2024-03-10", "2024-11-03"):  # 23 and 25 hours
        output = sync(
            tap_config(api_url=dst_sandbox.api_url, start_date=day, end_date=day),
            select={"fulfilled"},
        )
        calls = output.records("fulfilled")
        assert calls
        assert {c["call_date"][:10] for c in calls} == {day}
        hours = {datetime.fromisoformat(c["call_started_at"]) for c in calls}
        assert len(hours) == len(calls)


def test_an_ambiguous_time_without_a_usable_entry_time_takes_the_first_reading() -> None:
    assert local_to_utc("2024-11-03 01:30:00", NEW_YORK) == "2024-11-03T05:30:00+00:00"
    written_early = datetime(2024, 11, 3, 5, 40, tzinfo=timezone.utc).timestamp()
    assert local_to_utc("2024-11-03 01:30:00", NEW_YORK, 60, written_early).startswith(
        "2024-11-03T05:30"
    )


def test_the_answers_zone_wins_over_the_setting_with_a_warning(sandbox, caplog) -> None:
    output = sync(tap_config(start_date="today-1", account_timezone="America/Chicago"))
    assert any("account_timezone" in r.getMessage() for r in caplog.records)
    for call in output.records("fulfilled"):
        started = datetime.fromisoformat(call["call_started_at"]).astimezone(NEW_YORK)
        assert started.strftime("%Y-%m-%d %H:%M:%S") == call["call_date"]


def test_day_rows_are_the_accounts_days_and_name_their_zone() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    with MongooseSandbox(
        username=USERNAME, api_key=API_KEY, timezone_name=tokyo.key, history_days=10
    ) as running:
        config = tap_config(api_url=running.api_url, account_timezone=tokyo.key)
        output = sync({**config, "start_date": "today-2"}, select={"customers"})
        today = datetime.now(tokyo).date()
        days = {str(today - timedelta(days=n)) for n in range(3)}
        asked = [(r.query["start_date"][0], r.query["end_date"][0]) for r in running.requests]
        assert (min(a[0] for a in asked), max(a[1] for a in asked)) == (min(days), max(days))
    rows = output.records("customers")
    assert {row["report_date"] for row in rows} == days
    assert {row["time_zone"] for row in rows} == {tokyo.key}
    schema = next(m["schema"] for m in output.messages if m.get("stream") == "customers")
    assert schema["properties"]["time_zone"]["type"] == ["string", "null"]


def test_an_empty_25_month_backfill_costs_one_request_per_31_days_and_report() -> None:
    with MongooseSandbox(
        username=USERNAME, api_key=API_KEY, calls_per_day=0, history_days=1
    ) as empty:
        sync(tap_config(api_url=empty.api_url, start_date="today-761"))
        answers = [(r.path.rsplit("/", 1)[-1], r.status) for r in empty.requests]
    # 762 days: 25 windows of at most 31, each accepted (the sandbox refuses longer spans).
    assert sorted(answers) == sorted([("customer_report", 200), ("get_fulfilled", 200)] * 25)
