"""Bad settings: one line naming the setting, exit 1, no traceback, no request sent."""

import pytest
from callrail_harness import run_cli, tap_config


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
