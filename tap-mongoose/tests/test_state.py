"""Bookmarks: look-back re-reads, late records, future state, kill and resume, clean final state."""

import json
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from mongoose_harness import sync, tap_config
from tap_mongoose.streams import STREAMS

from sandbox.taprun import run_until_killed

NEW_YORK = ZoneInfo("America/New_York")


def keys(records: list[dict], stream: str) -> set[tuple]:
    primary_keys = next(s.primary_keys for s in STREAMS if s.name == stream)
    return {tuple(r[k] for k in primary_keys) for r in records}


def config() -> dict:
    return tap_config(start_date="today-20")


@pytest.fixture(scope="module")
def full_run():
    return sync(config())


def test_every_stream_has_unique_primary_keys(full_run) -> None:
    for stream in (s.name for s in STREAMS):
        records = full_run.records(stream)
        assert records, stream
        assert len(keys(records, stream)) == len(records), stream


def test_final_state_holds_no_progress_markers(full_run) -> None:
    assert "progress_markers" not in json.dumps(full_run.final_state)


def test_bookmarks_are_the_newest_values_read(full_run) -> None:
    bookmarks = full_run.final_state["bookmarks"]
    assert bookmarks["fulfilled"]["replication_key"] == "call_started_at"
    assert bookmarks["fulfilled"]["replication_key_value"] == max(
        c["call_started_at"] for c in full_run.records("fulfilled")
    )
    assert bookmarks["customers"]["replication_key"] == "report_date"
    assert bookmarks["customers"]["replication_key_value"] == str(datetime.now(NEW_YORK).date())


def test_a_bookmark_in_the_future_is_read_as_the_runs_start(full_run, sandbox, caplog) -> None:
    future = json.loads(
        re.sub(r'("replication_key_value": ")\d{4}', r"\g<1>2999", json.dumps(full_run.final_state))
    )
    output = sync(config(), state=future)
    today = datetime.now(NEW_YORK).date()
    first_days = {r.query["start_date"][0] for r in sandbox.requests}
    assert min(first_days) == str(today - timedelta(days=3))  # today less lookback_days
    assert output.records("fulfilled")
    assert output.final_state["bookmarks"]["customers"]["replication_key_value"] == str(today)
    assert output.final_state["bookmarks"]["fulfilled"]["replication_key_value"] < "2999"
    warnings = [r.getMessage() for r in caplog.records if "in the future" in r.getMessage()]
    assert len(warnings) == 2


def test_second_run_rereads_the_lookback_and_sees_late_records(full_run, sandbox) -> None:
    calls = sorted(full_run.records("fulfilled"), key=lambda c: c["call_started_at"])
    bookmark_day = date.fromisoformat(calls[-1]["call_date"][:10])

    def on_day(days_back: int) -> dict:
        day = str(bookmark_day - timedelta(days=days_back))
        return next(c for c in calls if c["call_date"].startswith(day))

    rated_late, too_old = on_day(2), on_day(5)
    before = {name: rated_late[name] for name in ("recording_completed", "custom3")}
    sandbox.update_call(rated_late["cdr_rated_code"], recording_completed="Y", custom3="late")
    late_start = datetime.fromisoformat(on_day(1)["call_started_at"]) + timedelta(seconds=1)
    late_code = sandbox.add_call(late_start, keywords="late arrival")
    try:
        second = sync(config(), state=full_run.final_state)
        by_code = {c["cdr_rated_code"]: c for c in second.records("fulfilled")}
        assert by_code[rated_late["cdr_rated_code"]]["custom3"] == "late"
        assert by_code[rated_late["cdr_rated_code"]]["recording_available"] is True
        assert by_code[late_code]["keywords"] == "late arrival"
        assert too_old["cdr_rated_code"] not in by_code
        first_days = {r.query["start_date"][0] for r in sandbox.requests}
        assert min(first_days) == str(bookmark_day - timedelta(days=3))
        today = datetime.now(NEW_YORK).date()
        assert {r["report_date"] for r in second.records("customers")} == {
            str(today - timedelta(days=n)) for n in range(4)
        }
    finally:
        sandbox.delete_call(late_code)
        sandbox.update_call(rated_late["cdr_rated_code"], **before)


@pytest.mark.parametrize("kill_at", [0.02, 0.3, 0.55, 0.9])
def test_killed_run_resumes_without_losing_records(tmp_path, full_run, kill_at) -> None:
    total = sum(len(records) for records in full_run.by_stream().values())
    first = run_until_killed("tap-mongoose", tmp_path, config(), int(total * kill_at))
    states = [m["value"] for m in first if m["type"] == "STATE"]
    second = sync(config(), state=states[-1] if states else None)
    for stream in (s.name for s in STREAMS):
        seen = [m["record"] for m in first if m["type"] == "RECORD" and m["stream"] == stream]
        seen += second.records(stream)
        assert keys(full_run.records(stream), stream) <= keys(seen, stream), stream


def test_resuming_from_a_killed_runs_state_keeps_finished_streams_bookmarks(
    tmp_path, full_run
) -> None:
    # Streams run one after the other; the first to finish writes its bookmark.
    first = run_until_killed(
        "tap-mongoose", tmp_path, config(), len(full_run.records("customers")) + 5
    )
    states = [m["value"] for m in first if m["type"] == "STATE"]
    assert states
    bookmarks = states[-1]["bookmarks"]
    assert bookmarks["customers"]["replication_key_value"]
    assert "progress_markers" not in json.dumps(bookmarks["customers"])
