"""Bad settings: one line naming the setting, exit 1, no traceback, no request sent."""

import subprocess

import pytest
from callrail_harness import run_cli, tap_config

from sandbox.taprun import tap_command


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"api_key": None}, "api_key"),
        ({"start_date": "last tuesday"}, "start_date"),
        ({"start_date": None}, "start_date"),
        ({"end_date": "2026-02-30"}, "end_date"),
        ({"start_date": "today-3", "end_date": "today-10"}, "end_date"),
        ({"summary_group_by": ["source", "weather"]}, "summary_group_by"),
        ({"timeseries_interval": "fortnight"}, "timeseries_interval"),
        ({"summary_interval": "quarter"}, "summary_interval"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"user_ids": "USR1"}, "user_ids"),
        ({"lookback_days": -1}, "lookback_days"),
    ],
)
def test_bad_setting_fails_before_any_request(sandbox, tmp_path, overrides, named) -> None:
    config = {k: v for k, v in tap_config(**overrides).items() if v is not None}
    output = run_cli(tmp_path, config)
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    error_lines = [line for line in output.log.splitlines() if "ERROR" in line]
    assert len(error_lines) == 1
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
        ({"api_url": "http://api.callrail.example/v3"}, "api_url"),
        ({"api_url": "http://169.254.169.254/latest"}, "api_url"),
        ({"api_url": "https://[fe80::1]/v3"}, "api_url"),
        ({"api_url": "https://[fd00:ec2::254]/v3"}, "api_url"),
        ({"api_url": "ftp://127.0.0.1/v3"}, "api_url"),
    ],
)
def test_absurd_setting_fails_with_one_line(sandbox, tmp_path, overrides, named) -> None:
    output = run_cli(tmp_path, tap_config(**overrides))
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    error_lines = [line for line in output.log.splitlines() if "ERROR" in line]
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
    command = tap_command("tap-callrail", tmp_path, tap_config(), state={})
    (tmp_path / file).write_text(text)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    error_lines = [line for line in done.stderr.splitlines() if "ERROR" in line]
    assert len(error_lines) == 1
    assert named in error_lines[0]
    assert sandbox.requests == []


def test_a_bookmark_that_is_not_a_date_fails_with_one_line_naming_the_stream(
    sandbox, tmp_path
) -> None:
    state = {
        "bookmarks": {
            "calls": {
                "partitions": [
                    {
                        "context": {"account_id": sandbox.account_ids[0]},
                        "replication_key": "start_time",
                        "replication_key_value": "last tuesday",
                    }
                ]
            }
        }
    }
    output = run_cli(tmp_path, tap_config(), state=state)
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    assert "calls" in output.log.splitlines()[-1]
    assert "last tuesday" in output.log.splitlines()[-1]
