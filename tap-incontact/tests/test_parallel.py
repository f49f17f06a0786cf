"""Report jobs run at once (`max_parallel`): the same output, sooner, and resumable."""

import pytest
from incontact_harness import run_cli, sync, tap_config
from tap_incontact.streams import STREAMS

from sandbox.taprun import (
    SyncOutput,
    keys_lost_by_a_kill,
    records_by_stream,
    run_shards,
)

REPORTS = {"custom_reports", "data_download_reports"}


def every_report(sandbox, **overrides) -> dict:
    every = {
        "custom_report_ids": sandbox.report_ids,
        "data_download_report_ids": sandbox.data_download_report_ids,
        "end_date": "today-1",
    }
    return tap_config(**{**every, **overrides})


def without_times(output: SyncOutput) -> list[dict]:
    """Every message but STATE, without the moment each record was extracted, nor the id of
    the job that ran its report (a new one every run)."""
    messages = [
        {k: v for k, v in m.items() if k != "time_extracted"}
        for m in output.messages
        if m["type"] != "STATE"
    ]
    for message in messages:
        if message["type"] == "RECORD":
            message["record"] = {k: v for k, v in message["record"].items() if k != "job_id"}
    return messages


def test_a_parallel_run_writes_what_a_sequential_run_writes(sandbox) -> None:
    sequential = sync(every_report(sandbox, max_parallel=1), select=REPORTS)
    parallel = sync(every_report(sandbox, max_parallel=4), select=REPORTS)
    assert all(parallel.records(stream) for stream in REPORTS)
    assert without_times(parallel) == without_times(sequential)
    assert parallel.final_state == sequential.final_state


def test_report_jobs_run_at_once(sandbox) -> None:
    sandbox.latency = 0.1  # each answer takes a while, as over the internet
    in_flight = {}
    try:
        for max_parallel in (1, 4):
            sandbox.clear_log()
            sync(every_report(sandbox, max_parallel=max_parallel), select=REPORTS)
            in_flight[max_parallel] = sandbox.most_in_flight
    finally:
        sandbox.latency = 0.0
    assert in_flight[1] == 1
    assert in_flight[4] > 1


def test_a_failed_report_is_one_line_after_the_reports_before_it(sandbox, tmp_path) -> None:
    first, failing = sandbox.report_ids[:2]
    sandbox.inject(500, count=100, path_contains=f"/report-jobs/{failing}")
    config = tap_config(custom_report_ids=[first, failing], max_parallel=4, max_retries=0)
    output = run_cli(tmp_path, config, select={"custom_reports"})
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    assert "HTTP 500" in output.log.splitlines()[-1]
    assert {r["report_id"] for r in output.records("custom_reports")} == {first}


@pytest.mark.parametrize("kill_at", [0.2, 0.7])
def test_killed_parallel_run_resumes_without_losing_records(sandbox, tmp_path, kill_at) -> None:
    config = every_report(sandbox, start_date="today-4", performance_interval="1h", max_parallel=8)
    lost = keys_lost_by_a_kill(
        "tap-incontact", tmp_path, config, kill_at, sync=sync, streams=STREAMS
    )
    assert lost == {}


def test_two_shards_at_once_write_what_one_run_writes(sandbox, tmp_path) -> None:
    def reports(part: int) -> dict:
        return every_report(
            sandbox,
            custom_report_ids=sandbox.report_ids[part::2],
            data_download_report_ids=sandbox.data_download_report_ids[part::2],
        )

    whole = run_shards("tap-incontact", tmp_path / "one", [every_report(sandbox)], REPORTS)
    shards = run_shards("tap-incontact", tmp_path / "two", [reports(0), reports(1)], REPORTS)
    assert [output.exit_code for output in (*whole, *shards)] == [0, 0, 0]
    assert all(shard.by_stream() for shard in shards)  # each shard ran some reports
    # job_id: the id of the job that ran a report, new in every run.
    assert records_by_stream(shards, ("job_id",)) == records_by_stream(whole, ("job_id",))
