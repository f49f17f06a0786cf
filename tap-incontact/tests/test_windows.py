"""Windows within each endpoint's limit, aligned, settled; 204 is no data; durations in seconds."""

import itertools
from datetime import datetime, timedelta, timezone

import pytest
from incontact_harness import sync, tap_config
from tap_incontact.client import seconds
from tap_incontact.common.dates import parse_timestamp
from tap_incontact.tap import TapInContact


def requests_to(sandbox, path: str) -> list:
    return [r for r in sandbox.requests if r.path.endswith(path)]


@pytest.mark.parametrize("interval", ["15m", "1h", "1d"])
def test_performance_windows_are_aligned_settled_and_cover_the_range(sandbox, interval) -> None:
    lookback = timedelta(minutes=60)
    output = sync(
        tap_config(start_date="today-1", performance_interval=interval),
        select={"agent_performance", "team_performance"},
    )
    step = {"15m": timedelta(minutes=15), "1h": timedelta(hours=1), "1d": timedelta(days=1)}[
        interval
    ]
    for path in ("/agents/performance", "/teams/performance-total"):
        windows = [
            (parse_timestamp(r.query["startDate"][0]), parse_timestamp(r.query["endDate"][0]))
            for r in requests_to(sandbox, path)
        ]
        assert windows
        assert all(r.query["startDate"][0].endswith("Z") for r in requests_to(sandbox, path))
        assert all(start.minute % 15 == 0 and start.second == 0 for start, _ in windows)
        assert all(end - start == step for start, end in windows)
        assert all(b[0] == a[1] for a, b in itertools.pairwise(windows))
        assert max(end for _, end in windows) <= datetime.now(timezone.utc) - lookback
        assert max(end for _, end in windows) > datetime.now(timezone.utc) - lookback - step
    assert output.records("agent_performance")


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
    end = datetime.combine(datetime.now(timezone.utc).date(), datetime.min.time(), timezone.utc)
    assert any(parse_timestamp(c["lastUpdateTime"]) >= end for c in everything)
    bounded = sync(tap_config(start_date="today-3", end_date="today-1"), select={"contacts"})
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
        assert datetime.fromisoformat(end) - datetime.fromisoformat(start) == timedelta(days=2)
    assert output.records("data_download_reports")


def test_fields_outside_the_pinned_schema_are_kept_as_sent(caplog) -> None:
    agents = TapInContact(config=tap_config()).streams["agents"]
    record = agents.post_process({"agentId": 1, "firstName": "Ann", "atHome": True, "city": "Oslo"})
    assert record == {"agentId": 1, "firstName": "Ann", "atHome": True, "city": "Oslo"}
    assert agents.schema["additionalProperties"] is True
