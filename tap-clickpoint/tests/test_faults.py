"""Server errors, rate limits, dropped connections, refused keys, a secret key."""

from clickpoint_harness import API_KEY, error_line, run_cli, sync, tap_config

RECENT = {"start_date": "today-5"}


def test_server_errors_rate_limits_and_dropped_connections_are_retried(sandbox) -> None:
    clean = sync(tap_config(**RECENT))
    # A dropped connection waits a second; the others say Retry-After: 0.
    sandbox.inject(drop=True, count=1)
    sandbox.inject(503, count=2, retry_after=0)
    sandbox.inject(500, count=1, retry_after=0)
    sandbox.inject(429, count=1, retry_after=0)
    sandbox.clear_log()
    retried = sync(tap_config(**RECENT))
    assert [r.status for r in sandbox.requests][:6] == [0, 503, 503, 500, 429, 200]
    assert retried.records() == clean.records()


def test_a_request_that_times_out_is_retried(sandbox, caplog) -> None:
    clean = sync(tap_config(**RECENT))
    sandbox.inject(delay=3, count=1)
    retried = sync(tap_config(request_timeout=1, **RECENT))
    retries = [r.getMessage() for r in caplog.records if "Retrying leads" in r.getMessage()]
    assert len(retries) == 1
    assert "timed out" in retries[0]
    assert retried.records() == clean.records()


def test_an_error_in_an_ok_answer_stops_with_one_line(sandbox, tmp_path) -> None:
    sandbox.inject(200, count=50, body={"Error": "Account suspended"})
    output = run_cli(tmp_path, tap_config(**RECENT))
    assert "Account suspended" in error_line(output)
    assert len(sandbox.requests) == 1


def test_failures_beyond_the_retry_limit_fail_with_one_line(sandbox, tmp_path) -> None:
    sandbox.inject(503, count=50, retry_after=0)
    output = run_cli(tmp_path, tap_config(max_retries=2, **RECENT))
    assert "HTTP 503" in error_line(output)
    assert len(sandbox.requests) == 3


def test_rejected_key_stops_at_once_with_one_line(sandbox, tmp_path) -> None:
    output = run_cli(tmp_path, tap_config(api_key="not-a-key"))
    assert "rejected the API key" in error_line(output)
    assert len(sandbox.requests) == 1


def test_rejected_key_fails_discovery_with_one_line(sandbox, tmp_path) -> None:
    output = run_cli(tmp_path, tap_config(api_key="not-a-key"), None, "--discover")
    assert "rejected the API key" in error_line(output)
    assert output.stdout == ""
    assert len(sandbox.requests) == 1


def test_unknown_lead_type_stops_with_one_line_naming_it(sandbox, tmp_path) -> None:
    output = run_cli(tmp_path, tap_config(lead_type_ids=[*sandbox.lead_type_ids, 9999]))
    line = error_line(output)
    assert "lead type 9999" in line
    assert "HTTP 400" in line


def test_the_key_travels_only_in_the_form_body(sandbox) -> None:
    sync(tap_config(**RECENT))
    assert sandbox.queries
    for query in sandbox.queries:
        assert query.method == "POST"
        assert API_KEY not in query.target
        assert query.target == "/"
        assert query.params["key"] == API_KEY
    assert all(r.query == {} for r in sandbox.requests)


def test_the_key_never_reaches_output_logs_or_state(sandbox, tmp_path) -> None:
    sandbox.inject(drop=True, count=1)
    sandbox.inject(429, count=1, retry_after=0)
    sandbox.inject(500, count=1, retry_after=0)
    output = run_cli(tmp_path, tap_config(start_date="today-3"))
    assert output.exit_code == 0
    assert output.messages
    assert API_KEY not in output.stdout
    assert API_KEY not in output.log
    assert "DEBUG" in output.log  # the most talkative level was on


def test_a_rejected_key_is_not_echoed(sandbox, tmp_path) -> None:
    output = run_cli(tmp_path, tap_config(api_key="wrong-" + API_KEY))
    assert output.exit_code == 1
    assert API_KEY not in output.log + output.stdout
