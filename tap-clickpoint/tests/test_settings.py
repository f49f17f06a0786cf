"""Bad settings: one line naming the setting, exit 1, no traceback, no request sent."""

import json
import subprocess

import pytest
from clickpoint_harness import run_cli, tap_config

from sandbox.taprun import executable

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
]


def without_nones(config: dict) -> dict:
    return {k: v for k, v in config.items() if v is not None}


@pytest.mark.parametrize(("overrides", "named"), BAD_SETTINGS)
def test_bad_setting_fails_before_any_request(sandbox, tmp_path, overrides, named) -> None:
    output = run_cli(tmp_path, without_nones(tap_config(**overrides)))
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    error_lines = [line for line in output.log.splitlines() if "ERROR" in line]
    assert len(error_lines) == 1
    assert named in error_lines[0]
    assert sandbox.requests == []


@pytest.mark.parametrize(
    ("overrides", "named"), [b for b in BAD_SETTINGS if b[1] in ("start_date", "lead_type_ids")]
)
def test_bad_setting_fails_discovery_before_any_request(
    sandbox, tmp_path, overrides, named
) -> None:
    output = run_cli(tmp_path, without_nones(tap_config(**overrides)), None, "--discover")
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    assert named in output.log
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
