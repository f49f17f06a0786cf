"""Every record matches the schema the tap emits, and keeps every field the API sent."""

from __future__ import annotations

import base64
import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime

import pytest
import requests
from incontact_harness import run_cli, sync, tap_config
from jsonschema import Draft7Validator, FormatChecker
from tap_incontact.client import InContactStream, WindowStream, seconds
from tap_incontact.common.dates import parse_timestamp
from tap_incontact.streams import STREAMS

from sandbox.core.requests_log import LoggedRequest
from sandbox.incontact import InContactSandbox
from sandbox.taprun import SyncOutput

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


#: Skill summaries' real-time fields: this minute's values, so an answer asked again may differ.
SNAPSHOT_FIELDS = {
    "agentsAcw", "agentsAvailable", "agentsIdle", "agentsLoggedIn", "agentsUnavailable",
    "agentsWorking", "contactsActive", "queueCount",
}  # fmt: skip


def _same(stream: type[InContactStream], field: str, sent: object, emitted: object) -> bool:
    """An emitted value is the one sent: as is, as seconds (durations), or the same instant."""
    if sent == emitted:
        return True
    if field in stream.duration_fields:
        return seconds(sent) == emitted
    if isinstance(sent, str) and isinstance(emitted, str):
        try:
            return parse_timestamp(sent) == parse_timestamp(emitted)
        except ValueError:
            return False
    return False


def _asked_again(sandbox: InContactSandbox, request: LoggedRequest) -> requests.Response:
    """The sandbox's answer to a request the tap sent, asked again exactly so."""
    token = next(v for k, v in request.headers.items() if k.lower() == "authorization")
    return requests.request(
        request.method,
        sandbox.url + request.path,
        params=request.query,
        headers={"Authorization": token, "Accept": "application/json"},
        timeout=30,
    )


def _window_start(request: LoggedRequest) -> datetime:
    return parse_timestamp(request.query["startDate"][0])


@pytest.fixture(scope="module")
def everything(shared_sandbox: InContactSandbox) -> tuple[SyncOutput, list[LoggedRequest]]:
    """A run of every stream, and the requests it sent."""
    shared_sandbox.clear_log()
    output = sync(tap_config(start_date="today-2", performance_interval="1h"))
    return output, shared_sandbox.requests


@pytest.mark.parametrize("stream", [s for s in STREAMS if s.name not in ("custom_reports",)])
def test_each_record_keeps_every_field_the_api_sent(shared_sandbox, everything, stream) -> None:
    """Key by key: every field of every answer, declared or not, reaches the record."""
    output, sent_requests = everything
    emitted = output.records(stream.name)
    assert emitted, stream.name
    windowed, sent_rows = issubclass(stream, WindowStream), dict[tuple, dict]()
    path = re.escape(stream.path).replace(re.escape("{report_id}"), r"\d+")
    for request in sent_requests:
        if request.status != 200 or not re.search(rf"/v\d+\.0/{path}$", request.path):
            continue
        answer = _asked_again(shared_sandbox, request).json()
        if stream.name == "data_download_reports":
            report_id = int(request.path.rsplit("/", 1)[1])
            text = base64.b64decode(answer["file"]).decode()
            for number, row in enumerate(csv.DictReader(io.StringIO(text)), 1):
                sent_rows[(report_id, _window_start(request), number)] = {"data": row}
            continue
        for row in answer[stream.records_key]:
            ident = row[stream.primary_keys[0]]
            sent_rows[(ident, _window_start(request)) if windowed else (ident,)] = row
    for record in emitted:
        key: tuple
        if stream.name == "data_download_reports":
            key = (
                record["report_id"],
                parse_timestamp(record["window_start"]),
                record["row_number"],
            )
        elif windowed:
            key = (record[stream.primary_keys[0]], parse_timestamp(record["interval_start"]))
        else:
            key = (record[stream.primary_keys[0]],)
        sent = sent_rows[key]
        assert set(sent) <= set(record), (stream.name, set(sent) - set(record))
        wrong = [
            f
            for f, v in sent.items()
            if f not in SNAPSHOT_FIELDS and not _same(stream, f, v, record[f])
        ]
        assert wrong == [], (stream.name, {f: (sent[f], record[f]) for f in wrong})


def test_custom_report_rows_are_the_rows_of_the_file(sandbox) -> None:
    report_id = sandbox.report_ids[0]
    records = sync(tap_config(custom_report_ids=[report_id]), select={"custom_reports"}).records(
        "custom_reports"
    )
    rows = list(csv.DictReader(io.StringIO(sandbox.report_csv(report_id))))
    assert [r["data"] for r in records] == rows
