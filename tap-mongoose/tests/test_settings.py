"""Bad settings: one line naming the setting, exit 1, no traceback, no request sent."""

import subprocess

import pytest
from mongoose_harness import API_KEY, run_cli, tap_config
from tap_mongoose.tap import TapMongoose

from sandbox.taprun import tap_command


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"username": None}, "username"),
        ({"api_key": None}, "api_key"),
        ({"api_url": "ftp://mongoose.example"}, "api_url"),
        ({"auth_method": "oauth"}, "auth_method"),
        ({"response_format": "csv"}, "response_format"),
        ({"start_date": "last tuesday"}, "start_date"),
        ({"start_date": None}, "start_date"),
        ({"end_date": "2026-02-30"}, "end_date"),
        ({"start_date": "today-3", "end_date": "today-10"}, "end_date"),
        ({"account_timezone": "Mars/Olympus_Mons"}, "account_timezone"),
        ({"window_days": 32}, "window_days"),
        ({"window_days": 0}, "window_days"),
        ({"page_size": 1001}, "page_size"),
        ({"lookback_days": -1}, "lookback_days"),
        ({"fulfilled_path": "get_fulfilled"}, "fulfilled_path"),
    ],
)
def test_bad_setting_fails_before_any_request(sandbox, tmp_path, overrides, named) -> None:
    config = {k: v for k, v in tap_config(**overrides).items() if v is not None}
    output = run_cli(tmp_path, config)
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    error_lines = [line for line in output.log.splitlines() if "ERROR" in line]
    assert len(error_lines) == 1, error_lines
    assert named in error_lines[0]
    assert sandbox.requests == []


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"end_date": "9999-12-31"}, "end_date"),
        ({"start_date": "12/31/2025"}, "start_date"),
        ({"start_date": 1e30}, "start_date"),
        ({"lookback_days": 1e30}, "lookback_days"),
        ({"lookback_days": 10**30}, "lookback_days"),
        ({"request_timeout": 10**30}, "request_timeout"),
        ({"max_retry_seconds": 10**30}, "max_retry_seconds"),
        ({"api_url": "http://api.mongoosemetrics.example/api/v2"}, "api_url"),
        ({"api_url": "http://169.254.169.254/latest"}, "api_url"),
        ({"api_url": "https://[fe80::1]/api/v2"}, "api_url"),
        ({"api_url": "https://[fd00:ec2::254]/api/v2"}, "api_url"),
    ],
)
def test_absurd_setting_fails_with_one_line(sandbox, tmp_path, overrides, named) -> None:
    output = run_cli(tmp_path, tap_config(**overrides))
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    error_lines = [line for line in output.log.splitlines() if "| ERROR" in line]
    assert len(error_lines) == 1
    assert named in error_lines[0]
    assert sandbox.requests == []


def test_a_secret_of_the_wrong_type_is_not_echoed(sandbox, tmp_path) -> None:
    output = run_cli(tmp_path, tap_config(api_key=987654321987))
    assert output.exit_code == 1
    assert "api_key" in output.log
    assert "987654321987" not in output.log


@pytest.mark.parametrize(
    ("file", "text", "named"),
    [
        ("config.json", "{not json", "config"),
        ("config.json", "[1, 2]", "config"),
        ("state.json", "{not json", "state"),
        ("state.json", '"a string"', "state"),
        ("state.json", '{"bookmarks": [1, 2]}', "state"),
    ],
)
def test_a_file_that_is_not_json_fails_with_one_line(sandbox, tmp_path, file, text, named) -> None:
    command = tap_command("tap-mongoose", tmp_path, tap_config(), state={})
    (tmp_path / file).write_text(text)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    error_lines = [line for line in done.stderr.splitlines() if "| ERROR" in line]
    assert len(error_lines) == 1
    assert named in error_lines[0]
    assert API_KEY not in done.stderr + done.stdout
    assert sandbox.requests == []


@pytest.mark.parametrize(
    ("stream", "key", "value"),
    [("fulfilled", "call_started_at", "last tuesday"), ("customers", "report_date", [2025, 6, 1])],
)
def test_a_bookmark_that_is_not_a_date_fails_with_one_line_naming_the_stream(
    sandbox, tmp_path, stream, key, value
) -> None:
    state = {"bookmarks": {stream: {"replication_key": key, "replication_key_value": value}}}
    output = run_cli(tmp_path, tap_config(), state=state, select={stream})
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    error_lines = [line for line in output.log.splitlines() if "| ERROR" in line]
    assert len(error_lines) == 1
    assert stream in error_lines[0]
    assert str(value) in error_lines[0]
    assert output.records(stream) == []
    assert sandbox.requests == []


def test_missing_api_url_fails_naming_it(sandbox, tmp_path) -> None:
    config = {k: v for k, v in tap_config().items() if k != "api_url"}
    output = run_cli(tmp_path, config)
    assert output.exit_code == 1
    (error_line,) = [line for line in output.log.splitlines() if "ERROR" in line]
    assert "setting 'api_url' is required" in error_line
    assert sandbox.requests == []


CONTRACT_DEFAULTS = {
    "username": None,
    "api_key": None,
    "api_url": None,  # no guessed default
    "auth_method": "basic",
    "response_format": "json",
    "fulfilled_path": "/get_fulfilled",
    "customer_report_path": "/customer_report",
    "start_date": None,
    "end_date": None,
    "account_timezone": "America/New_York",
    "window_days": 31,
    "lookback_days": 3,
    "page_size": 1000,
}


def test_settings_and_defaults_follow_the_contract() -> None:
    properties = TapMongoose.config_jsonschema["properties"]
    assert {name: properties[name].get("default") for name in CONTRACT_DEFAULTS} == (
        CONTRACT_DEFAULTS
    )
    assert {"username", "api_key", "api_url"} <= set(TapMongoose.config_jsonschema["required"])
    assert properties["api_key"].get("secret") is True
    assert properties["window_days"]["maximum"] == 31
    assert properties["page_size"]["maximum"] == 1000
