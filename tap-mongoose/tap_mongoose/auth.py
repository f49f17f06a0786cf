"""Sign-in: HTTP Basic, or the username and key in the query string.

With `auth_method=params` the key travels in the URL, where requests' exceptions and
urllib3's debug lines show it; the tap's redactor masks it there (common/redact.py).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from tap_mongoose import contract
from tap_mongoose.common.redact import MASK


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
