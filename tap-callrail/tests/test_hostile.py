"""Hostile and broken answers: no secret leaves its host, no record is lost in silence.

Each test drives the `tap-callrail` command against the sandbox answering one odd but possible
way, and checks the exit code, the one error line, what was emitted, the state, and where the
key went.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from callrail_harness import API_KEY, API_URL, run_cli, tap_config
from tap_callrail.tap import TapCallRail

from sandbox.callrail import CallRailSandbox
from sandbox.core.server import SandboxServer
from sandbox.taprun import SyncOutput, run_command


@pytest.fixture
def elsewhere() -> Iterator[SandboxServer]:
    """Another host: it must never see a request that carries the key."""
    with SandboxServer() as server:
        yield server


@pytest.fixture(scope="module")
def busy() -> Iterator[CallRailSandbox]:
    """An account with enough calls in a month to need several pages."""
    with CallRailSandbox(api_keys=(API_KEY,), accounts=1, calls_per_account=60000) as server:
        yield server


def error_lines(output: SyncOutput) -> list[str]:
    return [line for line in output.log.splitlines() if "ERROR" in line]


def assert_fails_in_one_line(output: SyncOutput, *words: str) -> str:
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    lines = error_lines(output)
    assert lines, output.log[-2000:]
    last = lines[-1]
    for word in words:
        assert word in last, last
    return last


def assert_key_kept(output: SyncOutput, *others: SandboxServer) -> None:
    assert API_KEY not in output.stdout
    assert API_KEY not in output.log
    for other in others:
        assert not any(request.carries(API_KEY) for request in other.requests)


def state_of(output: SyncOutput) -> dict:
    """The last STATE the run wrote (what a target would have saved)."""
    return output.states[-1] if output.states else {}


def test_a_redirect_to_another_host_is_not_followed(sandbox, elsewhere, tmp_path) -> None:
    sandbox.inject(307, headers={"Location": f"{elsewhere.url}/v3/a.json"}, path_contains="a.json")
    output = run_cli(tmp_path, tap_config())
    assert_fails_in_one_line(output, "307", elsewhere.url.split("//")[1])
    assert elsewhere.requests == []
    assert_key_kept(output, elsewhere)


@pytest.mark.parametrize("status", [301, 302, 308])
def test_a_redirect_on_the_same_host_is_followed(sandbox, tmp_path, status) -> None:
    target = f"{API_URL}/a.json?per_page=250"
    sandbox.inject(status, headers={"Location": target}, path_contains="a.json")
    output = run_cli(tmp_path, tap_config(), select={"accounts"})
    assert output.exit_code == 0
    assert len(output.records("accounts")) == len(sandbox.account_ids)


@pytest.mark.parametrize(
    ("fault", "stream", "path"),
    [
        ({"status": 200, "raw": b""}, "calls_summary", "summary.json"),
        ({"status": 200, "raw": b"<html>maintenance</html>"}, "calls_summary", "summary.json"),
        ({"replace": [(b'"grouped_results"', b'"results"')]}, "calls_summary", "summary.json"),
        ({"replace": [(b'"calls":', b'"kalls":')]}, "calls", "calls.json"),
        ({"replace": [(b'"users":', b'"people":')]}, "users", "users.json"),
        ({"replace": [(b'"data":', b'"points":')]}, "calls_timeseries", "timeseries.json"),
        ({"replace": [(b'"total_pages"', b'"pages"')]}, "users", "users.json"),
    ],
)
def test_an_answer_that_cannot_be_right_stops_the_run(
    sandbox, tmp_path, fault, stream, path
) -> None:
    sandbox.inject(**fault, path_contains=path)
    output = run_cli(tmp_path, tap_config(start_date="today-5"), select={stream})
    assert_fails_in_one_line(output, stream, path)
    assert_key_kept(output)


def test_a_window_whose_answer_was_broken_is_read_again_next_run(sandbox, tmp_path) -> None:
    first_account = sandbox.account_ids[0]
    sandbox.inject(200, raw=b"", path_contains=f"{first_account}/calls/summary.json")
    broken = run_cli(tmp_path, tap_config(start_date="today-5"), select={"calls_summary"})
    assert broken.exit_code == 1
    partitions = (
        state_of(broken).get("bookmarks", {}).get("calls_summary", {}).get("partitions", [])
    )
    assert not [p for p in partitions if p["context"]["account_id"] == first_account]
    again = run_cli(
        tmp_path, tap_config(start_date="today-5"), state=state_of(broken), select={"calls_summary"}
    )
    assert again.exit_code == 0
    rows = [r for r in again.records("calls_summary") if r["account_id"] == first_account]
    assert rows
    for company in {r["company_id"] for r in rows}:  # each from start_date in its own days
        oldest = min(r["date"] for r in rows if r["company_id"] == company)
        zone = ZoneInfo(next(r["time_zone"] for r in rows if r["company_id"] == company))
        assert oldest == (datetime.now(zone) - timedelta(days=5)).date().isoformat()


def test_a_call_dated_in_the_future_is_emitted_but_the_bookmark_stops_at_the_run(
    sandbox, tmp_path
) -> None:
    account = sandbox.account_ids[2]
    started = datetime.now(timezone.utc).replace(microsecond=0)
    call_id = sandbox.add_call(account, started - timedelta(minutes=30))
    sandbox.inject(replace=[(started.strftime("%Y-%m-%dT").encode(), b"2999-01-01T")],
                   path_contains=f"{account}/calls.json")  # fmt: skip
    output = run_cli(tmp_path, tap_config(start_date="today-2"), select={"calls"})
    assert output.exit_code == 0
    future = [c for c in output.records("calls") if c["id"] == call_id]
    assert future[0]["start_time"].startswith("2999-01-01")
    partition = next(
        p
        for p in state_of(output)["bookmarks"]["calls"]["partitions"]
        if p["context"]["account_id"] == account
    )
    assert started.isoformat() <= partition["replication_key_value"] < "2999"
    sandbox.delete_call(call_id)


def test_a_refused_account_list_fails_the_run(sandbox, tmp_path) -> None:
    sandbox.inject(403, path_contains="/a.json")
    output = run_cli(tmp_path, tap_config())
    assert_fails_in_one_line(output, "403", "accounts")
    assert output.records("calls") == []


def test_a_page_that_comes_twice_stops_the_run_without_duplicates(busy, tmp_path) -> None:
    busy.inject(replay=True, count=2, path_contains="calls.json")
    config = {**tap_config(start_date="today-30"), "api_url": busy.api_url}
    output = run_command("tap-callrail", tmp_path, config, select={"calls"})
    assert_fails_in_one_line(output, "calls", "same page")
    ids = [record["id"] for record in output.records("calls")]
    assert ids
    assert len(ids) == len(set(ids))


def test_a_next_page_link_that_comes_again_stops_the_run(busy, tmp_path) -> None:
    busy.inject(replace=[(b"offset=2", b"offset=1")], path_contains="offset=1")
    config = {**tap_config(start_date="today-30"), "api_url": busy.api_url}
    output = run_command("tap-callrail", tmp_path, config, select={"calls"})
    assert_fails_in_one_line(output, "calls", "next-page")
    ids = [record["id"] for record in output.records("calls")]
    assert len(ids) == len(set(ids))


def test_a_body_trickled_past_the_timeout_is_abandoned_and_retried(sandbox, tmp_path) -> None:
    sandbox.inject(trickle=0.2, path_contains="users.json")  # about 20 s for one page
    output = run_cli(tmp_path, tap_config(request_timeout=1), select={"users"})
    assert output.exit_code == 0
    assert "Retrying users" in output.log
    assert len(output.records("users")) > 0


def test_an_error_body_that_echoes_the_key_is_masked(sandbox, tmp_path) -> None:
    sandbox.inject(400, body={"error": f"Unknown key {API_KEY} for this account"})
    output = run_cli(tmp_path, tap_config())
    line = assert_fails_in_one_line(output, "400")
    assert "***" in line
    assert_key_kept(output)


def test_a_record_without_its_key_stops_the_run(sandbox, tmp_path) -> None:
    # Every account's users: whichever the accounts read at once reach first, the run stops.
    sandbox.inject(
        replace=[(b'{"id": "USR', b'{"uid": "USR')],
        path_contains="users.json",
        count=len(sandbox.account_ids),
    )
    output = run_cli(tmp_path, tap_config(), select={"users"})
    assert_fails_in_one_line(output, "users", "without id")


def test_a_bad_byte_becomes_a_replacement_character_with_one_warning(sandbox, tmp_path) -> None:
    sandbox.inject(
        replace=[(b'"first_name": "', b'"first_name": "\xff')], path_contains="users.json"
    )
    output = run_cli(tmp_path, tap_config(), select={"users"})
    assert output.exit_code == 0
    damaged = [u for u in output.records("users") if u["first_name"].startswith("\ufffd")]
    assert damaged
    warnings = [line for line in output.log.splitlines() if "not UTF-8" in line]
    assert len(warnings) == 1
    assert f"{len(damaged)} records" in warnings[0]


def test_only_the_required_settings_are_enough(sandbox, tmp_path) -> None:
    config = {"api_key": API_KEY, "start_date": "today-3", "api_url": API_URL}
    output = run_cli(tmp_path, config)
    assert output.exit_code == 0
    assert output.records("calls")


def test_every_record_matches_the_schema_the_tap_emits(sandbox, tmp_path) -> None:
    output = run_cli(tmp_path, tap_config(start_date="today-40"))
    schemas = {m["stream"]: m["schema"] for m in output.messages if m["type"] == "SCHEMA"}
    assert set(schemas) == {
        stream.name for stream in TapCallRail(config=tap_config()).streams.values()
    }
    for stream, schema in schemas.items():
        validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
        records = output.records(stream)
        assert records, stream
        for record in records:
            errors = list(validator.iter_errors(record))
            assert not errors, (stream, errors[0].message)
