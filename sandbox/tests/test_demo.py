"""The demo end to end: every tap through `meltano run` into PostgreSQL, with typed columns."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest
import yaml

from sandbox.callrail import CallRailSandbox
from sandbox.demo import (
    ROOT,
    SANDBOX_KEY,
    TAPS,
    database,
    meltano,
    run_demo,
    sandbox_env,
    schema_of,
    stream_schemas,
)

#: How a property of each JSON Schema format must load.
SQL_TYPES = {"date-time": "timestamp with time zone", "date": "date"}


@pytest.fixture(scope="module")
def landed(tmp_path_factory) -> dict[str, dict[str, int]]:
    return run_demo(tmp_path_factory.mktemp("demo"), taps=list(TAPS))


@pytest.fixture(scope="module")
def columns(landed, tmp_path_factory) -> dict[str, dict[str, str]]:
    where = tmp_path_factory.getbasetemp() / "demo0" / "postgres"
    with database(where) as db:
        rows = db.rows(
            "select table_schema, table_name, column_name, data_type "
            "from information_schema.columns where table_schema like 'tap_%'"
        )
    found: dict[str, dict[str, str]] = {}
    for schema, table, column, data_type in rows:
        found.setdefault(f"{schema}.{table}", {})[column] = data_type
    return found


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict[str, dict]]:
    with ExitStack() as running:
        env = sandbox_env(list(TAPS), running)
        return {tap: stream_schemas(tap, env) for tap in TAPS}


def test_every_stream_of_every_tap_lands_rows(landed, schemas) -> None:
    assert set(landed) == set(TAPS)
    for tap, tables in landed.items():
        assert set(tables) == set(schemas[tap]), tap
        assert all(rows > 0 for rows in tables.values()), (tap, tables)


@pytest.mark.parametrize("tap", list(TAPS))
def test_date_times_load_as_timestamptz_and_days_as_date(columns, schemas, tap) -> None:
    checked = 0
    for stream, schema in schemas[tap].items():
        table = columns[f"{schema_of(tap)}.{stream}"]
        for name, prop in schema["properties"].items():
            wanted = SQL_TYPES.get(prop.get("format", ""))
            if wanted and name in table:
                assert table[name] == wanted, (stream, name, table[name])
                checked += 1
    assert checked


def test_a_failing_tap_prints_its_one_line_as_an_error_under_meltano_run(tmp_path) -> None:
    """Meltano shows a tap's own error line at error level, not only "Extractor failed"."""
    with CallRailSandbox(api_keys=(f"not-{SANDBOX_KEY}",)) as refusing:
        env = {
            **os.environ,
            **refusing.env(),
            "MELTANO_ENVIRONMENT": "sandbox",
            "NO_COLOR": "1",
            "CALLRAIL_SANDBOX_URL": refusing.api_url,
            "TARGET_JSONL_DESTINATION_PATH": str(tmp_path),
        }
        meltano("install", "extractor", "tap-callrail", env=env)
        meltano("install", "loader", "target-jsonl", env=env)
        command = [str(Path(sys.executable).with_name("meltano")), "run"]
        done = subprocess.run(
            [*command, "tap-callrail", "target-jsonl"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    assert done.returncode != 0
    tap_lines = re.findall(r"\[(\w+)\s*\] tap-callrail (.*)", done.stderr)
    rejected = "CallRail rejected the API key (HTTP 401): check the api_key setting"
    assert ("error", rejected) in tap_lines, done.stderr
    assert [level for level, _ in tap_lines if level == "error"] == ["error"]
    assert "Traceback" not in done.stderr


def test_every_tap_declares_structured_logging_to_meltano() -> None:
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    plugins = project["plugins"]["extractors"]
    # Shards (docs/shards.md) inherit their tap's capabilities.
    extractors = {plugin["name"]: plugin for plugin in plugins if "inherit_from" not in plugin}
    assert set(extractors) == set(TAPS)
    assert {plugin["inherit_from"] for plugin in plugins if "inherit_from" in plugin} <= set(TAPS)
    for tap, plugin in extractors.items():
        assert "structured-logging" in plugin["capabilities"], tap


def test_the_demo_prints_each_streams_summary_and_no_metric_lines(tmp_path, capfd) -> None:
    landed = run_demo(tmp_path, taps=["tap-mongoose"])["tap-mongoose"]
    printed = capfd.readouterr().err
    assert "METRIC" not in printed
    for stream, rows in landed.items():
        assert f"tap-mongoose Read {stream}: {rows} records, " in printed
