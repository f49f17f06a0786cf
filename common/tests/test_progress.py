"""Quiet logs: no METRIC lines or per-partition chatter by default, a progress line every
interval of a long sync, and one line per stream at the end."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
from contextlib import redirect_stdout

import pytest
from tap_callrail.common.progress import Progress as CallRailProgress
from tap_callrail.tap import TapCallRail
from tap_mongoose.tap import TapMongoose

from common.progress import PROGRESS_SECONDS, Progress, metrics_log_level
from common.stream import UNSORTED_NOTE
from common.tests.test_date_settings import TAPS, run
from sandbox.taprun import executable, parse_messages

#: What a default run must not print, and why each is noise.
NOISE = {
    "METRIC": "the SDK's metrics, available through metrics_log_level",
    "not resumable": "the SDK's warning that contradicts what unsorted streams do",
    "with context keys": "one line per partition",
    "Starting incremental sync": "one line per partition",
    "as child stream": "one line per child stream",
    "Skipping parse of env var": "a line about nothing",
}


class Clock:
    """A clock that moves only when told to, or by `tick` seconds on each reading."""

    def __init__(self, tick: float = 0.0) -> None:
        self.now = 0.0
        self.tick = tick

    def __call__(self) -> float:
        self.now += self.tick
        return self.now


def messages_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records]


def test_a_progress_line_comes_once_per_interval_naming_stream_partition_and_bookmark(
    caplog,
) -> None:
    caplog.set_level(logging.INFO)
    clock = Clock()
    progress = Progress(logging.getLogger("test.progress"), clock=clock)
    progress.reading("calls", {"account_id": "ACC01"})
    progress.requested("calls")
    progress.read("calls", 250)
    progress.reached("calls", "start_time", "2024-05-01T10:00:00+00:00")
    clock.now = PROGRESS_SECONDS - 0.1
    progress.read("calls", 1)
    assert messages_of(caplog) == []
    clock.now = PROGRESS_SECONDS
    progress.read("calls", 1)
    clock.now = PROGRESS_SECONDS * 1.5
    progress.requested("calls")
    assert messages_of(caplog) == [
        "Reading calls (account_id=ACC01): 252 records, 1 requests so far; "
        "reached start_time 2024-05-01T10:00:00+00:00"
    ]
    clock.now = PROGRESS_SECONDS * 2
    progress.requested("calls")
    assert len(messages_of(caplog)) == 2


def test_the_summary_line_gives_records_requests_and_seconds(caplog) -> None:
    caplog.set_level(logging.INFO)
    clock = Clock()
    progress = Progress(logging.getLogger("test.progress"), clock=clock)
    clock.now = 10.0
    progress.reading("users", None)
    for _ in range(3):
        progress.requested("users")
    progress.read("users", 17)
    clock.now = 12.5
    progress.stopped("users")
    progress.say_summary("users")
    assert messages_of(caplog) == ["Read users: 17 records, 3 requests, 2.5 s"]


def test_a_long_sync_says_where_it_is_and_sums_up_what_the_api_was_asked(
    tap_sandboxes, caplog
) -> None:
    """A real sync of CallRail calls, on a clock that moves ten seconds at each look."""
    caplog.set_level(logging.INFO)
    sandbox = tap_sandboxes["tap-callrail"].sandbox
    sandbox.clear_log()
    tap = TapCallRail(config=tap_sandboxes["tap-callrail"].config())
    # The tap's own copy of the helper, as the tap runs it.
    tap.progress = CallRailProgress(tap.logger, clock=Clock(tick=10.0), redact=tap.redactor)
    for stream in tap.streams.values():
        stream.selected = stream.name == "calls"
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with redirect_stdout(stdout):
        tap.sync_all()
    stdout.seek(0)
    emitted = [m for m in parse_messages(stdout.read()) if m["type"] == "RECORD"]
    lines = messages_of(caplog)

    progress = [line for line in lines if line.startswith("Reading calls (account_id=ACC")]
    assert len(progress) >= 2
    assert any(re.search(r"; reached start_time 20\d\d-\d\d-\d\dT", line) for line in progress)
    [summary] = [line for line in lines if line.startswith("Read ")]
    found = re.fullmatch(r"Read calls: (\d+) records, (\d+) requests, ([\d.]+) s", summary)
    assert found, summary
    calls_asked = [r for r in sandbox.requests if r.path.endswith("/calls.json")]
    assert int(found.group(1)) == len(emitted) > 0
    assert int(found.group(2)) == len(calls_asked) > 0
    assert float(found.group(3)) > 0


@pytest.mark.parametrize("tap", TAPS)
def test_a_default_run_is_quiet_and_ends_with_one_line_per_stream(
    tap, tap_sandboxes, tmp_path
) -> None:
    under_test = tap_sandboxes[tap]
    selected = {*under_test.dimensions, under_test.dated}
    output = run(under_test, tmp_path, under_test.config(), selected)
    assert output.exit_code == 0, output.log[-2000:]
    for noise, why in NOISE.items():
        assert noise not in output.log, why
    for stream in selected:
        records = len(output.records(stream))
        [line] = [line for line in output.log.splitlines() if f"| Read {stream}: " in line]
        assert f"| Read {stream}: {records} records, " in line
    assert len(output.log.splitlines()) <= 2 * len(selected) + 6


def test_metric_lines_come_back_with_metrics_log_level_info(tap_sandboxes, tmp_path) -> None:
    under_test = tap_sandboxes["tap-callrail"]
    output = run(under_test, tmp_path, under_test.config(metrics_log_level="INFO"), {"users"})
    assert output.exit_code == 0
    assert '"metric":"record_count"' in output.log


def test_metrics_log_level_takes_a_level_name_in_any_case() -> None:
    assert metrics_log_level(None) == "WARNING"
    assert metrics_log_level(" info ") == "INFO"
    with pytest.raises(ValueError, match="setting 'metrics_log_level' is not a log level"):
        metrics_log_level("loud")


def test_an_unsorted_stream_says_truthfully_what_an_interrupted_run_does(
    tap_sandboxes, caplog
) -> None:
    tap = TapMongoose(config=tap_sandboxes["tap-mongoose"].config())
    stream = tap.streams["fulfilled"]
    assert not stream.is_sorted
    record = {"call_started_at": "2024-05-01T10:00:00+00:00"}
    stream.state_manager.increment_state(record, replication_key="call_started_at", context=None)
    assert stream.get_context_state(None)["progress_markers"] == {
        "Note": UNSORTED_NOTE,
        "replication_key": "call_started_at",
        "replication_key_value": "2024-05-01T10:00:00+00:00",
    }
    assert "not resumable" not in caplog.text


@pytest.mark.parametrize("tap", TAPS)
def test_every_tap_offers_metrics_log_level_with_a_description(tap) -> None:
    about = subprocess.run(
        [executable(tap), "--about", "--format=json"], capture_output=True, check=True, text=True
    )
    setting = json.loads(about.stdout)["settings"]["properties"]["metrics_log_level"]
    assert setting["default"] == "WARNING"
    assert "METRIC" in setting["description"]
