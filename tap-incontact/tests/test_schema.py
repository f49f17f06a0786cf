"""Every record the sandbox yields, of every stream, matches the schema the tap emits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from incontact_harness import run_cli, tap_config
from jsonschema import Draft7Validator, FormatChecker
from tap_incontact.streams import STREAMS

from sandbox.incontact import InContactSandbox

#: jsonschema checks `date-time` only with an optional package; this is RFC 3339's rule: a
#: full date and time with its offset.
FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value: object) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@pytest.fixture(scope="module")
def legacy() -> Iterator[InContactSandbox]:
    """A business unit on an older API version: contacts and summaries use the older names."""
    with InContactSandbox(legacy_fields=True, agents=6, contacts_per_day=30, seed=3) as server:
        yield server


@pytest.mark.parametrize("names", ["current", "legacy"])
def test_every_record_of_every_stream_matches_the_emitted_schema(
    sandbox, legacy, tmp_path, names
) -> None:
    config = tap_config(start_date="today-4", performance_interval="1h")
    if names == "legacy":
        config |= {"auth_url": legacy.auth_url, "password": legacy.password}
    output = run_cli(tmp_path, config)
    assert output.exit_code == 0, output.log[-2000:]
    schemas = {m["stream"]: m["schema"] for m in output.messages if m["type"] == "SCHEMA"}
    assert set(schemas) == {stream.name for stream in STREAMS}
    problems = []
    for stream, schema in schemas.items():
        records = output.records(stream)
        assert records, stream
        validator = Draft7Validator(schema, format_checker=FORMATS)
        problems += [
            f"{stream}: {error.json_path}: {error.message}"
            for record in records
            for error in validator.iter_errors(record)
        ]
    assert problems == []
