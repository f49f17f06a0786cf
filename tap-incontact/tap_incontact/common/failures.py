# Copied from common/failures.py by `python3 tasks.py copy-common`: edit the source, not this copy.
"""How a failed run reads: one line that says what went wrong, never a traceback or a secret."""

from __future__ import annotations

import requests
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from .dates import SettingError, StateError
from .retries import is_unreachable, unreachable_message

#: Failures whose message is already the one line a user should read.
CLEAR_FAILURES = (FatalAPIError, RetriableAPIError, SettingError, StateError)


class RunFailed(Exception):
    """A run that failed; the message is one line, with every secret masked."""


def describe_failure(error: BaseException) -> str:
    """One line that says what went wrong."""
    if isinstance(error, (*CLEAR_FAILURES, RunFailed)):
        return " ".join(str(error).split())
    if isinstance(error, requests.RequestException) and is_unreachable(error):
        request = getattr(error, "request", None)
        return unreachable_message(error, getattr(request, "url", None))
    if isinstance(error, requests.Timeout):
        return f"no answer in time, after every retry (request_timeout): {error}"
    first_line = (str(error).splitlines() or [""])[0]
    return f"{type(error).__name__}: {first_line}"
