"""The request log: every request a simulator answered (or hung up on), with its status, so a
test can assert what a tap sent, how often it retried and where its secrets went.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import unquote_to_bytes


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    #: 0 when a fault dropped the connection without an answer.
    status: int
    body: bytes = b""

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "body": self.body.decode("utf-8", errors="replace")}

    def carries(self, secret: str) -> bool:
        """Whether `secret` travelled in this request: its path, query, headers or body."""
        text = f"{self.path} {self.query} {self.headers} ".encode() + self.body
        return secret.encode() in text or secret.encode() in unquote_to_bytes(text)


class RequestLog:
    """Logged requests in the order their answers were ready."""

    def __init__(self) -> None:
        self._entries: list[LoggedRequest] = []
        self._lock = threading.Lock()
        #: Bumped by clear, so a slow answer to an earlier request is not logged after it.
        self.generation = 0

    def add(self, entry: LoggedRequest, generation: int) -> None:
        """Log `entry`, unless the log was cleared since its request arrived at `generation`."""
        with self._lock:
            if generation == self.generation:
                self._entries.append(entry)

    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.generation += 1
