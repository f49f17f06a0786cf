"""Windows within each endpoint's limit, aligned, settled; 204 is no data; durations in seconds."""

from collections.abc import Iterator
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from incontact_harness import PASSWORD, sync, tap_config
from tap_incontact.client import seconds
from tap_incontact.common.dates import parse_timestamp
from tap_incontact.tap import TapInContact

from sandbox.incontact import InContactSandbox


def requests_to(sandbox, path: str) -> list:
    return [r for r in sandbox.requests if r.path.endswith(path)]


CHICAGO = ZoneInfo("America/Chicago")  # the harness's time_zone
STEPS = {"15m": timedelta(minutes=15), "1h": timedelta(hours=1), "1d": timedelta(days=1)}


def chicago_midnight(days_ago: int = 0) -> datetime:
    day = datetime.now(CHICAGO).date() - timedelta(days=days_ago)
    return datetime.combine(day, time(), CHICAGO).astimezone(timezone.utc)


@pytest.mark.parametrize("interval", ["15m", "1h", "1d"])
def test_performance_windows_are_aligned_settled_and_cover_the_range(sandbox, interval) -> None:
    lookback, step = timedelta(minutes=60), STEPS[interval]
    output = sync(
        tap_config(start_date="today-1", performance_interval=interval),
        select={"agent_performance", "team_performance"},
    )
    for path, stream in (
        ("/agents/performance", "agent_performance"),
        ("/teams/performance-total", "team_performance"),
    ):
        asked = requests_to(sandbox, path)
        assert all(r.query["startDate"][0].endswith("Z") for r in asked)
        bounds = [
            (parse_timestamp(r.query["startDate"][0]), parse_timestamp(r.query["endDate"][0]))
            for r in asked
        ]
        assert all(start.minute % 15 == 0 and start.second == 0 for start, _ in bounds)
        assert bounds[0][0] == chicago_midnight(1)  # the first probe: the whole range
        rows = output.records(stream)
        windows = sorted({(r["interval_start"], r["interval_end"]) for r in rows})
        spans = [(parse_timestamp(a), parse_timestamp(b)) for a, b in windows]
        assert spans
        assert all(end - start == step for start, end in spans)
        assert all(row["interval"] == interval for row in rows)
        assert all(row["time_zone"] == "America/Chicago" for row in rows)
        assert set(spans) <= set(bounds)  # each row window was asked for on its own
        assert max(end for _, end in spans) <= datetime.now(timezone.utc) - lookback
        if interval != "1d":  # the last probe reaches the newest settled window
            assert max(end for _, end in bounds) > datetime.now(timezone.utc) - lookback - step


@pytest.fixture(scope="module")
def empty_unit() -> Iterator[InContactSandbox]:
    """A business unit without a single contact: every report answers 204."""
    with InContactSandbox(password=PASSWORD, contacts_per_day=0, agents=3, seed=11) as server:
        yield server


@pytest.mark.parametrize("interval", ["15m", "1h", "1d", "range"])
def test_an_empty_backfill_takes_one_request_per_performance_stream(empty_unit, interval) -> None:
    config = tap_config(
        start_date="today-760", performance_interval=interval, auth_url=empty_unit.auth_url
    )
    selected = {"agent_performance", "team_performance"}
    empty_unit.clear_log()
    output = sync(config, select=selected | ({"skill_summaries"} if interval != "range" else set()))
    assert not any(output.records(stream) for stream in selected)
    assert len(requests_to(empty_unit, "/agents/performance")) == 1
    assert len(requests_to(empty_unit, "/teams/performance-total")) == 1
    if interval != "range":  # 30 days at most per request: 760 days take 26
        assert len(requests_to(empty_unit, "/skills/summary")) == 26


def test_dense_days_take_one_request_per_day_and_one_probe(sandbox) -> None:
    config = tap_config(start_date="today-7", end_date="today-2")
    output = sync(config, select={"agent_performance"})
    days = {r["interval_start"] for r in output.records("agent_performance")}
    assert len(days) == 6
    assert len(requests_to(sandbox, "/agents/performance")) == len(days) + 1


def test_range_interval_is_one_row_per_key_for_the_whole_range(sandbox) -> None:
    config = tap_config(start_date="today-4", end_date="today-2", performance_interval="range")
    streams = {"agent_performance": "agentId", "team_performance": "teamId"}
    output = sync(config, select={*streams, "skill_summaries"})
    streams["skill_summaries"] = "skillId"
    for stream, key in streams.items():
        rows = output.records(stream)
        assert rows, stream
        assert len({r[key] for r in rows}) == len(rows)
        assert {r["interval"] for r in rows} == {"range"}
        assert {parse_timestamp(r["interval_start"]) for r in rows} == {chicago_midnight(4)}
        assert {parse_timestamp(r["interval_end"]) for r in rows} == {chicago_midnight(1)}
    for path in ("/agents/performance", "/teams/performance-total", "/skills/summary"):
        assert len(requests_to(sandbox, path)) == 1
    daily = sync(tap_config(start_date="today-4", end_date="today-2"), select={"agent_performance"})
    agent = output.records("agent_performance")[0]["agentId"]
    handled = [
        r["totalHandled"] for r in daily.records("agent_performance") if r["agentId"] == agent
    ]
    [total] = [r for r in output.records("agent_performance") if r["agentId"] == agent]
    assert total["totalHandled"] == sum(handled)


def test_range_over_thirty_days_fails_for_skill_summaries_naming_the_setting(sandbox) -> None:
    config = tap_config(start_date="today-40", performance_interval="range")
    with pytest.raises(Exception, match="setting 'performance_interval' is 'range'"):
        sync(config, select={"skill_summaries"})
    assert requests_to(sandbox, "/skills/summary") == []


def test_skill_summary_windows_stay_within_thirty_days(sandbox) -> None:
    sync(tap_config(start_date="today-40"), select={"skill_summaries"})
    spans = [
        parse_timestamp(r.query["endDate"][0]) - parse_timestamp(r.query["startDate"][0])
        for r in requests_to(sandbox, "/skills/summary")
    ]
    assert spans
    assert max(spans) <= timedelta(days=30)


def test_a_204_answer_is_an_empty_page_not_an_error(sandbox) -> None:
    sandbox.inject(204, count=50, path_contains="/teams/performance-total")
    output = sync(tap_config(), select={"team_performance", "agents"})
    assert requests_to(sandbox, "/teams/performance-total")
    assert output.records("team_performance") == []
    assert output.records("agents")


def test_old_contacts_are_read_in_thirty_day_windows_then_by_update_time(sandbox) -> None:
    output = sync(tap_config(start_date="today-40"), select={"contacts"})
    contacts = output.records("contacts")
    dated = [r for r in requests_to(sandbox, "/contacts/completed") if "startDate" in r.query]
    since = [r for r in requests_to(sandbox, "/contacts/completed") if "updatedSince" in r.query]
    assert len({r.query["startDate"][0] for r in dated}) == 1  # 40 - 29 days: one window
    assert since
    for request in dated:
        span = parse_timestamp(request.query["endDate"][0]) - parse_timestamp(
            request.query["startDate"][0]
        )
        assert span <= timedelta(days=30)
    oldest_since = min(parse_timestamp(r.query["updatedSince"][0]) for r in since)
    assert oldest_since >= datetime.now(timezone.utc) - timedelta(days=30)
    assert len({c["contactId"] for c in contacts}) == len(contacts)
    starts = [parse_timestamp(c["contactStartDate"]) for c in contacts]
    assert min(starts) < datetime.now(timezone.utc) - timedelta(days=35)


def test_a_backfill_of_old_contacts_asks_for_no_window_over_thirty_days(sandbox) -> None:
    sync(tap_config(start_date="today-100", end_date="today-31"), select={"contacts"})
    dated = [r for r in requests_to(sandbox, "/contacts/completed") if "startDate" in r.query]
    starts = sorted({r.query["startDate"][0] for r in dated})
    assert len(starts) == 3  # 70 days: the fewest windows of at most 30 days
    assert all(r.status in (200, 204) for r in requests_to(sandbox, "/contacts/completed"))


def test_contacts_updated_after_end_date_are_not_emitted_nor_bookmarked(sandbox) -> None:
    everything = sync(tap_config(start_date="today-3"), select={"contacts"}).records("contacts")
    end = chicago_midnight(1)
    assert any(parse_timestamp(c["lastUpdateTime"]) >= end for c in everything)
    bounded = sync(tap_config(start_date="today-3", end_date="today-2"), select={"contacts"})
    contacts = bounded.records("contacts")
    assert contacts
    assert all(parse_timestamp(c["lastUpdateTime"]) < end for c in contacts)
    expected = {c["contactId"] for c in everything if parse_timestamp(c["lastUpdateTime"]) < end}
    assert {c["contactId"] for c in contacts} == expected
    bookmark = bounded.final_state["bookmarks"]["contacts"]["replication_key_value"]
    assert parse_timestamp(bookmark) < end


def test_contacts_ask_for_updates_oldest_first(sandbox) -> None:
    sync(tap_config(start_date="today-2"), select={"contacts"})
    since = [r for r in requests_to(sandbox, "/contacts/completed") if "updatedSince" in r.query]
    assert since
    assert all(r.query["orderBy"] == ["lastUpdateTime asc"] for r in since)


def test_durations_become_seconds_and_nothing_else_changes() -> None:
    assert seconds("PT1H2M3S") == 3723
    assert seconds("PT0.5S") == 0.5
    assert seconds("P1DT1S") == 86401
    assert seconds("17") == 17.0
    assert seconds(42) == 42
    assert seconds(None) is None


def test_performance_durations_are_numbers_of_seconds(sandbox) -> None:
    rows = sync(tap_config(start_date="today-1"), select={"agent_performance"}).records(
        "agent_performance"
    )
    assert rows
    for row in rows:
        for field in ("inboundTalkTime", "loginTime", "availableTime"):
            assert row[field] is None or isinstance(row[field], (int, float)), (field, row[field])
        assert isinstance(row["agentId"], int)


def test_data_download_windows_have_no_offset_and_stay_within_thirty_days(sandbox) -> None:
    output = sync(
        tap_config(start_date="today-5", data_download_window_days=2),
        select={"data_download_reports"},
    )
    requests = requests_to(
        sandbox, f"/report-jobs/datadownload/{sandbox.data_download_report_ids[0]}"
    )
    assert requests
    for request in requests:
        start, end = request.query["startDate"][0], request.query["endDate"][0]
        assert not start.endswith("Z")
        assert "+" not in start
        span = datetime.fromisoformat(end) - datetime.fromisoformat(start)
        assert span == timedelta(days=2) or request is requests[-1]  # the last: up to now
    assert parse_timestamp(requests[0].query["startDate"][0] + "Z") == chicago_midnight(5)
    assert output.records("data_download_reports")


def test_fields_outside_the_pinned_schema_are_kept_as_sent(caplog) -> None:
    agents = TapInContact(config=tap_config()).streams["agents"]
    record = agents.post_process({"agentId": 1, "firstName": "Ann", "atHome": True, "city": "Oslo"})
    assert record == {"agentId": 1, "firstName": "Ann", "atHome": True, "city": "Oslo"}
    assert agents.schema["additionalProperties"] is True


def test_data_download_windows_stay_within_thirty_days_across_clock_changes(sandbox) -> None:
    output = sync(tap_config(start_date="today-400"), select={"data_download_reports"})
    asked = requests_to(sandbox, f"/report-jobs/datadownload/{sandbox.data_download_report_ids[0]}")
    spans = [
        datetime.fromisoformat(r.query["endDate"][0])
        - datetime.fromisoformat(r.query["startDate"][0])
        for r in asked
    ]
    assert len(asked) == 14  # 400 days in windows of 30, a day shorter where clocks go back
    assert max(spans) <= timedelta(days=30)
    assert all(r.status == 200 for r in asked)
    assert output.records("data_download_reports")
