"""calls_summary and calls_timeseries: periods, each company's own days, scope and totals."""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from callrail_harness import API_KEY, sync, tap_config

from sandbox.callrail import CallRailSandbox

REPORTS = {"calls_summary", "calls_timeseries"}


@pytest.fixture(scope="module")
def one_account() -> CallRailSandbox:
    """One account whose three companies are in three zones, with two years of calls."""
    with CallRailSandbox(api_keys=(API_KEY,), accounts=1, calls_per_account=4000, seed=5) as box:
        yield box


def config_for(box: CallRailSandbox, **overrides) -> dict:
    return tap_config(api_url=box.api_url, **overrides)


def summary_requests(box: CallRailSandbox) -> list:
    return [r for r in box.requests if r.path.endswith("/calls/summary.json")]


@pytest.fixture(scope="module")
def daily(one_account):
    """Calls and the daily reports of the last 20 days, in each company's own zone."""
    one_account.clear_log()
    output = sync(config_for(one_account, start_date="today-20"), select={"calls", *REPORTS})
    return output, list(one_account.requests)


def test_each_company_counts_its_own_days(daily) -> None:
    output, _ = daily
    totals = [r for r in output.records("calls_summary") if r["group_by"] == ""]
    zones = {r["company_id"]: r["time_zone"] for r in totals}
    assert len(set(zones.values())) == 3  # the sandbox's companies are in three zones
    counted: Counter = Counter()
    for call in output.records("calls"):
        zone = ZoneInfo(zones[call["company_id"]])
        day = datetime.fromisoformat(call["start_time"]).astimezone(zone).date().isoformat()
        counted[call["company_id"], day] += 1
    assert sum(counted.values()) > 100
    first = max(min(r["date"] for r in totals if r["company_id"] == c) for c in zones)
    for row in totals:
        if row["date"] >= first:  # calls before the range's first local day were not read
            assert row["total_calls"] == counted[row["company_id"], row["date"]], row
    series = {
        (r["company_id"], r["date"]): r["total_calls"] for r in output.records("calls_timeseries")
    }
    assert all(series[row["company_id"], row["date"]] == row["total_calls"] for row in totals)


def test_report_requests_name_the_companys_zone_not_utc(daily) -> None:
    output, logged = daily
    zones = {r["company_id"]: r["time_zone"] for r in output.records("calls_summary")}
    reports = [r for r in logged if r.path.endswith(("summary.json", "timeseries.json"))]
    assert reports
    for request in reports:
        assert request.query["time_zone"] == [zones[request.query["company_id"][0]]]


def test_the_ungrouped_total_is_the_sum_of_its_groups(daily) -> None:
    output, _ = daily
    rows = output.records("calls_summary")
    groups: Counter = Counter()
    for row in rows:
        if row["group_by"] == "source":
            groups[row["company_id"], row["date"]] += row["total_calls"]
    totals = [r for r in rows if r["group_by"] == ""]
    assert totals
    assert all(groups[r["company_id"], r["date"]] == r["total_calls"] for r in totals)
    assert all(r["interval"] == "day" and r["user_id"] == "" and r["key"] == "" for r in totals)


def test_timeseries_dates_are_days_and_one_request_covers_200(daily) -> None:
    output, logged = daily
    assert all(len(r["date"]) == 10 for r in output.records("calls_timeseries"))
    series = [r for r in logged if r.path.endswith("timeseries.json")]
    # Per company, 21 days fit one request: calls_timeseries's own, and calls_summary's totals.
    assert len(series) == 6


@pytest.mark.parametrize(
    ("interval", "most_per_scope"),
    [("month", 26), ("week", 110), ("range", 1)],
)
def test_summary_interval_costs_one_request_per_period(one_account, interval, most_per_scope):
    one_account.clear_log()
    config = config_for(one_account, start_date="2000-01-01", summary_interval=interval)
    rows = sync(config, select={"calls_summary"}).records("calls_summary")
    requests = Counter(r.query["company_id"][0] for r in summary_requests(one_account))
    assert requests  # a company without calls (the disabled one) costs no summary request
    assert all(count <= most_per_scope for count in requests.values()), requests
    assert {r["interval"] for r in rows} == {interval}
    if interval == "range":
        totals = [r for r in rows if r["group_by"] == ""]
        assert len(totals) == 3  # one row per company for the whole range
        assert sum(r["total_calls"] for r in totals) == 4000


def test_time_zone_setting_reads_the_account_as_one_in_that_zone(one_account) -> None:
    one_account.clear_log()
    config = config_for(
        one_account,
        start_date="today-3",
        time_zone="Asia/Tokyo",
        summary_group_by=["company_id"],
    )
    rows = sync(config, select={"calls_summary"}).records("calls_summary")
    assert {r["time_zone"] for r in rows} == {"Asia/Tokyo"}
    assert {r["company_id"] for r in rows} == {""}
    requests = summary_requests(one_account)
    assert all(r.query["time_zone"] == ["Asia/Tokyo"] for r in requests)
    assert all("company_id" not in r.query for r in requests)
    today = datetime.now(ZoneInfo("Asia/Tokyo")).date()
    assert min(r["date"] for r in rows) == (today - timedelta(days=3)).isoformat()
    keys = {r["key"] for r in rows if r["group_by"] == "company_id"}
    assert keys
    assert all(key.startswith("COM") for key in keys)


def test_company_ids_limit_every_report_request(one_account) -> None:
    one_account.clear_log()
    first = sync(config_for(one_account, start_date="today-2"), select={"companies"})
    chosen = first.records("companies")[0]["id"]
    one_account.clear_log()
    config = config_for(one_account, start_date="today-2", company_ids=[chosen])
    output = sync(config, select=REPORTS)
    reports = [r for r in one_account.requests if "/calls/" in r.path]
    assert reports
    assert all(r.query["company_id"] == [chosen] for r in reports)
    assert {r["company_id"] for s in REPORTS for r in output.records(s)} == {chosen}


def test_user_ids_read_one_row_set_per_user(one_account) -> None:
    users = sync(config_for(one_account), select={"users"}).records("users")
    chosen = [str(u["id"]) for u in users[:2]]
    one_account.clear_log()
    config = config_for(
        one_account, start_date="today-30", user_ids=chosen, summary_interval="range"
    )
    rows = sync(config, select={"calls_summary"}).records("calls_summary")
    assert {r["user_id"] for r in rows} == set(chosen)
    agents = Counter(r.query["agent"][0] for r in summary_requests(one_account))
    assert set(agents) == set(chosen)
    everyone = sync(
        config_for(one_account, start_date="today-30", summary_interval="range"),
        select={"calls_summary"},
    ).records("calls_summary")
    for company in {r["company_id"] for r in rows}:
        per_user = sum(
            r["total_calls"] for r in rows if r["company_id"] == company and r["group_by"] == ""
        )
        overall = next(
            r["total_calls"] for r in everyone if r["company_id"] == company and r["group_by"] == ""
        )
        assert per_user <= overall


def test_a_daily_25_month_timeseries_costs_one_request_per_200_days(one_account) -> None:
    one_account.clear_log()
    config = config_for(one_account, start_date="2000-01-01")
    rows = sync(config, select={"calls_timeseries"}).records("calls_timeseries")
    series = [r for r in one_account.requests if r.path.endswith("timeseries.json")]
    days = len({r["date"] for r in rows})
    assert days > 700
    assert len(series) == 3 * math.ceil(days / 200)


def test_periods_without_calls_cost_no_summary_request(one_account) -> None:
    one_account.clear_log()
    # Before the sandbox's two years of calls: 25 months back to 740 days ago hold none.
    config = config_for(one_account, start_date="2000-01-01", end_date="today-740")
    rows = sync(config, select={"calls_summary"}).records("calls_summary")
    assert rows
    assert all(r["total_calls"] == 0 and r["group_by"] == "" for r in rows)
    assert summary_requests(one_account) == []
    probes = [r for r in one_account.requests if r.path.endswith("timeseries.json")]
    assert len(probes) == 3  # one per company, for up to 200 days each
    assert len(rows) == 3 * len({r["date"] for r in rows})  # every day of every company


def test_only_days_with_calls_cost_summary_requests(daily) -> None:
    output, logged = daily
    busy_days = {
        (r["company_id"], r["date"])
        for r in output.records("calls_summary")
        if r["group_by"] == "" and r["total_calls"] > 0
    }
    asked = [r for r in logged if r.path.endswith("/calls/summary.json")]
    assert len(asked) == len(busy_days)  # one grouping: one request per busy day


def test_an_account_without_a_zone_counts_utc_days_with_a_warning(sandbox, caplog) -> None:
    accounts = sync(tap_config(), select={"accounts"}).records("accounts")
    zones = {a["id"]: a["time_zone"] for a in accounts}
    unzoned = [(f'"time_zone": "{zone}"', '"tz": "?"') for zone in set(zones.values())]
    sandbox.inject(replace=unzoned, path_contains="/a.json")
    rows = sync(
        tap_config(start_date="today-2", summary_group_by=["company"]),
        select={"calls_summary"},
    ).records("calls_summary")
    account_rows = [r for r in rows if r["company_id"] == ""]  # the company grouping's scope
    assert account_rows
    assert {r["time_zone"] for r in account_rows} == {"Etc/UTC"}
    assert "reports no time zone for account" in caplog.text
    assert "set time_zone" in caplog.text
