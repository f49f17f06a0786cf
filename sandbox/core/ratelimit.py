"""A sliding-window rate limit, as vendors enforce per account or per key (CallRail: 1,000
requests an hour per account, then every endpoint answers 429 until the window clears).
"""

from __future__ import annotations

import threading
import time
from collections import deque


class RateLimiter:
    """At most `limit` requests per bucket in any sliding `window` of seconds."""

    def __init__(self, limit: int, window: float = 3600.0) -> None:
        self.limit = limit
        self.window = window
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, bucket: str) -> bool:
        """Count one request against `bucket`, unless the bucket is full."""
        now = time.monotonic()
        with self._lock:
            sent = self._sent.setdefault(bucket, deque())
            while sent and now - sent[0] >= self.window:
                sent.popleft()
            if len(sent) >= self.limit:
                return False
            sent.append(now)
            return True
