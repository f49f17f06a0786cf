"""Date settings in every tap: relative forms, and `start_date` needed only by dated streams.

Each tap runs as its users run it, the installed command against its sandbox.
"""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from common.tests.conftest import TapSandbox
from sandbox.taprun import SyncOutput, executable, parse_messages

TAPS = ("tap-callrail", "tap-incontact", "tap-clickpoint", "tap-mongoose")
#: The taps with streams that have no dates.
WITH_DIMENSIONS = ("tap-callrail", "tap-incontact")


def run(under_test: TapSandbox, workdir: Path, config: dict, select: set[str]) -> SyncOutput:
    """`tap --config … --catalog …`, the catalog discovered with the sandbox's own settings
    and selecting `select`; the run itself uses `config`."""
    tap = under_test.tap
    full = workdir / "discovery.json"
    full.write_text(json.dumps(under_test.config()))
    discovered = subprocess.run(
        [executable(tap), "--config", str(full), "--discover"],
        capture_output=True,
        check=True,
        text=True,
    )
    catalog = json.loads(discovered.stdout)
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if not entry["breadcrumb"]:
                entry["metadata"]["selected"] = stream["tap_stream_id"] in select
    (workdir / "catalog.json").write_text(json.dumps(catalog))
    (workdir / "config.json").write_text(json.dumps(config))
    command = [executable(tap), "--config", str(workdir / "config.json")]
    command += ["--catalog", str(workdir / "catalog.json")]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return SyncOutput(parse_messages(done.stdout), done.stderr, done.returncode, done.stdout)


def without_start_date(under_test: TapSandbox) -> dict:
    config = under_test.config()
    del config["start_date"]
    return config


@pytest.mark.parametrize("tap", WITH_DIMENSIONS)
def test_dimension_streams_sync_without_start_date(tap, tap_sandboxes, tmp_path) -> None:
    under_test = tap_sandboxes[tap]
    dimensions = set(under_test.dimensions)
    output = run(under_test, tmp_path, without_start_date(under_test), dimensions)
    assert output.exit_code == 0, output.log[-2000:]
    emitted = output.by_stream()
    assert set(emitted) == dimensions
    assert all(emitted[stream] for stream in dimensions)


@pytest.mark.parametrize("tap", TAPS)
def test_a_dated_stream_without_start_date_fails_in_one_line_naming_it(
    tap, tap_sandboxes, tmp_path
) -> None:
    under_test = tap_sandboxes[tap]
    dated = under_test.dated
    selected = {*under_test.dimensions, dated}
    output = run(under_test, tmp_path, without_start_date(under_test), selected)
    assert output.exit_code == 1
    expected = f"setting 'start_date' is required to read {dated}: set it, or select only "
    if tap == "tap-clickpoint":  # it samples its leads for their schema as it starts
        expected = "setting 'start_date' is required to read streams by date"
    assert expected in output.log.strip().splitlines()[-1]
    assert "Traceback" not in output.log
    assert output.by_stream() == {}  # it fails before the first request


def days_read(output: SyncOutput, stream: str) -> set[str]:
    key = {"calls": "start_time", "contacts": "lastUpdateTime", "leads": "DateAdded"}
    field = key.get(stream, "call_started_at")
    return {str(record[field])[:10] for record in output.records(stream)}


@pytest.mark.parametrize("tap", TAPS)
@pytest.mark.parametrize("days_back", [3, "3"], ids=["JSON number", "text"])
def test_a_bare_number_is_that_many_days_back_as_today_minus_n_is(
    tap, days_back, tap_sandboxes, tmp_path
) -> None:
    under_test = tap_sandboxes[tap]
    dated = under_test.dated
    numbers = under_test.config(start_date=days_back, end_date=0)
    words = under_test.config(start_date="today-3", end_date="today")
    by_number = run(under_test, tmp_path, numbers, {dated})
    by_words = run(under_test, tmp_path, words, {dated})
    assert by_number.exit_code == 0, by_number.log[-2000:]
    assert by_number.records(dated) == by_words.records(dated)
    assert by_number.records(dated)
    earliest = (date.today() - timedelta(days=4)).isoformat()  # a zone may lag UTC by a day
    assert min(days_read(by_number, dated)) >= earliest
