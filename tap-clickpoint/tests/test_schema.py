"""Every record the sandbox yields matches the schema the tap emits, in both answer formats."""

from __future__ import annotations

from datetime import datetime

import pytest
from clickpoint_harness import sync, tap_config
from jsonschema import Draft7Validator, FormatChecker

from sandbox.leadexec.world import HISTORY_DAYS

#: jsonschema checks `date-time` only with an optional package; this is RFC 3339's rule: a
#: full date and time with its offset.
FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value: object) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@pytest.mark.parametrize("answer", ["json", "xml"])
def test_every_record_the_sandbox_yields_matches_the_emitted_schema(sandbox, answer) -> None:
    sandbox.json_on_request = answer == "json"
    output = sync(tap_config(start_date=f"today-{HISTORY_DAYS + 1}"))
    schemas = [m["schema"] for m in output.messages if m["type"] == "SCHEMA"]
    assert schemas
    assert all(schema == schemas[0] for schema in schemas)
    validator = Draft7Validator(schemas[0], format_checker=FORMATS)
    records = output.records()
    assert len(records) == sum(len(sandbox.leads(lid)) for lid in sandbox.lead_type_ids)
    problems = [
        f"lead {record.get('UID')}: {error.json_path}: {error.message}"
        for record in records
        for error in validator.iter_errors(record)
    ]
    assert problems == []
