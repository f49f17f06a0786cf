"""Hostile and broken answers: no key leaves its host, no record is lost in silence.

Each test drives the `tap-mongoose` command against the sandbox answering one odd but possible
way, with the key in an HTTP Basic header and in the query string (`auth_method`), and checks
the exit code, the one error line, what was emitted, the state, and where the key went.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from mongoose_harness import API_KEY, BASIC_KEY, USERNAME, run_cli, tap_config
from tap_mongoose.streams import STREAMS

from sandbox.core.server import SandboxServer
from sandbox.taprun import SyncOutput

NEW_YORK = ZoneInfo("America/New_York")
AUTH_METHODS = pytest.mark.parametrize("auth_method", ["basic", "params"])
#: jsonschema checks "date-time" only with an optional package; this checks it always.
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@pytest.fixture
def elsewhere() -> Iterator[SandboxServer]:
    """Another host: it must never see a request that carries the key."""
    with SandboxServer() as server:
        yield server


def today() -> str:
    return str(datetime.now(NEW_YORK).date())


def days_ago(days: int) -> str:
    return str(datetime.now(NEW_YORK).date() - timedelta(days=days))


def error_lines(output: SyncOutput) -> list[str]:
    return [line for line in output.log.splitlines() if "| ERROR" in line]


def assert_fails_in_one_line(output: SyncOutput, *words: str) -> str:
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    lines = error_lines(output)
    assert len(lines) == 1, lines or output.log[-2000:]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def assert_key_kept(output: SyncOutput, *others: SandboxServer) -> None:
    """The key, as given or as a Basic header carries it, is in no output and at no other host."""
    for secret in (API_KEY, BASIC_KEY):
        assert secret not in output.stdout
        assert secret not in output.log
        for other in others:
            assert not any(request.carries(secret) for request in other.requests)


def bookmarks(output: SyncOutput) -> dict:
    """The bookmarks of the last STATE the run wrote (what a target would have saved)."""
    return output.states[-1].get("bookmarks", {}) if output.states else {}


# Credentials stay on their origin


@AUTH_METHODS
def test_a_redirect_to_another_host_is_not_followed(sandbox, elsewhere, tmp_path, auth_method):
    sandbox.inject(307, headers={"Location": f"{elsewhere.url}/api/v2/get_fulfilled"})
    output = run_cli(tmp_path, tap_config(auth_method=auth_method), select={"fulfilled"})
    host = elsewhere.url.split("//")[1]
    assert_fails_in_one_line(output, "307", host, "not followed")
    assert elsewhere.requests == []
    assert output.records("fulfilled") == []
    assert "fulfilled" not in bookmarks(output)
    assert_key_kept(output, elsewhere)


def test_a_redirect_on_the_same_host_is_followed(sandbox, tmp_path) -> None:
    target = f"{sandbox.api_url}/customer_report?start_date={today()}&end_date={today()}"
    sandbox.inject(301, headers={"Location": target}, path_contains=f"start_date={today()}")
    config = tap_config(start_date="today")
    output = run_cli(tmp_path, config, select={"customers"})
    assert output.exit_code == 0
    assert len(output.records("customers")) == len(sandbox.account_codes)
    assert [r.status for r in sandbox.requests] == [301, 200]


# Answers that cannot be right fail loudly


@pytest.mark.parametrize(
    ("fault", "fmt", "words"),
    [
        ({"status": 200, "raw": b""}, "json", "is empty"),
        ({"status": 200, "raw": b"<html>maintenance</html>"}, "json", "<html>"),
        ({"status": 200, "raw": b"{\"status\": \"succ", "content_type": "application/json"},
         "json", "not JSON"),
        ({"replace": [(b'"records":', b'"rows":')]}, "json", "'records'"),
        ({"replace": [(b"<records>", b"<rows>"), (b"</records>", b"</rows>")]}, "xml", "<records>"),
        ({"replace": [(b'"total_pages"', b'"pages"')]}, "json", "total_pages"),
        ({"replace": [(b'"status": "success"', b'"status": "pending"')]}, "json", "pending"),
    ],
)  # fmt: skip
def test_an_answer_that_cannot_be_right_stops_the_run(sandbox, tmp_path, fault, fmt, words):
    for auth_method in ("basic", "params"):
        sandbox.inject(**fault, path_contains="/customer_report")
        config = tap_config(start_date="today-2", response_format=fmt, auth_method=auth_method)
        output = run_cli(tmp_path, config, select={"customers"})
        assert_fails_in_one_line(output, "customers", "/api/v2/customer_report", words)
        assert output.records("customers") == []
        assert "customers" not in bookmarks(output)
        assert_key_kept(output)


def test_a_window_whose_answer_was_broken_is_read_again_next_run(sandbox, tmp_path) -> None:
    broken_day = days_ago(1)
    sandbox.inject(200, raw=b"", path_contains=f"start_date={broken_day}")
    config = tap_config(start_date="today-3", window_days=1)
    broken = run_cli(tmp_path, config, select={"fulfilled"})
    assert_fails_in_one_line(broken, "fulfilled", "is empty")
    read_days = {record["call_date"][:10] for record in broken.records("fulfilled")}
    assert read_days == {days_ago(3), days_ago(2)}
    assert "fulfilled" not in bookmarks(broken)
    saved = broken.states[-1] if broken.states else None  # what a target would hold
    again = run_cli(tmp_path, config, state=saved, select={"fulfilled"})
    assert again.exit_code == 0
    assert broken_day in {record["call_date"][:10] for record in again.records("fulfilled")}


# Bookmarks never pass the moment the run started


def test_a_call_dated_in_the_future_is_emitted_but_the_bookmark_stops_at_the_run(
    sandbox, tmp_path
) -> None:
    started = datetime.now(timezone.utc).replace(microsecond=0)
    at = started - timedelta(minutes=30)
    code = sandbox.add_call(at)
    shown = f'"call_date": "{sandbox.local_time(at)}"'.encode()
    sandbox.inject(replace=[(shown, b'"call_date": "2999-01-01 09:00:00"')],
                   path_contains="/get_fulfilled", count=10)  # fmt: skip
    try:
        output = run_cli(tmp_path, tap_config(start_date="today-1"), select={"fulfilled"})
    finally:
        sandbox.delete_call(code)
    assert output.exit_code == 0
    (future,) = [c for c in output.records("fulfilled") if c["cdr_rated_code"] == code]
    assert future["call_started_at"].startswith("2999-01-01")
    bookmark = bookmarks(output)["fulfilled"]["replication_key_value"]
    assert started <= datetime.fromisoformat(bookmark) < started + timedelta(minutes=5)


def test_a_day_in_the_future_moves_the_bookmark_no_further_than_the_accounts_today(
    sandbox, tmp_path
) -> None:
    sandbox.inject(replace=[(f'"report_date": "{today()}"', '"report_date": "2999-01-01"')],
                   path_contains=f"start_date={today()}")  # fmt: skip
    output = run_cli(
        tmp_path, tap_config(start_date="today-1", window_days=1), select={"customers"}
    )
    assert output.exit_code == 0
    assert "2999-01-01" in {row["report_date"] for row in output.records("customers")}
    assert bookmarks(output)["customers"]["replication_key_value"] == today()


# Refusals are failures


@AUTH_METHODS
@pytest.mark.parametrize(("status", "code"), [(401, "AUTH_FAILED"), (403, "API_ACCESS_DISABLED")])
def test_a_refusal_in_the_middle_of_a_run_fails_it(sandbox, tmp_path, auth_method, status, code):
    body = {"status": "error", "error": {"code": code, "message": "Refused"}}
    sandbox.inject(status, body=body, path_contains=f"start_date={days_ago(1)}")
    output = run_cli(
        tmp_path, tap_config(start_date="today-3", window_days=1, auth_method=auth_method)
    )
    assert_fails_in_one_line(output, str(status), code)
    days_read = {row["report_date"] for row in output.records("customers")}  # read first
    assert days_read == {days_ago(3), days_ago(2)}
    assert output.records("fulfilled") == []
    assert output.states == []  # the state a target holds stays as it was
    assert_key_kept(output)


# Pagination ends


def test_a_page_that_comes_twice_stops_the_run_without_duplicates(sandbox, tmp_path) -> None:
    sandbox.inject(replay=True, count=2, path_contains="/get_fulfilled")
    config = tap_config(start_date="today-3", page_size=5)
    output = run_cli(tmp_path, config, select={"fulfilled"})
    assert_fails_in_one_line(output, "fulfilled", "same page")
    codes = [call["cdr_rated_code"] for call in output.records("fulfilled")]
    assert len(codes) == 5
    assert len(set(codes)) == len(codes)


def test_the_answer_for_another_window_stops_the_run_without_duplicates(sandbox, tmp_path):
    sandbox.inject(replay=True, count=2, path_contains="/get_fulfilled")
    output = run_cli(
        tmp_path, tap_config(start_date="today-3", window_days=1), select={"fulfilled"}
    )
    line = assert_fails_in_one_line(output, "fulfilled", f"start_date {days_ago(3)}")
    assert days_ago(2) in line
    assert {call["call_date"][:10] for call in output.records("fulfilled")} == {days_ago(3)}
    codes = [call["cdr_rated_code"] for call in output.records("fulfilled")]
    assert len(set(codes)) == len(codes)


@AUTH_METHODS
def test_a_body_trickled_past_the_timeout_is_abandoned_and_retried(sandbox, tmp_path, auth_method):
    sandbox.inject(trickle=0.2, path_contains="/customer_report")  # minutes for one page
    config = tap_config(start_date="today", request_timeout=1, auth_method=auth_method)
    output = run_cli(tmp_path, config, select={"customers"})
    assert output.exit_code == 0
    assert "Retrying customers" in output.log
    assert len(output.records("customers")) == len(sandbox.account_codes)
    assert [r.status for r in sandbox.requests] == [200, 200]
    assert_key_kept(output)


# Redaction


@AUTH_METHODS
def test_an_error_body_that_echoes_the_key_is_masked(sandbox, tmp_path, auth_method) -> None:
    message = f"Unknown key {API_KEY} (Authorization: Basic {BASIC_KEY}) for {USERNAME}"
    body = {"status": "error", "error": {"code": "INVALID_PARAMETER", "message": message}}
    sandbox.inject(400, body=body)
    output = run_cli(tmp_path, tap_config(auth_method=auth_method))
    line = assert_fails_in_one_line(output, "400", "INVALID_PARAMETER")
    assert "Unknown key *** (Authorization: Basic ***)" in line
    assert_key_kept(output)


# Missing primary keys


@pytest.mark.parametrize(
    ("fmt", "stream", "renamed"),
    [
        ("json", "fulfilled", (b'"cdr_rated_code": ', b'"cdr_code": ')),
        ("xml", "fulfilled", (b"cdr_rated_code>", b"cdr_code>")),
        ("json", "customers", (b'"account_code": ', b'"account": ')),
        ("xml", "customers", (b"report_date>", b"day>")),
    ],
)
def test_a_record_without_its_key_stops_the_run(sandbox, tmp_path, fmt, stream, renamed):
    sandbox.inject(replace=[renamed], count=10)
    config = tap_config(start_date="today-1", response_format=fmt)
    output = run_cli(tmp_path, config, select={stream})
    key = renamed[0].decode().strip('"<>: ')
    assert_fails_in_one_line(output, stream, f"without {key}")
    assert output.records(stream) == []
    assert stream not in bookmarks(output)


# Bad bytes


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_bad_byte_becomes_a_replacement_character_with_one_warning(sandbox, tmp_path, fmt):
    old = b'"customer_name": "' if fmt == "json" else b"<customer_name>"
    sandbox.inject(replace=[(old, old + b"\xff")], path_contains="/customer_report", count=2)
    config = tap_config(start_date="today-2", window_days=1, response_format=fmt)
    output = run_cli(tmp_path, config, select={"customers"})
    assert output.exit_code == 0
    rows = output.records("customers")
    damaged = [row for row in rows if row["customer_name"].startswith("\ufffd")]
    assert len(damaged) == 2 * len(sandbox.account_codes)  # the first two days' rows
    assert len(rows) == 3 * len(sandbox.account_codes)
    warnings = [line for line in output.log.splitlines() if "not UTF-8" in line]
    assert len(warnings) == 1
    assert f"customers: {len(damaged)} records" in warnings[0]


# Defaults run; records match their schema


def test_only_the_required_settings_are_enough(sandbox, tmp_path) -> None:
    config = {
        name: value
        for name, value in tap_config(start_date="today-2").items()
        if name in ("username", "api_key", "api_url", "start_date")
    }
    output = run_cli(tmp_path, config)
    assert output.exit_code == 0
    assert all(output.records(stream.name) for stream in STREAMS)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_every_record_matches_the_schema_the_tap_emits(sandbox, tmp_path, fmt) -> None:
    output = run_cli(tmp_path, tap_config(start_date="today-40", response_format=fmt))
    assert output.exit_code == 0
    schemas = {m["stream"]: m["schema"] for m in output.messages if m["type"] == "SCHEMA"}
    assert set(schemas) == {stream.name for stream in STREAMS}
    for stream, schema in schemas.items():
        validator = jsonschema.Draft7Validator(schema, format_checker=FORMATS)
        records = output.records(stream)
        assert records, stream
        for record in records:
            errors = list(validator.iter_errors(record))
            assert not errors, (stream, errors[0].message, json.dumps(record)[:300])
