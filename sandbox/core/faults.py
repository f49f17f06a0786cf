"""Injected faults: the 429s, 5xx answers, slow answers and dropped connections that real vendor
APIs produce now and then, on demand, so that a tap's retries can be tested.

A fault answers the next `count` requests whose target contains `path_contains`; faults are
matched in the order they were injected.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from http import HTTPStatus
from typing import Any

from sandbox.core.http import Response


@dataclass
class Fault:
    status: int | None = None
    count: int = 1
    retry_after: float | None = None
    drop: bool = False
    delay: float = 0.0
    path_contains: str = ""
    body: dict | None = None

    def response(self) -> Response:
        assert self.status is not None
        if self.body is not None:
            body = self.body
        elif self.status == 429:
            body = {"error": "Rate limit exceeded"}
        elif self.status >= 500:
            body = {"error": "Internal Server Error"}
        else:
            body = {"error": HTTPStatus(self.status).phrase}
        headers = {} if self.retry_after is None else {"Retry-After": f"{self.retry_after:g}"}
        return Response(status=self.status, json=body, headers=headers)


class FaultQueue:
    """The faults still to be served, safe to use from every request thread."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def listed(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(fault) for fault in self._faults]

    def take(self, target: str) -> Fault | None:
        """The first fault that applies to `target`, counted as served once."""
        with self._lock:
            for fault in self._faults:
                if fault.path_contains in target:
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    return fault
        return None
