"""Who may call, on REST and SOAP alike: credentials, the API access switch, the rate limit.

REST takes `Authorization: Basic` (username:api_key) or `username` and `api_key` query
parameters; SOAP takes an AuthHeader (soap.py). Traps reproduced: a v1 key of the same login
and an account without API access are 403 API_ACCESS_DISABLED, not 401; and 60 requests a
minute per username, REST and SOAP counted together, then 429 RATE_LIMITED with Retry-After.
"""

from __future__ import annotations

import base64
import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sandbox.core.http import Request
from sandbox.core.ratelimit import RateLimiter
from sandbox.mongoose.faults import Refusal

if TYPE_CHECKING:
    from sandbox.mongoose.server import MongooseSandbox


class Limiter(RateLimiter):
    """The base limiter, able to say when the oldest request of a bucket leaves the window."""

    def retry_after(self, bucket: str) -> int:
        with self._lock:
            sent = self._sent.get(bucket)
            age = time.monotonic() - sent[0] if sent else self.window
        return max(1, math.ceil(self.window - age))


def rest_credentials(request: Request) -> list[tuple[str, str]]:
    """Every (username, key) pair a REST request carries: Basic first, then the query."""
    given = []
    header = request.header("Authorization") or ""
    if header.lower().startswith("basic "):
        try:
            username, _, key = base64.b64decode(header[6:].strip()).decode().partition(":")
            given.append((username, key))
        except (ValueError, UnicodeDecodeError):
            pass
    user_param, key_param = request.param("username"), request.param("api_key")
    if user_param is not None and key_param is not None:
        given.append((user_param, key_param))
    return given


def admit(sandbox: MongooseSandbox, given: Sequence[tuple[str, str]]) -> str:
    """The username of valid credentials, one more request in its minute; 401, 403 or 429."""
    username = _authenticate(sandbox, given)
    if not sandbox.rate_limiter.allow(username):
        raise Refusal(
            429,
            "RATE_LIMITED",
            "More than 60 requests a minute",
            retry_after=sandbox.rate_limiter.retry_after(username),
        )
    return username


def _authenticate(sandbox: MongooseSandbox, given: Sequence[tuple[str, str]]) -> str:
    for username, key in given:
        if username == sandbox.username and key == sandbox.api_key:
            if not sandbox.api_access_enabled:
                raise Refusal(
                    403, "API_ACCESS_DISABLED", "API access is not enabled for this account"
                )
            return username
    if any(u == sandbox.username and k == sandbox.v1_api_key for u, k in given):
        raise Refusal(403, "API_ACCESS_DISABLED", "This key is for API v1; use an API v2 key")
    raise Refusal(401, "AUTH_FAILED", "Invalid username or API key")
