"""Rate limits, server errors, dropped connections, refused keys and gated endpoints."""

from callrail_harness import API_KEY, run_cli, sync, tap_config

QUICK_RETRIES = {"start_date": "today-5"}


def test_rate_limited_requests_are_retried_after_retry_after(sandbox) -> None:
    clean = sync(tap_config(**QUICK_RETRIES), select={"calls", "users"})
    sandbox.inject(429, count=3, retry_after=1, path_contains="/calls.json")
    sandbox.inject(429, count=1, retry_after=0, path_contains="/users.json")
    sandbox.clear_log()
    retried = sync(tap_config(**QUICK_RETRIES), select={"calls", "users"})
    assert [r.status for r in sandbox.requests if r.path.endswith("/calls.json")][:4] == [
        429,
        429,
        429,
        200,
    ]
    assert retried.by_stream() == clean.by_stream()


def test_server_errors_and_dropped_connections_are_retried(sandbox) -> None:
    clean = sync(tap_config(**QUICK_RETRIES), select={"calls", "tags"})
    sandbox.inject(503, count=1, path_contains="/calls.json")
    sandbox.inject(500, count=1, path_contains="/tags.json")
    sandbox.inject(drop=True, count=1, path_contains="/calls.json")
    retried = sync(tap_config(**QUICK_RETRIES), select={"calls", "tags"})
    assert retried.by_stream() == clean.by_stream()


def test_a_request_that_times_out_is_retried(sandbox, caplog) -> None:
    clean = sync(tap_config(**QUICK_RETRIES), select={"users"})
    sandbox.inject(delay=3, count=1, path_contains="/users.json")
    retried = sync(tap_config(request_timeout=1, **QUICK_RETRIES), select={"users"})
    retries = [r.getMessage() for r in caplog.records if "Retrying users" in r.getMessage()]
    assert len(retries) == 1
    assert "timed out" in retries[0]
    assert retried.by_stream() == clean.by_stream()


def test_rate_limit_longer_than_the_retry_limit_fails_with_one_line(sandbox, tmp_path) -> None:
    sandbox.inject(429, count=50, retry_after=1, path_contains="/a.json")
    output = run_cli(tmp_path, tap_config(max_retries=2))
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    assert "HTTP 429" in output.log.splitlines()[-1]


def test_rejected_key_stops_at_once_with_one_line(sandbox, tmp_path) -> None:
    output = run_cli(tmp_path, tap_config(api_key="not-a-key"))
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    assert "rejected the API key" in output.log.splitlines()[-1]
    assert len(sandbox.requests) == 1


def test_gated_caller_ids_are_skipped_with_a_warning_naming_stream_and_account(
    sandbox, caplog
) -> None:
    output = sync(tap_config(), select={"companies", "caller_ids", "users"})
    gated = sandbox.gated_account_id
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("caller_ids" in w and gated in w for w in warnings)
    assert {r["account_id"] for r in output.records("caller_ids")} == set(sandbox.account_ids) - {
        gated
    }
    assert {r["account_id"] for r in output.records("users")} == set(sandbox.account_ids)


def test_the_key_never_reaches_output_logs_or_state(sandbox, tmp_path) -> None:
    sandbox.inject(429, count=1, retry_after=0, path_contains="/calls.json")
    sandbox.inject(500, count=1, path_contains="/companies.json")
    sandbox.inject(drop=True, count=1, path_contains="/users.json")
    output = run_cli(tmp_path, tap_config(start_date="today-3"))
    assert output.exit_code == 0
    assert output.messages
    assert API_KEY not in output.stdout
    assert API_KEY not in output.log
    assert "DEBUG" in output.log  # the most talkative level was on


def test_a_rejected_key_is_not_echoed(sandbox, tmp_path) -> None:
    output = run_cli(tmp_path, tap_config(api_key="wrong-" + API_KEY))
    assert API_KEY not in output.log + output.stdout
