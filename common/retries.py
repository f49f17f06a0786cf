"""Retrying requests the same way in every tap: a 429, a 5xx, a timeout or a dropped connection.

How long to wait comes from each tap's `RetryWaits`, after its API's rate limits. A host that
cannot be reached at all (its name does not resolve, or it refuses connections) is a wrong
address far more often than an outage: it is retried only a few times, within half a minute.
"""

from __future__ import annotations

import collections
import logging
import typing as t
from dataclasses import dataclass
from urllib.parse import urlsplit

import backoff
import requests
from singer_sdk.exceptions import RetriableAPIError
from urllib3.exceptions import NameResolutionError, NewConnectionError

RETRIABLE_ERRORS = (
    RetriableAPIError,
    ConnectionResetError,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
)
#: Retries, and the seconds they may take, of a host that cannot be reached.
UNREACHABLE_RETRIES = 3
UNREACHABLE_SECONDS = 30.0


class Retrier(t.Protocol):
    """Whoever sends the requests that are retried: a stream, or a tap's own sign-in."""

    @property
    def name(self) -> str: ...

    @property
    def logger(self) -> logging.Logger: ...

    @property
    def config(self) -> t.Mapping[str, t.Any]: ...

    def backoff_wait_generator(self) -> t.Generator[float, t.Any, None]: ...

    def backoff_handler(self, details: t.Any) -> None: ...


@dataclass(frozen=True)
class RetryWaits:
    """Seconds to wait before retry number `attempt` (0-based) after `exception`.

    `Retry-After` wins when the API sends it. Otherwise a rate limit (429) waits
    `rate_limit_first`, doubling to `rate_limit_most`; other failures wait `other_first`,
    doubling to `other_most`.
    """

    rate_limit_first: float = 1.0
    rate_limit_most: float = 60.0
    other_first: float = 1.0
    other_most: float = 60.0

    def __call__(self, exception: BaseException | None, attempt: int) -> float:
        response = getattr(exception, "response", None)
        if response is not None:
            retry_after = str(response.headers.get("Retry-After", "")).strip()
            if retry_after.replace(".", "", 1).isdigit():
                return float(retry_after)
            if response.status_code == 429:
                return min(self.rate_limit_first * 2**attempt, self.rate_limit_most)
        return min(self.other_first * 2**attempt, self.other_most)


def is_unreachable(exception: BaseException) -> bool:
    """Whether no connection could be made at all: no such host, or connection refused."""
    cause: BaseException | None = exception
    while cause is not None:
        if isinstance(cause, NewConnectionError):
            return True
        cause = cause.__cause__ or cause.__context__
    return isinstance(exception, requests.exceptions.ConnectionError) and any(
        isinstance(arg, NewConnectionError) for arg in _reasons(exception)
    )


def _reasons(exception: BaseException) -> list[t.Any]:
    """What urllib3 wrapped inside a requests error (MaxRetryError.reason)."""
    found = []
    for arg in exception.args:
        found.append(arg)
        if reason := getattr(arg, "reason", None):
            found.append(reason)
    return found


def unreachable_message(exception: BaseException, url: str | None = None) -> str:
    """One line naming the host that could not be reached, and why."""
    host = urlsplit(url or "").hostname or "the API host"
    for reason in [exception, *_reasons(exception)]:
        if isinstance(reason, NameResolutionError):
            return f"cannot reach {host}: the name does not resolve (check the URL settings)"
    return f"cannot reach {host}: the connection was refused (check the URL settings)"


def retrying(stream: Retrier, func: t.Callable) -> t.Callable:
    """`func` retried with the stream's waits, within `max_retries` and `max_retry_seconds`."""
    unreachable_retried = backoff.on_exception(
        lambda: waits(RetryWaits()),
        requests.exceptions.ConnectionError,
        max_tries=UNREACHABLE_RETRIES + 1,
        max_time=UNREACHABLE_SECONDS,
        giveup=lambda error: not is_unreachable(error),
        on_backoff=stream.backoff_handler,
        jitter=None,
        logger=None,
    )(func)
    return backoff.on_exception(
        stream.backoff_wait_generator,
        RETRIABLE_ERRORS,
        max_tries=stream.config["max_retries"] + 1,
        max_time=stream.config["max_retry_seconds"],
        giveup=is_unreachable,
        on_backoff=stream.backoff_handler,
        jitter=None,
        logger=None,
    )(unreachable_retried)


def waits(wait_seconds: t.Callable[[BaseException, int], float]) -> t.Generator[float, t.Any, None]:
    """A backoff wait generator; rate limits (429) and other failures count attempts apart."""
    exception = yield 0.0
    attempts: collections.Counter[bool] = collections.Counter()
    while True:
        rate_limited = getattr(getattr(exception, "response", None), "status_code", 0) == 429
        wait = wait_seconds(exception, attempts[rate_limited])
        attempts[rate_limited] += 1
        exception = yield wait


def log_retry(stream: Retrier, details: t.Any, describe: t.Callable[[t.Any], str] = str) -> None:
    """One warning per retry: how long it waits, and why; a 429 says it is the rate limit."""
    exception = details.get("exception")
    why = describe(exception)
    if getattr(getattr(exception, "response", None), "status_code", 0) == 429:
        why = f"waiting on the API's rate limit ({why})"
    wait, attempt = details["wait"], details["tries"]
    stream.logger.warning("Retrying %s in %.1f s (attempt %d): %s", stream.name, wait, attempt, why)
