"""Bad settings: one line naming the setting, exit 1, no traceback, no request sent."""

import json
import subprocess

import pytest
from clickpoint_harness import API_KEY, discovered_catalog, error_line, run_cli, tap_config

from sandbox.leadexec import MORTGAGE
from sandbox.taprun import executable, tap_command

BAD_SETTINGS = [
    ({"api_key": None}, "api_key"),
    ({"lead_type_ids": None}, "lead_type_ids"),
    ({"lead_type_ids": []}, "lead_type_ids"),
    ({"lead_type_ids": ["mortgage"]}, "lead_type_ids"),
    ({"start_date": "last tuesday"}, "start_date"),
    ({"start_date": None}, "start_date"),
    ({"end_date": "2026-02-30"}, "end_date"),
    ({"start_date": "today-3", "end_date": "today-10"}, "end_date"),
    ({"lookback_days": -1}, "lookback_days"),
    ({"page_size": 0}, "page_size"),
    ({"page_size": 5000}, "page_size"),
    ({"window_days": 0}, "window_days"),
    ({"source_timezone": "Pacific/Atlantis"}, "source_timezone"),
    ({"end_date": "9999-12-31"}, "end_date"),
    ({"start_date": "12/31/2025"}, "start_date"),
    ({"start_date": 1e30}, "start_date"),
    ({"lookback_days": 1e30}, "lookback_days"),
    ({"lookback_days": 10**30}, "lookback_days"),
    ({"window_days": 10**30}, "window_days"),
    ({"request_timeout": 10**30}, "request_timeout"),
    ({"lead_type_ids": [10**30]}, "lead_type_ids"),
    ({"api_url": "http://apidata.leadexec.example/"}, "api_url"),
    ({"api_url": "http://169.254.169.254/latest"}, "api_url"),
    ({"api_url": "https://[fe80::1]/"}, "api_url"),
    ({"api_url": "https://[fd00:ec2::254]/"}, "api_url"),
    ({"api_url": "ftp://127.0.0.1/"}, "api_url"),
]


def without_nones(config: dict) -> dict:
    return {k: v for k, v in config.items() if v is not None}


@pytest.mark.parametrize(("overrides", "named"), BAD_SETTINGS)
def test_bad_setting_fails_before_any_request(sandbox, tmp_path, overrides, named) -> None:
    output = run_cli(tmp_path, without_nones(tap_config(**overrides)))
    assert named in error_line(output)
    assert sandbox.requests == []


@pytest.mark.parametrize(
    ("overrides", "named"),
    [b for b in BAD_SETTINGS if b[1] in ("start_date", "lead_type_ids", "api_url")],
)
def test_bad_setting_fails_discovery_before_any_request(
    sandbox, tmp_path, overrides, named
) -> None:
    output = run_cli(tmp_path, without_nones(tap_config(**overrides)), None, "--discover")
    assert named in error_line(output)
    assert output.stdout == ""
    assert sandbox.requests == []


def test_about_lists_every_setting_with_secrets_marked() -> None:
    done = subprocess.run(
        [executable("tap-clickpoint"), "--about", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    )
    about = json.loads(done.stdout)
    settings = about["settings"]["properties"]
    assert {
        "api_key", "lead_type_ids", "start_date", "end_date", "lookback_days", "page_size",
        "source_timezone", "api_url",
    } <= set(settings)  # fmt: skip
    assert settings["api_key"].get("secret") is True
    assert settings["lookback_days"]["default"] == 2
    assert settings["page_size"]["default"] == 1000
    assert settings["source_timezone"]["default"] == "America/Los_Angeles"
    assert settings["api_url"]["default"] == "https://apidata.leadexec.net"
    assert set(about["settings"]["required"]) >= {"api_key", "lead_type_ids"}


def test_a_secret_of_the_wrong_type_is_not_echoed(sandbox, tmp_path) -> None:
    output = run_cli(tmp_path, tap_config(api_key=987654321987))
    assert "api_key" in error_line(output)
    assert "987654321987" not in output.log
    assert sandbox.requests == []


@pytest.mark.parametrize(
    ("file", "text", "named"),
    [
        ("config.json", "{not json", "config"),
        ("config.json", "[1, 2]", "config"),
        ("state.json", "{not json", "state"),
        ("state.json", '"a string"', "state"),
        ("state.json", '{"bookmarks": [1, 2]}', "state"),
        ("catalog.json", "{not json", "catalog"),
        ("catalog.json", "[]", "catalog"),
    ],
)
def test_a_file_that_is_not_json_fails_with_one_line(sandbox, tmp_path, file, text, named) -> None:
    command = tap_command("tap-clickpoint", tmp_path, tap_config(), state={})
    command += ["--catalog", str(tmp_path / "catalog.json")]
    (tmp_path / "catalog.json").write_text(json.dumps(discovered_catalog()))
    sandbox.clear_log()
    (tmp_path / file).write_text(text)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "| ERROR " in line]
    assert len(errors) == 1
    assert named in errors[0]
    assert done.stdout == ""
    assert sandbox.requests == []
    assert API_KEY not in done.stderr


@pytest.mark.parametrize("value", ["last tuesday", 12, ["2026-01-01"]])
def test_a_bookmark_that_is_not_a_date_fails_with_one_line_naming_the_stream(
    sandbox, tmp_path, value
) -> None:
    partition = {
        "context": {"lead_type_id": MORTGAGE.lid},
        "replication_key": "DateAdded",
        "replication_key_value": value,
    }
    state = {"bookmarks": {"leads": {"partitions": [partition]}}}
    output = run_cli(tmp_path, tap_config(lead_type_ids=[MORTGAGE.lid]), state)
    line = error_line(output)
    assert "bookmark for leads is not a date-time" in line
    assert output.records() == []
    assert not [q for q in sandbox.queries if q.params.get("sortorder") == "ASC"]
