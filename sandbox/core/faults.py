"""Injected faults: the 429s, 5xx answers, slow answers and dropped connections that real vendor
APIs produce now and then, and the hostile or broken answers a tap must not trust, on demand.

A fault answers the next `count` requests whose target contains `path_contains`; faults are
matched in the order they were injected. Besides a status, a fault can:
- send `headers` (a `Location` for a redirect) and a `raw` body (empty, HTML, cut off);
- `trickle` the answer a byte at a time, `trickle` seconds apart;
- `replay` the answer to its first request for every later one (a page that repeats);
- `replace` bytes in the real answer (a key renamed, a date moved, a bad byte, an echo).
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field, replace
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
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | str | None = None
    content_type: str | None = None
    trickle: float = 0.0
    replay: bool = False
    replace: list[tuple[bytes | str, bytes | str]] = field(default_factory=list)
    #: The first answer, kept when `replay` is on.
    replayed: Response | None = None

    @property
    def answers_itself(self) -> bool:
        """Whether this fault makes the whole answer, rather than changing the real one."""
        return self.status is not None

    def response(self) -> Response:
        assert self.status is not None
        if self.raw is not None:
            raw = self.raw.encode("latin-1") if isinstance(self.raw, str) else self.raw
            content_type = self.content_type or "text/html; charset=utf-8"
            return Response(
                status=self.status, body=raw, content_type=content_type, headers=dict(self.headers)
            )
        if self.body is not None:
            body = self.body
        elif self.status == 429:
            body = {"error": "Rate limit exceeded"}
        elif self.status >= 500:
            body = {"error": "Internal Server Error"}
        else:
            body = {"error": HTTPStatus(self.status).phrase}
        headers = {} if self.retry_after is None else {"Retry-After": f"{self.retry_after:g}"}
        return Response(status=self.status, json=body, headers={**headers, **self.headers})

    def changed(self, response: Response) -> Response:
        """The real answer with this fault's byte replacements, headers and pace."""
        body = response.encoded()
        for old, new in self.replace:
            body = body.replace(_bytes(old), _bytes(new))
        return replace(
            response,
            body=body,
            json=None,
            headers={**response.headers, **self.headers},
            trickle=self.trickle,
        )


def _bytes(value: bytes | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


#: What the control API shows and accepts (bytes and kept answers stay in-process).
PUBLIC_FIELDS = (
    "status",
    "count",
    "retry_after",
    "drop",
    "delay",
    "path_contains",
    "body",
    "headers",
    "content_type",
    "trickle",
    "replay",
)


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
            return [
                {k: v for k, v in asdict(fault).items() if k in PUBLIC_FIELDS}
                for fault in self._faults
            ]

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
