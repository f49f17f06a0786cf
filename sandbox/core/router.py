"""Vendor URL patterns such as `/v3/a/{account_id}/calls.json`, matched to their handlers; a path
that matches no pattern is the vendor's 404.
"""

from __future__ import annotations

import re
from typing import Generic, TypeVar

T = TypeVar("T")


class Router(Generic[T]):
    """Paths like `/v3/a/{account_id}/calls.json` mapped to targets; `{name}` is one segment."""

    def __init__(self) -> None:
        self._routes: list[tuple[re.Pattern[str], T]] = []

    def add(self, pattern: str, target: T) -> None:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(pattern))
        self._routes.append((re.compile(f"^{regex}$"), target))

    def match(self, path: str) -> tuple[T, dict[str, str]] | None:
        for regex, target in self._routes:
            if found := regex.match(path):
                return target, found.groupdict()
        return None
