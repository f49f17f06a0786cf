"""Bad settings: one line naming the setting, exit 1, no traceback, no request sent."""

import pytest
from mongoose_harness import run_cli, tap_config
from tap_mongoose.tap import TapMongoose


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
    "window_days": 1,
    "lookback_days": 3,
    "page_size": 500,
}


def test_settings_and_defaults_follow_the_contract() -> None:
    properties = TapMongoose.config_jsonschema["properties"]
    assert {name: properties[name].get("default") for name in CONTRACT_DEFAULTS} == (
        CONTRACT_DEFAULTS
    )
    assert {"username", "api_key", "api_url", "start_date"} <= set(
        TapMongoose.config_jsonschema["required"]
    )
    assert properties["api_key"].get("secret") is True
    assert properties["window_days"]["maximum"] == 31
    assert properties["page_size"]["maximum"] == 1000
