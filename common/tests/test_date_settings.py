"""Date settings in every tap: relative forms, and `start_date` needed only by dated streams.

Each tap runs as its users run it, the installed command against its sandbox.
"""

from __future__ import annotations

import json
import subprocess
import typing as t
from datetime import date, timedelta
from pathlib import Path

import callrail_harness
import clickpoint_harness
import incontact_harness
import mongoose_harness
import pytest

from sandbox.taprun import SyncOutput, executable, parse_messages

#: tap -> (settings against its sandbox, its dimension streams, one dated stream)
TAPS: dict[str, tuple[t.Callable[..., dict], set[str], str]] = {
    "tap-callrail": (
        callrail_harness.tap_config,
        {"accounts", "companies", "users", "tags", "trackers"},
        "calls",
    ),
    "tap-incontact": (
        incontact_harness.tap_config,
        {"agents", "teams", "skills", "campaigns"},
        "contacts",
    ),
    "tap-clickpoint": (clickpoint_harness.tap_config, set(), "leads"),
    "tap-mongoose": (mongoose_harness.tap_config, set(), "fulfilled"),
}


def run(tap: str, workdir: Path, config: dict, select: set[str]) -> SyncOutput:
    """`tap --config … --catalog …`, the catalog discovered with the sandbox's full settings
    and selecting `select`; the run itself uses `config`."""
    full = workdir / "discovery.json"
    full.write_text(json.dumps(TAPS[tap][0]()))
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


def without_start_date(tap: str) -> dict:
    config = TAPS[tap][0]()
    del config["start_date"]
    return config


@pytest.mark.parametrize("tap", [tap for tap, (_, dimensions, _) in TAPS.items() if dimensions])
def test_dimension_streams_sync_without_start_date(tap, tmp_path) -> None:
    dimensions = TAPS[tap][1]
    output = run(tap, tmp_path, without_start_date(tap), dimensions)
    assert output.exit_code == 0, output.log[-2000:]
    emitted = output.by_stream()
    assert set(emitted) == dimensions
    assert all(emitted[stream] for stream in dimensions)


@pytest.mark.parametrize("tap", list(TAPS))
def test_a_dated_stream_without_start_date_fails_in_one_line_naming_it(tap, tmp_path) -> None:
    _, dimensions, dated = TAPS[tap]
    output = run(tap, tmp_path, without_start_date(tap), {*dimensions, dated})
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


@pytest.mark.parametrize("tap", list(TAPS))
@pytest.mark.parametrize("days_back", [3, "3"], ids=["JSON number", "text"])
def test_a_bare_number_is_that_many_days_back_as_today_minus_n_is(tap, days_back, tmp_path) -> None:
    dated = TAPS[tap][2]
    config = TAPS[tap][0]()
    by_number = run(tap, tmp_path, {**config, "start_date": days_back, "end_date": 0}, {dated})
    by_words = run(tap, tmp_path, {**config, "start_date": "today-3", "end_date": "today"}, {dated})
    assert by_number.exit_code == 0, by_number.log[-2000:]
    assert by_number.records(dated) == by_words.records(dated)
    assert by_number.records(dated)
    earliest = (date.today() - timedelta(days=4)).isoformat()  # a zone may lag UTC by a day
    assert min(days_read(by_number, dated)) >= earliest
