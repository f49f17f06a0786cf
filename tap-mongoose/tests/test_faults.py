"""Rate limits, server errors, dropped connections, refusals, strange answers, and the key."""

import pytest
import requests
from mongoose_harness import API_KEY, BASIC_KEY, USERNAME, run_cli, sync, tap_config
from singer_sdk.exceptions import RetriableAPIError
from tap_mongoose.client import RETRY_WAITS

from sandbox.mongoose import MongooseSandbox

QUICK = {"start_date": "today-4"}


def response(status: int, retry_after: str | None = None) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    if retry_after is not None:
        answer.headers["Retry-After"] = retry_after
    return answer


def last_line(log: str) -> str:
    return log.strip().splitlines()[-1]


def test_rate_limit_waits_honour_retry_after_else_a_minute() -> None:
    assert RETRY_WAITS(RetriableAPIError("429", response(429, "17")), 0) == 17
    assert RETRY_WAITS(RetriableAPIError("429", response(429)), 3) == 60
    server_error = RetriableAPIError("503", response(503))
    assert [RETRY_WAITS(server_error, n) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_rate_limited_requests_are_retried_after_retry_after(sandbox) -> None:
    clean = sync(tap_config(**QUICK))
    sandbox.inject(429, count=2, retry_after=0, path_contains="/get_fulfilled")
    sandbox.inject(429, count=1, retry_after=0, path_contains="/customer_report")
    sandbox.clear_log()
    retried = sync(tap_config(**QUICK))
    statuses = [r.status for r in sandbox.requests if r.path.endswith("/get_fulfilled")]
    assert statuses[:3] == [429, 429, 200]
    assert retried.by_stream() == clean.by_stream()


def test_the_per_minute_limit_is_waited_out() -> None:
    with MongooseSandbox(username=USERNAME, api_key=API_KEY, rate_limit_per_minute=4) as busy:
        busy.rate_limiter.window = 1.0  # a one-second "minute", so the test waits little
        config = tap_config(api_url=busy.api_url, start_date="today-5", window_days=1)
        output = sync(config)
        answers = [r.status for r in busy.requests]
        assert 429 in answers
        assert answers.count(200) == 12  # six days, two reports, one request each
        assert len(output.records("customers")) == 6 * len(busy.account_codes)


def test_server_errors_and_dropped_connections_are_retried(sandbox) -> None:
    clean = sync(tap_config(**QUICK))
    sandbox.inject(503, count=1, path_contains="/get_fulfilled")
    sandbox.inject(500, count=1, path_contains="/customer_report")
    sandbox.inject(drop=True, count=1, path_contains="/get_fulfilled")
    retried = sync(tap_config(**QUICK))
    assert retried.by_stream() == clean.by_stream()


def test_a_request_that_times_out_is_retried(sandbox, caplog) -> None:
    clean = sync(tap_config(start_date="today-1"), select={"customers"})
    sandbox.inject(delay=3, count=1, path_contains="/customer_report")
    retried = sync(tap_config(start_date="today-1", request_timeout=1), select={"customers"})
    retries = [r.getMessage() for r in caplog.records if "Retrying customers" in r.getMessage()]
    assert len(retries) == 1
    assert "timed out" in retries[0]
    assert retried.by_stream() == clean.by_stream()


def test_rate_limit_longer_than_the_retry_limit_fails_with_one_line(sandbox, tmp_path) -> None:
    sandbox.inject(429, count=50, retry_after=0, path_contains="/api/v2/")
    output = run_cli(tmp_path, tap_config(max_retries=2))
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    assert "HTTP 429" in last_line(output.log)


def test_rejected_key_stops_at_once_with_one_line(sandbox, tmp_path) -> None:
    output = run_cli(tmp_path, tap_config(api_key="not-a-key"))
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    assert "AUTH_FAILED" in last_line(output.log)
    assert "check the username and api_key" in last_line(output.log)
    assert len(sandbox.requests) == 1


def test_a_v1_key_fails_with_a_hint_about_v2_keys(sandbox, tmp_path) -> None:
    output = run_cli(tmp_path, tap_config(api_key=sandbox.v1_api_key))
    assert output.exit_code == 1
    assert "API_ACCESS_DISABLED" in last_line(output.log)
    assert "enable API access in the Mongoose portal" in last_line(output.log)
    assert len(sandbox.requests) == 1


def test_a_wrong_path_fails_naming_the_path_settings(sandbox, tmp_path) -> None:
    output = run_cli(tmp_path, tap_config(fulfilled_path="/get_fulfilled_v9"))
    assert output.exit_code == 1
    assert "NOT_FOUND" in last_line(output.log)
    assert "fulfilled_path" in last_line(output.log)


def test_an_answer_outside_the_contract_fails_pointing_at_contract_py(sandbox, tmp_path) -> None:
    sandbox.inject(200, body={"data": []}, path_contains="/customer_report")
    output = run_cli(tmp_path, tap_config())
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    assert "tap_mongoose/contract.py" in last_line(output.log)


def test_the_key_never_reaches_output_logs_or_state(sandbox, tmp_path) -> None:
    for auth_method in ("basic", "params"):
        sandbox.inject(429, count=1, retry_after=0, path_contains="/get_fulfilled")
        sandbox.inject(500, count=1, path_contains="/customer_report")
        sandbox.inject(drop=True, count=1, path_contains="/customer_report")
        output = run_cli(tmp_path, tap_config(start_date="today-2", auth_method=auth_method))
        assert output.exit_code == 0
        assert output.states
        for secret in (API_KEY, BASIC_KEY):
            assert secret not in output.stdout  # records and state
            assert secret not in output.log
        assert "DEBUG" in output.log  # the most talkative level was on
        assert "/get_fulfilled?" in output.log  # urllib3's lines, which show the URL, were on
        if auth_method == "params":
            assert "api_key=***" in output.log  # where the key was, masked
    # The key did travel in the query string, where the logs would have shown it.
    assert any(r.query.get("api_key") == [API_KEY] for r in sandbox.requests)


@pytest.mark.parametrize("auth_method", ["basic", "params"])
def test_an_unreachable_host_is_one_line_without_the_key(tmp_path, auth_method) -> None:
    with MongooseSandbox() as closed:
        url = closed.api_url
    config = tap_config(api_url=url, auth_method=auth_method, max_retries=1, start_date="today")
    output = run_cli(tmp_path, config)
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    error_lines = [line for line in output.log.splitlines() if "| ERROR" in line]
    assert len(error_lines) == 1
    assert "cannot reach 127.0.0.1: the connection was refused" in error_lines[0]
    assert "DEBUG" in output.log
    for secret in (API_KEY, BASIC_KEY):
        assert secret not in output.log + output.stdout


def test_a_rejected_key_is_not_echoed(sandbox, tmp_path) -> None:
    for auth_method in ("basic", "params"):
        config = tap_config(api_key="wrong-" + API_KEY, auth_method=auth_method)
        output = run_cli(tmp_path, config)
        assert output.exit_code == 1
        assert API_KEY not in output.log + output.stdout
        assert "AUTH_FAILED" in last_line(output.log)
