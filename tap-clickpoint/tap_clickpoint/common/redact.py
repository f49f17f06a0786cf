# Copied from common/redact.py by `python3 tasks.py copy-common`: edit the source, not this copy.
"""Keeping secrets out of everything a tap writes: log lines, errors and tracebacks.

A `Redactor` knows one run's secrets (the settings marked secret, and tokens obtained while
running) in every form they travel in: as given, URL-encoded, JSON-escaped, and inside an
HTTP Basic header. It masks them in any text, and as a logging filter in every record its
handlers write, vendor bodies that echo a secret included.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
import typing as t
from urllib.parse import quote, quote_plus

if t.TYPE_CHECKING:
    from collections.abc import Iterable

MASK = "***"
#: Shorter values are masked only where they stand alone: a key "abc" must not turn every
#: "tabcount" into "t***count".
SHORT = 8


def _forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}


class Redactor(logging.Filter):
    """Masks registered secrets in text and in log records."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: t.Any, *, username: str | None = None) -> None:
        """Mask `secret` from now on; with `username`, its HTTP Basic form too."""
        if secret is None or isinstance(secret, bool) or str(secret) == "":
            return
        text = str(secret)
        self._secrets |= _forms(text)
        if username is not None:
            self._secrets.add(base64.b64encode(f"{username}:{text}".encode()).decode())

    def __call__(self, text: t.Any) -> str:
        """`text` with every registered secret masked."""
        text = str(text)
        # Longest first, so that no form is left half-masked by a shorter one.
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret not in text:
                continue
            if len(secret) >= SHORT:
                text = text.replace(secret, MASK)
            else:
                text = re.sub(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", MASK, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        clean = self(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self(record.exc_text)
        if record.stack_info:
            record.stack_info = self(record.stack_info)
        return True


class LogMasking:
    """A redactor on some loggers (a tap's own, and the library lines that show request URLs),
    for as long as any reader is inside; re-entrant and safe across threads.

    Nothing else in the process is touched, and nothing outlives the reads.
    """

    def __init__(self, redactor: Redactor, loggers: Iterable[logging.Logger]) -> None:
        self.redactor = redactor
        self.loggers = list(dict.fromkeys(loggers))
        self._inside = 0
        self._lock = threading.Lock()

    def __enter__(self) -> Redactor:
        with self._lock:
            if self._inside == 0:
                for logger in self.loggers:
                    logger.addFilter(self.redactor)
            self._inside += 1
        return self.redactor

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._inside -= 1
            if self._inside == 0:
                for logger in self.loggers:
                    logger.removeFilter(self.redactor)
