"""Bookmarks: per lead type, resumable after a kill, look-back, future state, clean final state."""

import json
import re
import time
from datetime import datetime, timedelta, timezone

import pytest
from clickpoint_harness import lead_queries, sync, tap_config
from tap_clickpoint.streams import LeadsStream

from sandbox.leadexec import AUTO_INSURANCE, MORTGAGE
from sandbox.taprun import run_until_killed

CONFIG = {"start_date": "today-20"}


def keys(records: list[dict]) -> set[tuple]:
    return {tuple(r[k] for k in LeadsStream.primary_keys) for r in records}


@pytest.fixture(scope="module")
def full_run():
    return sync(tap_config(**CONFIG))


def test_primary_key_is_lead_type_and_uid_and_unique(full_run) -> None:
    assert tuple(LeadsStream.primary_keys) == ("lead_type_id", "UID")
    records = full_run.records()
    assert len(records) > 2000
    assert all(isinstance(r["lead_type_id"], int) and isinstance(r["UID"], int) for r in records)
    assert len(keys(records)) == len(records)


def test_final_state_holds_no_progress_markers(full_run) -> None:
    assert "progress_markers" not in json.dumps(full_run.final_state)


def test_each_lead_type_keeps_its_own_bookmark(full_run, sandbox) -> None:
    partitions = full_run.final_state["bookmarks"]["leads"]["partitions"]
    assert [p["context"] for p in partitions] == [
        {"lead_type_id": lid} for lid in sandbox.lead_type_ids
    ]
    for partition in partitions:
        records = full_run.by_lead_type()[partition["context"]["lead_type_id"]]
        newest = max(records, key=lambda r: r["DateAdded"])
        assert partition["replication_key"] == "DateAdded"
        assert partition["replication_key_value"] == newest["DateAdded"]


def test_a_bookmark_in_the_future_is_read_as_now(full_run, sandbox, caplog) -> None:
    future = json.loads(
        re.sub(r'("replication_key_value": ")\d{4}', r"\g<1>2999", json.dumps(full_run.final_state))
    )
    output = sync(tap_config(**CONFIG), state=future)
    records = output.records()
    assert records
    lookback = (datetime.now(timezone.utc) - timedelta(days=2, minutes=5)).isoformat()
    assert all(r["DateAdded"] >= lookback for r in records)  # the look-back before now
    assert "bookmark 2999" in caplog.text
    for partition in output.final_state["bookmarks"]["leads"]["partitions"]:
        assert partition["replication_key_value"] < datetime.now(timezone.utc).isoformat()


def test_a_bookmark_past_the_end_date_reads_nothing(full_run, sandbox) -> None:
    sandbox.clear_log()
    output = sync(tap_config(start_date="today-20", end_date="today-10"), full_run.final_state)
    assert output.records() == []
    assert lead_queries(sandbox) == []


def test_second_run_rereads_the_lookback_and_sees_late_leads_and_sends(full_run, sandbox) -> None:
    lid = MORTGAGE.lid
    leads = sorted(full_run.by_lead_type()[lid], key=lambda r: r["DateAdded"])
    bookmark = datetime.fromisoformat(leads[-1]["DateAdded"])
    resold = next(
        r for r in reversed(leads) if r["DateAdded"] < (bookmark - timedelta(days=1)).isoformat()
    )
    too_old = next(r for r in leads if r["DateAdded"] < (bookmark - timedelta(days=3)).isoformat())
    send = sandbox.add_send(lid, resold["UID"], client=3)
    late = sandbox.add_lead(lid, bookmark - timedelta(days=1, hours=2), visible_after=0)
    try:
        second = sync(tap_config(**CONFIG), state=full_run.final_state)
        by_uid = {r["UID"]: r for r in second.by_lead_type()[lid]}
        assert late in by_uid
        assert send["SendUID"] in {s["SendUID"] for s in by_uid[resold["UID"]]["Sends"]}
        assert too_old["UID"] not in by_uid
        oldest = min(datetime.fromisoformat(r["DateAdded"]) for r in by_uid.values())
        assert oldest >= bookmark - timedelta(days=2)
    finally:
        sandbox.delete_lead(lid, late)


def test_a_lead_not_yet_visible_is_read_by_the_next_run(full_run, sandbox) -> None:
    lid = AUTO_INSURANCE.lid
    uid = sandbox.add_lead(lid, datetime.now(timezone.utc) - timedelta(minutes=1), visible_after=2)
    try:
        first = sync(tap_config(**CONFIG, lead_type_ids=[lid]), state=full_run.final_state)
        assert uid not in {r["UID"] for r in first.records()}
        time.sleep(2)
        second = sync(tap_config(**CONFIG, lead_type_ids=[lid]), state=first.final_state)
        assert uid in {r["UID"] for r in second.records()}
    finally:
        sandbox.delete_lead(lid, uid)


@pytest.mark.parametrize("kill_at", [0.02, 0.4, 0.7, 0.95])
def test_killed_run_resumes_without_losing_leads(tmp_path, full_run, kill_at) -> None:
    config = tap_config(**CONFIG)
    first = run_until_killed(
        "tap-clickpoint", tmp_path, config, int(len(full_run.records()) * kill_at)
    )
    states = [m["value"] for m in first if m["type"] == "STATE"]
    second = sync(config, state=states[-1] if states else None)
    seen = [m["record"] for m in first if m["type"] == "RECORD"] + second.records()
    assert keys(full_run.records()) <= keys(seen)
    if kill_at > 0.5:
        # It resumed: only what came after the last STATE, and the look-back, is read again.
        assert len(second.records()) < 0.7 * len(full_run.records())
