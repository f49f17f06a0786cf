"""Bookmarks: resumable after a kill, future state, clean final state, unique keys."""

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from incontact_harness import sync, tap_config
from tap_incontact.common.dates import parse_timestamp
from tap_incontact.streams import STREAMS

from sandbox.taprun import record_keys, run_until_killed

INCREMENTAL = (
    "contacts",
    "agent_performance",
    "team_performance",
    "skill_summaries",
    "data_download_reports",
)


def keys(records: list[dict], stream: str) -> set[tuple]:
    return record_keys(records, next(s.primary_keys for s in STREAMS if s.name == stream))


@pytest.fixture(scope="module")
def full_run():
    return sync(tap_config(start_date="today-4", performance_interval="1h"))


def test_every_stream_returns_records_with_unique_primary_keys(full_run) -> None:
    for stream in (s.name for s in STREAMS):
        records = full_run.records(stream)
        assert records, stream
        assert len(keys(records, stream)) == len(records), stream


def test_final_state_holds_no_progress_markers(full_run) -> None:
    assert "progress_markers" not in json.dumps(full_run.final_state)


def test_incremental_streams_bookmark_what_they_read(full_run) -> None:
    bookmarks = full_run.final_state["bookmarks"]
    newest_contact = max(c["lastUpdateTime"] for c in full_run.records("contacts"))
    assert bookmarks["contacts"]["replication_key_value"] == newest_contact
    newest_window = max(r["interval_start"] for r in full_run.records("agent_performance"))
    assert bookmarks["agent_performance"]["replication_key_value"] == newest_window
    partitions = bookmarks["data_download_reports"]["partitions"]
    assert all(p["replication_key_value"] for p in partitions)


def test_a_bookmark_in_the_future_is_read_as_now_with_a_warning(full_run, sandbox, caplog) -> None:
    future = json.loads(
        re.sub(r'("replication_key_value": ")\d{4}', r"\g<1>2999", json.dumps(full_run.final_state))
    )
    started = datetime.now(timezone.utc)
    output = sync(tap_config(start_date="today-4"), state=future, select=set(INCREMENTAL))
    for stream in INCREMENTAL:
        assert f"{stream}: the state's bookmark 2999-" in caplog.text, stream
    intervals = [s for s in INCREMENTAL if s not in {"contacts", "data_download_reports"}]
    assert not any(output.records(stream) for stream in intervals)  # none has closed since
    # Data downloads read today so far (the window from its midnight): nothing older.
    today_so_far = output.records("data_download_reports")
    day_ago = started - timedelta(days=1)
    assert all(parse_timestamp(r["window_start"]) > day_ago for r in today_so_far)
    [contacts] = [r for r in sandbox.requests if r.path.endswith("/contacts/completed")]
    since = parse_timestamp(contacts.query["updatedSince"][0])
    assert since >= started - timedelta(minutes=61)  # now less the default lookback_minutes


def test_second_run_rereads_the_lookback_and_sees_updated_contacts(full_run, sandbox) -> None:
    contacts = sorted(full_run.records("contacts"), key=lambda c: c["lastUpdateTime"])
    touched = contacts[len(contacts) // 2]["contactId"]
    sandbox.touch_contact(touched)
    second = sync(tap_config(start_date="today-4"), state=full_run.final_state, select={"contacts"})
    ids = {c["contactId"] for c in second.records("contacts")}
    assert touched in ids
    assert len(ids) < len(contacts) / 2


@pytest.mark.parametrize("kill_at", [0.1, 0.5, 0.85])
def test_killed_run_resumes_without_losing_records(tmp_path, full_run, kill_at) -> None:
    config = tap_config(start_date="today-4", performance_interval="1h")
    total = sum(len(records) for records in full_run.by_stream().values())
    first = run_until_killed("tap-incontact", tmp_path, config, int(total * kill_at))
    states = [m["value"] for m in first if m["type"] == "STATE"]
    second = sync(config, state=states[-1] if states else None)
    for stream in (s.name for s in STREAMS):
        seen = [m["record"] for m in first if m["type"] == "RECORD" and m["stream"] == stream]
        seen += second.records(stream)
        assert keys(full_run.records(stream), stream) <= keys(seen, stream), stream
