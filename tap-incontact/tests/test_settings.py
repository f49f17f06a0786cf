"""Bad settings fail before any request with one line; no secret ever reaches the output."""

import subprocess

import pytest
from incontact_harness import SECRETS, cxone_config, error_line, run_cli, tap_config

from sandbox.taprun import tap_command


@pytest.mark.parametrize(
    ("config", "named"),
    [
        (tap_config(password=None), "password"),
        (tap_config(business_unit=None), "business_unit"),
        (cxone_config(access_key_secret=None), "access_key_secret"),
        (tap_config(auth_method="saml"), "auth_method"),
        (tap_config(start_date="soon"), "start_date"),
        (tap_config(start_date="today", end_date="today-4"), "end_date"),
        (tap_config(performance_interval="5m"), "performance_interval"),
        (tap_config(api_version="latest"), "api_version"),
        (tap_config(data_download_window_days=45), "data_download_window_days"),
        (tap_config(time_zone="Mars/Olympus_Mons"), "time_zone"),
    ],
)
def test_bad_setting_fails_before_any_request(sandbox, tmp_path, config, named) -> None:
    config = {k: v for k, v in config.items() if v is not None}
    output = run_cli(tmp_path, config)
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    errors = [line for line in output.log.splitlines() if "ERROR" in line]
    assert len(errors) == 1
    assert named in errors[0]
    assert sandbox.requests == []


@pytest.mark.parametrize("make_config", [tap_config, cxone_config])
def test_no_secret_reaches_output_logs_or_state(sandbox, tmp_path, make_config) -> None:
    sandbox.inject(429, count=1, retry_after=0, path_contains="/agents")
    sandbox.inject(500, count=1, path_contains="/teams")
    sandbox.inject(drop=True, count=1, path_contains="/skills")
    sandbox.expire_tokens()
    output = run_cli(tmp_path, make_config())
    assert output.exit_code == 0, output.log[-2000:]
    assert output.messages
    assert "DEBUG" in output.log
    tokens = sandbox.issued_tokens()
    for secret in (*SECRETS, *tokens):
        assert secret not in output.stdout
        assert secret not in output.log


def test_a_refused_password_is_not_echoed(sandbox, tmp_path) -> None:
    output = run_cli(tmp_path, tap_config(password="wrong-" + SECRETS[0]))
    assert output.exit_code == 1
    assert SECRETS[0] not in output.log + output.stdout


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"end_date": "9999-12-31"}, "end_date"),
        ({"start_date": "12/31/2025"}, "start_date"),
        ({"start_date": 1e30}, "start_date"),
        ({"lookback_minutes": 1e30}, "lookback_minutes"),
        ({"lookback_minutes": 10**30}, "lookback_minutes"),
        ({"page_size": 10**30}, "page_size"),
        ({"report_poll_seconds": 1e30}, "report_poll_seconds"),
        ({"request_timeout": 10**30}, "request_timeout"),
        ({"custom_report_ids": [1e30]}, "custom_report_ids"),
        ({"auth_url": "http://api.incontact.example/InContactAuthorizationServer/Token"},
         "auth_url"),
        ({"auth_url": "http://169.254.169.254/latest/meta-data"}, "auth_url"),
        ({"api_base_url": "https://[fd00:ec2::254]/inContactAPI/"}, "api_base_url"),
        ({"api_base_url": "ftp://127.0.0.1/inContactAPI/"}, "api_base_url"),
    ],
)  # fmt: skip
def test_absurd_setting_fails_with_one_line(sandbox, tmp_path, overrides, named) -> None:
    output = run_cli(tmp_path, tap_config(**overrides))
    assert named in error_line(output)
    assert sandbox.requests == []


@pytest.mark.parametrize("issuer", ["https://[fe80::1]", "http://cxone.niceincontact.example"])
def test_an_unsafe_cxone_issuer_fails_with_one_line(sandbox, tmp_path, issuer) -> None:
    output = run_cli(tmp_path, cxone_config(cxone_issuer=issuer))
    assert "cxone_issuer" in error_line(output)
    assert sandbox.requests == []


def test_a_secret_of_the_wrong_type_is_not_echoed(sandbox, tmp_path) -> None:
    output = run_cli(tmp_path, tap_config(password=987654321987))
    assert "setting 'password' must be of type string" in error_line(output)
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
    command = tap_command("tap-incontact", tmp_path, tap_config(), state={})
    (tmp_path / file).write_text(text)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "| ERROR " in line]
    assert len(errors) == 1
    assert named in errors[0]
    assert done.stdout == ""
    assert sandbox.requests == []


@pytest.mark.parametrize(
    ("stream", "value"),
    [("contacts", "last tuesday"), ("agent_performance", 42), ("contacts", "2025-13-45")],
)
def test_a_bookmark_that_is_not_a_date_fails_with_one_line_naming_the_stream(
    sandbox, tmp_path, stream, value
) -> None:
    key = "lastUpdateTime" if stream == "contacts" else "interval_start"
    state = {"bookmarks": {stream: {"replication_key": key, "replication_key_value": value}}}
    output = run_cli(tmp_path, tap_config(), state=state, select={stream})
    line = error_line(output)
    assert f"the state's bookmark for {stream} is not a date-time: {str(value)!r}" in line
    assert output.records(stream) == []
    assert not [r for r in sandbox.requests if "/inContactAPI/" in r.path]
