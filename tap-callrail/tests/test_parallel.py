"""Accounts read at once (`max_parallel`): the same output, sooner, and resumable."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from callrail_harness import API_KEY, run_cli, sync
from callrail_harness import tap_config as shared_config
from tap_callrail.streams import STREAMS

from sandbox.callrail import CallRailSandbox
from sandbox.taprun import (
    SyncOutput,
    keys_lost_by_a_kill,
    records_by_stream,
    run_shards,
)

LISTS = {"accounts", "companies", "users", "tags", "trackers", "notifications"}
#: These tests read every account many times over: a sandbox of their own, whose hourly
#: limit the other tests' sandbox keeps for them.
OWN = CallRailSandbox(
    api_keys=(API_KEY,), calls_per_account=1500, seed=11, rate_limit_per_hour=10**6
)


@pytest.fixture(scope="module", autouse=True)
def own_sandbox() -> Iterator[None]:
    with OWN:
        yield


@pytest.fixture
def sandbox() -> Iterator[CallRailSandbox]:
    OWN.clear_faults()
    OWN.clear_log()
    yield OWN
    OWN.clear_faults()
    OWN.latency = 0.0


def tap_config(**overrides: Any) -> dict[str, Any]:
    return shared_config(api_url=OWN.api_url, **overrides)


def without_times(output: SyncOutput) -> list[dict]:
    """Every message but STATE, without the moment each record was extracted."""
    return [
        {k: v for k, v in m.items() if k != "time_extracted"}
        for m in output.messages
        if m["type"] != "STATE"
    ]


def test_a_parallel_run_writes_what_a_sequential_run_writes() -> None:
    sequential = sync(tap_config(start_date="today-45", max_parallel=1))
    parallel = sync(tap_config(start_date="today-45", max_parallel=8))
    assert without_times(parallel) == without_times(sequential)
    assert parallel.final_state == sequential.final_state


def test_every_stream_has_its_schema_before_its_records() -> None:
    output = sync(tap_config(start_date="today-10", max_parallel=8))
    schemas: set[str] = set()
    for message in output.messages:
        if message["type"] == "SCHEMA":
            schemas.add(message["stream"])
        elif message["type"] == "RECORD":
            assert message["stream"] in schemas


def test_state_names_only_accounts_whose_records_were_written() -> None:
    output = sync(tap_config(start_date="today-45", max_parallel=8), select={"calls"})
    written: set[str] = set()
    for message in output.messages:
        if message["type"] == "RECORD":
            written.add(message["record"]["account_id"])
        elif message["type"] == "STATE":
            partitions = message["value"]["bookmarks"].get("calls", {}).get("partitions", [])
            bookmarked = {
                p["context"]["account_id"] for p in partitions if "replication_key_value" in p
            }
            assert bookmarked <= written


def test_accounts_are_read_at_once(sandbox) -> None:
    sandbox.latency = 0.1  # each answer takes a while, as over the internet
    in_flight = {}
    for max_parallel in (1, 8):
        sandbox.clear_log()
        sync(tap_config(start_date="today-10", max_parallel=max_parallel), select=LISTS)
        in_flight[max_parallel] = sandbox.most_in_flight
    assert in_flight[1] == 1
    assert in_flight[8] > 1


def test_a_rate_limited_account_slows_only_itself(sandbox) -> None:
    slow = sandbox.account_ids[0]
    sandbox.inject(429, count=1, retry_after=2, path_contains=f"/{slow}/calls.json")
    output = sync(tap_config(start_date="today-10", max_parallel=4), select={"calls"})
    log = [r for r in sandbox.requests if r.path.endswith("/calls.json")]
    retried = next(i for i, r in enumerate(log) if slow in r.path and r.status == 200)
    others = [i for i, r in enumerate(log) if slow not in r.path]
    assert {log[i].path.split("/")[3] for i in others} == set(sandbox.account_ids[1:])
    assert max(others) < retried  # read while the slow account waited out its 429
    assert {r["account_id"] for r in output.records("calls")} == set(sandbox.account_ids)


def test_a_failure_while_reading_ahead_is_one_line_after_the_accounts_before_it(
    sandbox, tmp_path
) -> None:
    failing = sandbox.account_ids[2]
    sandbox.inject(500, count=100, path_contains=f"/{failing}/calls.json")
    output = run_cli(tmp_path, tap_config(max_parallel=8, max_retries=0), select={"calls"})
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    assert "HTTP 500 for calls" in output.log.splitlines()[-1]
    written = {r["account_id"] for r in output.records("calls")}
    assert written == set(sandbox.account_ids[:2])


@pytest.mark.parametrize("kill_at", [0.05, 0.4, 0.8])
def test_killed_parallel_run_resumes_without_losing_records(tmp_path, kill_at) -> None:
    config = tap_config(start_date="today-45", max_parallel=16)
    lost = keys_lost_by_a_kill(
        "tap-callrail", tmp_path, config, kill_at, sync=sync, streams=STREAMS
    )
    assert lost == {}


def partition_bookmarks(output: SyncOutput) -> dict[str, list[dict]]:
    """The final bookmarks of each partitioned stream, by stream, sorted by context."""
    found = {}
    for stream, bookmark in output.final_state["bookmarks"].items():
        partitions = bookmark.get("partitions", [])
        found[stream] = sorted(partitions, key=lambda p: json.dumps(p["context"], sort_keys=True))
    return found


def test_two_shards_at_once_write_what_one_run_writes(sandbox, tmp_path) -> None:
    accounts = sandbox.account_ids
    config = tap_config(start_date="today-45", end_date="today-1")
    whole = run_shards("tap-callrail", tmp_path / "one", [config])
    halves = [accounts[: len(accounts) // 2], accounts[len(accounts) // 2 :]]
    shards = run_shards(
        "tap-callrail", tmp_path / "two", [{**config, "account_ids": h} for h in halves]
    )
    assert [output.exit_code for output in (*whole, *shards)] == [0, 0, 0]
    for shard, half in zip(shards, halves, strict=True):
        assert {r["account_id"] for r in shard.records("calls")} == set(half)
    assert records_by_stream(shards) == records_by_stream(whole)
    [one] = whole
    together = {}
    for shard in shards:
        for stream, partitions in partition_bookmarks(shard).items():
            together.setdefault(stream, []).extend(partitions)
    for stream, partitions in partition_bookmarks(one).items():
        key = lambda p: json.dumps(p["context"], sort_keys=True)  # noqa: E731
        assert sorted(together[stream], key=key) == partitions, stream
