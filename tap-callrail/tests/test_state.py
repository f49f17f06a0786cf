"""Bookmarks: per account, resumable after a kill, look-back, future state, clean final state."""

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from callrail_harness import sync, tap_config
from tap_callrail.streams import STREAMS

from sandbox.taprun import record_keys, run_until_killed

INCREMENTAL = ("calls", "conversations", "form_submissions", "calls_summary", "calls_timeseries")


def keys(records: list[dict], stream: str) -> set[tuple]:
    return record_keys(records, next(s.primary_keys for s in STREAMS if s.name == stream))


@pytest.fixture(scope="module")
def full_run():
    return sync(tap_config(start_date="today-45"))


def test_every_stream_has_unique_primary_keys(full_run) -> None:
    for stream in (s.name for s in STREAMS):
        records = full_run.records(stream)
        assert records, stream
        assert len(keys(records, stream)) == len(records), stream


def test_final_state_holds_no_progress_markers(full_run) -> None:
    assert "progress_markers" not in json.dumps(full_run.final_state)


def test_bookmarks_are_kept_per_account(full_run, sandbox) -> None:
    for stream in INCREMENTAL:
        partitions = full_run.final_state["bookmarks"][stream]["partitions"]
        assert {p["context"]["account_id"] for p in partitions} == set(sandbox.account_ids), stream
        assert all(p["replication_key_value"] for p in partitions), stream


def test_unsorted_conversations_bookmark_their_newest_message(full_run) -> None:
    for partition in full_run.final_state["bookmarks"]["conversations"]["partitions"]:
        account = partition["context"]["account_id"]
        newest = max(
            c["last_message_at"]
            for c in full_run.records("conversations")
            if c["account_id"] == account
        )
        assert partition["replication_key_value"] == newest


def test_records_of_every_account_are_read(full_run, sandbox) -> None:
    for stream in ("calls", "companies", "users", "tags", "calls_summary"):
        assert {r["account_id"] for r in full_run.records(stream)} == set(sandbox.account_ids), (
            stream
        )


def test_account_ids_setting_reads_only_those_accounts(sandbox) -> None:
    chosen = sandbox.account_ids[1]
    output = sync(tap_config(account_ids=[chosen]), select={"accounts", "calls", "users"})
    assert {r["account_id"] for s in ("accounts", "calls", "users") for r in output.records(s)} == {
        chosen
    }


def test_a_bookmark_past_the_end_date_yields_no_records(full_run, sandbox) -> None:
    sandbox.clear_log()
    config = tap_config(start_date="today-45", end_date="today-20")
    output = sync(config, state=full_run.final_state, select=set(INCREMENTAL))
    assert not any(output.records(stream) for stream in INCREMENTAL)
    assert not [r for r in sandbox.requests if "/calls" in r.path or "text-messages" in r.path]


def test_a_bookmark_in_the_future_is_read_as_now(full_run, sandbox, caplog) -> None:
    future = json.loads(
        re.sub(r'("replication_key_value": ")\d{4}', r"\g<1>2999", json.dumps(full_run.final_state))
    )
    output = sync(tap_config(start_date="today-45"), state=future, select={"calls"})
    calls = output.records("calls")
    assert calls
    week_ago = (datetime.now(timezone.utc) - timedelta(days=8)).isoformat()
    assert all(c["start_time"] >= week_ago for c in calls)  # the look-back before now
    assert "bookmark 2999" in caplog.text


def test_second_run_rereads_the_lookback_and_sees_late_changes(full_run, sandbox) -> None:
    account = sandbox.account_ids[1]
    calls = sorted(
        (c for c in full_run.records("calls") if c["account_id"] == account),
        key=lambda c: c["start_time"],
    )
    bookmark = datetime.fromisoformat(calls[-1]["start_time"])
    edited = next(
        c
        for c in reversed(calls)
        if datetime.fromisoformat(c["start_time"]) < bookmark - timedelta(days=3)
    )
    too_old = next(
        c for c in calls if datetime.fromisoformat(c["start_time"]) < bookmark - timedelta(days=8)
    )
    sandbox.update_call(edited["id"], lead_status="good_lead", tags=["late-tag"])
    late_id = sandbox.add_call(account, bookmark - timedelta(days=2), customer_name="Late Arrival")
    try:
        second = sync(
            tap_config(start_date="today-45"), state=full_run.final_state, select={"calls"}
        )
        by_id = {c["id"]: c for c in second.records("calls")}
        assert by_id[edited["id"]]["lead_status"] == "good_lead"
        assert by_id[edited["id"]]["tags"] == [{"name": "late-tag"}]
        assert late_id in by_id
        assert too_old["id"] not in by_id
        assert min(
            datetime.fromisoformat(c["start_time"]) for c in by_id.values()
        ) >= bookmark - timedelta(days=8)
    finally:
        sandbox.delete_call(late_id)


@pytest.mark.parametrize("kill_at", [0.02, 0.3, 0.55, 0.9])
def test_killed_run_resumes_without_losing_records(tmp_path, full_run, kill_at) -> None:
    config = tap_config(start_date="today-45")
    total = sum(len(records) for records in full_run.by_stream().values())
    first = run_until_killed("tap-callrail", tmp_path, config, int(total * kill_at))
    states = [m["value"] for m in first if m["type"] == "STATE"]
    second = sync(config, state=states[-1] if states else None)
    for stream in (s.name for s in STREAMS):
        seen = [m["record"] for m in first if m["type"] == "RECORD" and m["stream"] == stream]
        seen += second.records(stream)
        assert keys(full_run.records(stream), stream) <= keys(seen, stream), stream
