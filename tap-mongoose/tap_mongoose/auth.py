"""Sign-in (HTTP Basic, or the key in the query string) and keeping the key out of every log line.

With `auth_method=params` the key travels in the URL, where requests' exceptions, urllib3's
debug lines and any traceback would show it. Every secret is registered with `REDACTOR`, a
logging filter on the root handlers that masks it in messages and tracebacks alike.
"""

from __future__ import annotations

import base64
import logging
import re
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from tap_mongoose import contract

MASK = "***"


def mask(text: str, secret: str) -> str:
    """`text` with `secret` masked; a short secret only where it stands alone, so that a key
    like "key" does not turn every "api_key" into "api_***"."""
    if not secret:
        return text
    if len(secret) >= 8:
        return text.replace(secret, MASK)
    return re.sub(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", MASK, text)


class QueryParamsAuth(AuthBase):
    """Username and key as query parameters, replacing any already there (so it is idempotent:
    the SDK applies the authenticator both when preparing and when sending a request)."""

    def __init__(self, username: str, api_key: str) -> None:
        self.username = username
        self._api_key = api_key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        parts = urlsplit(request.url or "")
        credentials = (contract.USERNAME_PARAM, contract.API_KEY_PARAM)
        query = [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k not in credentials
        ]
        query += [(contract.USERNAME_PARAM, self.username), (contract.API_KEY_PARAM, self._api_key)]
        request.url = urlunsplit(parts._replace(query=urlencode(query)))
        return request

    def __repr__(self) -> str:
        return f"QueryParamsAuth(username={self.username!r}, api_key={MASK!r})"


def authenticator(method: str, username: str, api_key: str) -> AuthBase:
    """The requests auth object for the auth_method setting."""
    if method == contract.AUTH_PARAMS:
        return QueryParamsAuth(username, api_key)
    return HTTPBasicAuth(username, api_key)


class Redactor(logging.Filter):
    """Masks registered secrets, in every form they are sent in, wherever a record shows them."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add(self, secret: str, username: str = "") -> None:
        if not secret:
            return
        basic = base64.b64encode(f"{username}:{secret}".encode()).decode()
        self._secrets |= {secret, quote(secret, safe=""), quote_plus(secret), basic}

    def redact(self, text: str) -> str:
        # Longest first, so that no form is left half-masked by a shorter one.
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = mask(text, secret)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


REDACTOR = Redactor()


def guard(secret: str, username: str = "") -> None:
    """Mask `secret` in everything the root logger's handlers write from now on."""
    REDACTOR.add(secret, username)
    for handler in logging.getLogger().handlers:
        if REDACTOR not in handler.filters:
            handler.addFilter(REDACTOR)


def redact(text: str) -> str:
    """`text` with every registered secret masked."""
    return REDACTOR.redact(text)
