"""Lead types read at once (`max_parallel`): the same output, sooner, and resumable."""

import pytest
from clickpoint_harness import sync, tap_config

from sandbox.taprun import (
    SyncOutput,
    record_keys,
    records_by_stream,
    run_shards,
    run_until_killed,
)

KEYS = ("lead_type_id", "UID")


def without_times(output: SyncOutput) -> list[dict]:
    """Every message but STATE, without the moment each record was extracted."""
    return [
        {k: v for k, v in m.items() if k != "time_extracted"}
        for m in output.messages
        if m["type"] != "STATE"
    ]


def test_a_parallel_run_writes_what_a_sequential_run_writes(sandbox) -> None:
    sequential = sync(tap_config(max_parallel=1))
    parallel = sync(tap_config(max_parallel=8))
    assert len(parallel.by_lead_type()) == len(sandbox.lead_type_ids) > 1
    assert without_times(parallel) == without_times(sequential)
    assert parallel.final_state == sequential.final_state


def test_lead_types_are_read_at_once(sandbox) -> None:
    sandbox.latency = 0.1  # each answer takes a while, as over the internet
    in_flight = {}
    try:
        for max_parallel in (1, 8):
            sandbox.clear_log()
            sync(tap_config(max_parallel=max_parallel))
            in_flight[max_parallel] = sandbox.most_in_flight
    finally:
        sandbox.latency = 0.0
    assert in_flight[1] == 1
    assert in_flight[8] > 1


@pytest.mark.parametrize("kill_at", [0.1, 0.6])
def test_killed_parallel_run_resumes_without_losing_leads(tmp_path, kill_at) -> None:
    config = tap_config(max_parallel=8)
    full = sync(config)
    first = run_until_killed("tap-clickpoint", tmp_path, config, int(len(full.records()) * kill_at))
    states = [m["value"] for m in first if m["type"] == "STATE"]
    second = sync(config, state=states[-1] if states else None)
    seen = [m["record"] for m in first if m["type"] == "RECORD"] + second.records()
    assert record_keys(full.records(), KEYS) <= record_keys(seen, KEYS)


def test_two_shards_at_once_write_what_one_run_writes(sandbox, tmp_path) -> None:
    config = tap_config(end_date="today-1")
    ids = sandbox.lead_type_ids
    whole = run_shards("tap-clickpoint", tmp_path / "one", [config])
    shards = run_shards(
        "tap-clickpoint",
        tmp_path / "two",
        [{**config, "lead_type_ids": ids[:1]}, {**config, "lead_type_ids": ids[1:]}],
    )
    assert [output.exit_code for output in (*whole, *shards)] == [0, 0, 0]
    assert all(shard.by_stream() for shard in shards)  # each shard read some leads
    assert records_by_stream(shards) == records_by_stream(whole)
