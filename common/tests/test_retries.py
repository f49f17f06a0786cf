"""How long retries wait, and which failures are retried how often."""

import logging
import typing as t

import pytest
import requests
from singer_sdk.exceptions import RetriableAPIError
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

from common.retries import (
    RetryWaits,
    is_unreachable,
    log_retry,
    retrying,
    unreachable_message,
    waits,
)
from common.tests.test_base import TapExample, run
from sandbox.core.server import SandboxServer


def response(status: int, retry_after: str | None = None) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    if retry_after is not None:
        answer.headers["Retry-After"] = retry_after
    return answer


def test_retry_after_wins_else_waits_double_up_to_their_ceiling() -> None:
    hourly = RetryWaits(rate_limit_first=60, rate_limit_most=900)
    assert hourly(RetriableAPIError("429", response(429, "17")), 0) == 17
    limited = RetriableAPIError("429", response(429))
    assert [hourly(limited, n) for n in range(6)] == [60, 120, 240, 480, 900, 900]
    failed = RetriableAPIError("503", response(503))
    assert [hourly(failed, n) for n in range(3)] == [1, 2, 4]


def test_rate_limits_and_other_failures_count_their_attempts_apart() -> None:
    wait = waits(RetryWaits(rate_limit_first=60, rate_limit_most=900))
    next(wait)
    limited = RetriableAPIError("429", response(429))
    failed = RetriableAPIError("503", response(503))
    assert [wait.send(e) for e in (limited, failed, limited, failed, failed)] == [60, 1, 120, 2, 4]


def _connection_error(reason: Exception) -> requests.ConnectionError:
    return requests.ConnectionError(MaxRetryError(None, "/", reason))  # type: ignore[arg-type]


def test_a_host_that_cannot_be_reached_is_told_apart_from_a_dropped_connection() -> None:
    unknown = _connection_error(NameResolutionError("api.example", None, "no such host"))  # type: ignore[arg-type]
    refused = _connection_error(NewConnectionError(None, "refused"))  # type: ignore[arg-type]
    dropped = requests.ConnectionError("Connection aborted: RemoteDisconnected")
    assert is_unreachable(unknown)
    assert is_unreachable(refused)
    assert not is_unreachable(dropped)
    assert "api.example.com" in unreachable_message(unknown, "https://api.example.com/v3/a.json")
    assert "does not resolve" in unreachable_message(unknown, "https://api.example.com/")
    assert "refused" in unreachable_message(refused, "http://127.0.0.1:9/")


class SignIn:
    """Not a stream: a tap's own sign-in, which retries with the same settings and waits."""

    name = "sign-in"
    logger = logging.getLogger("test.sign-in")

    def __init__(self) -> None:
        self.config = {"max_retries": 2, "max_retry_seconds": 60}
        self.calls = 0

    def backoff_wait_generator(self) -> t.Generator[float, t.Any, None]:
        return waits(RetryWaits(rate_limit_first=0, other_first=0))

    def backoff_handler(self, details: t.Any) -> None:
        log_retry(self, details)

    def token(self) -> str:
        self.calls += 1
        raise RetriableAPIError("503", response(503))


def test_anything_that_sends_requests_is_retried_within_its_settings(caplog) -> None:
    sign_in = SignIn()
    with pytest.raises(RetriableAPIError):
        retrying(sign_in, sign_in.token)()
    assert sign_in.calls == 3
    assert [r.getMessage()[:23] for r in caplog.records] == ["Retrying sign-in in 0.0"] * 2


def test_a_wait_on_a_rate_limit_says_so_and_for_how_long(tmp_path, caplog) -> None:
    with SandboxServer() as server:
        server.inject(429, count=1, retry_after=0.5)
        config = {"api_key": "k-123456789", "api_url": server.url, "max_retries": 1}
        run(TapExample, config, tmp_path=tmp_path)
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Retrying")]
    assert line.startswith("Retrying items in 0.5 s (attempt 1): waiting on the API's rate limit")
    assert "Example answered HTTP 429 for items" in line
