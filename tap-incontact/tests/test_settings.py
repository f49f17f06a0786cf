"""Bad settings fail before any request with one line; no secret ever reaches the output."""

import pytest
from incontact_harness import SECRETS, cxone_config, run_cli, tap_config


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
