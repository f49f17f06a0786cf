"""Retrying requests the same way in every tap: a 429, a 5xx, a timeout or a dropped connection.

This module is deliberately identical in each tap of the monorepo (tap-callrail,
tap-incontact, tap-clickpoint, tap-mongoose): keep the copies in step. How long to wait is
each tap's own `retry_wait_seconds(exception, attempt)`, from its API's rate limits.
"""

from __future__ import annotations

import collections
import typing as t

import backoff
import requests
from singer_sdk.exceptions import RetriableAPIError

if t.TYPE_CHECKING:
    from singer_sdk.streams import RESTStream

RETRIABLE_ERRORS = (
    RetriableAPIError,
    ConnectionResetError,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
)
WaitSeconds = t.Callable[[BaseException, int], float]


def retrying(stream: RESTStream, func: t.Callable) -> t.Callable:
    """`func` retried with the stream's waits, within `max_retries` and `max_retry_seconds`."""
    return backoff.on_exception(
        stream.backoff_wait_generator,
        RETRIABLE_ERRORS,
        max_tries=stream.config["max_retries"] + 1,
        max_time=stream.config["max_retry_seconds"],
        on_backoff=stream.backoff_handler,
        jitter=None,
        logger=None,
    )(func)


def waits(wait_seconds: WaitSeconds) -> t.Generator[float, t.Any, None]:
    """A backoff wait generator; rate limits (429) and other failures count attempts apart."""
    exception = yield 0.0
    attempts: collections.Counter[bool] = collections.Counter()
    while True:
        rate_limited = getattr(getattr(exception, "response", None), "status_code", 0) == 429
        wait = wait_seconds(exception, attempts[rate_limited])
        attempts[rate_limited] += 1
        exception = yield wait


def log_retry(stream: RESTStream, details: t.Any, describe: t.Callable[[t.Any], str] = str) -> None:
    stream.logger.warning(
        "Retrying %s in %.1f s (attempt %d): %s",
        stream.name,
        details["wait"],
        details["tries"],
        describe(details.get("exception")),
    )
