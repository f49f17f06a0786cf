"""Signing in to inContact: one token per tap, shared by every stream, renewed before it expires.

Two ways in, both from ../shared/api/incontact.md:
- `password`: the inContact Central password grant. Its answer names the API's base URL
  (`resource_server_base_uri`), and a refresh token that lives 7,200 s from the grant.
- `cxone`: the CXone back-end application (client id and secret, an access key), with the
  token endpoint and the API host discovered from the issuer.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import typing as t
from dataclasses import dataclass

import backoff
import requests
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

REFRESH_TOKEN_LIFETIME = 7200  # seconds from the original grant; refreshing does not extend it
REGRANT_BEFORE = 300  # re-run the grant this long before the refresh token would die
TRANSIENT = (RetriableAPIError, requests.ConnectionError, requests.Timeout)


class SignInError(FatalAPIError):
    """The token endpoint refused the credentials: retrying cannot help."""


@dataclass
class Token:
    access_token: str
    expires_at: float
    refresh_token: str | None
    refresh_url: str | None
    granted_at: float


def refresh_margin(expires_in: float) -> float:
    """Renew this long before expiry: 5 minutes, or 10% of a shorter lifetime."""
    return min(300.0, expires_in / 10)


def _basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


def _jwt_claims(token: str) -> dict[str, t.Any]:
    """The claims of a JWT, unverified: only the tenant id is read from them."""
    try:
        payload = token.split(".")[1]
        return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))
    except (IndexError, ValueError):
        return {}


class InContactAuth(requests.auth.AuthBase):
    """A `requests` auth that holds the run's token and the API base URL it comes with."""

    def __init__(self, config: t.Mapping[str, t.Any], logger: logging.Logger) -> None:
        self.config = config
        self.logger = logger
        self.session = requests.Session()
        self._token: Token | None = None
        self._api_base: str | None = None
        self._lock = threading.Lock()
        #: Set when a 401 made us renew; a second 401 in a row means the API refuses this user.
        self.renewed_after_rejection = False

    # What the streams use

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.access_token()}"
        return request

    @property
    def api_base(self) -> str:
        """`{base}` of `{base}services/vNN.0/…`, ending in `/inContactAPI/`."""
        self.access_token()
        assert self._api_base is not None
        return self._api_base

    def access_token(self) -> str:
        with self._lock:
            token = self._token
            if token is None or time.time() >= token.expires_at:
                token = self._renew(token)
                self._token = token
            return token.access_token

    def invalidate(self) -> None:
        """Forget the token after the API answered 401, so the next request signs in anew."""
        with self._lock:
            self._token = None
            self.renewed_after_rejection = True

    # Getting tokens

    def _renew(self, old: Token | None) -> Token:
        if (
            old
            and old.refresh_token
            and time.time() < old.granted_at + REFRESH_TOKEN_LIFETIME - REGRANT_BEFORE
        ):
            try:
                return self._refresh(old)
            except (SignInError, requests.RequestException) as error:
                self.logger.info("Token refresh failed (%s); signing in again", error)
        return self._grant()

    def _grant(self) -> Token:
        if self.config["auth_method"] == "cxone":
            return self._cxone_grant()
        token_url = self.config["auth_url"]
        answer = self._post(
            token_url,
            headers={"Authorization": self._central_key()},
            json={
                "grant_type": "password",
                "username": self.config["username"],
                "password": self.config["password"],
                "scope": "",
            },
        )
        self._api_base = str(self.config.get("api_base_url") or answer["resource_server_base_uri"])
        return self._token_from(
            answer, time.time(), answer.get("refresh_token_server_uri", token_url)
        )

    def _refresh(self, old: Token) -> Token:
        headers = {"Authorization": self._central_key()}
        body: dict[str, t.Any] = {"grant_type": "refresh_token", "refresh_token": old.refresh_token}
        if self.config["auth_method"] == "cxone":
            headers = {
                "Authorization": _basic(self.config["client_id"], self.config["client_secret"])
            }
            answer = self._post(
                str(old.refresh_url),
                headers=headers,
                data={**body, "client_id": self.config["client_id"]},
            )
        else:
            answer = self._post(str(old.refresh_url), headers=headers, json=body)
        self.logger.info("Refreshed the inContact access token")
        return self._token_from(answer, old.granted_at, old.refresh_url)

    def _cxone_grant(self) -> Token:
        issuer = str(self.config["cxone_issuer"]).rstrip("/")
        discovery = self._get(f"{issuer}/.well-known/openid-configuration")
        token_url = discovery["token_endpoint"]
        answer = self._post(
            token_url,
            headers={
                "Authorization": _basic(self.config["client_id"], self.config["client_secret"])
            },
            data={
                "grant_type": "password",
                "username": self.config["access_key_id"],
                "password": self.config["access_key_secret"],
            },
        )
        if self.config.get("api_base_url"):
            self._api_base = str(self.config["api_base_url"])
        else:
            tenant = _jwt_claims(answer["access_token"]).get("tenantId", "")
            where = self._get(
                f"{issuer}/.well-known/cxone-configuration", params={"tenantId": tenant}
            )
            self._api_base = f"{str(where['api_endpoint']).rstrip('/')}/inContactAPI/"
        return self._token_from(answer, time.time(), token_url)

    def _central_key(self) -> str:
        app = f"{self.config['application_name']}@{self.config['vendor_name']}"
        return (
            "basic " + base64.b64encode(f"{app}:{self.config['business_unit']}".encode()).decode()
        )

    @staticmethod
    def _token_from(answer: dict, granted_at: float, refresh_url: str | None) -> Token:
        expires_in = float(answer.get("expires_in") or 3600)
        return Token(
            access_token=answer["access_token"],
            expires_at=time.time() + expires_in - refresh_margin(expires_in),
            refresh_token=answer.get("refresh_token"),
            refresh_url=refresh_url,
            granted_at=granted_at,
        )

    # HTTP for the sign-in endpoints: throttling and outages are retried, refusals are not

    @backoff.on_exception(backoff.expo, TRANSIENT, max_tries=6, max_value=60, logger=None)
    def _post(self, url: str, **kwargs: t.Any) -> dict:
        return self._checked(self.session.post(url, timeout=60, **kwargs), url)

    @backoff.on_exception(backoff.expo, TRANSIENT, max_tries=6, max_value=60, logger=None)
    def _get(self, url: str, **kwargs: t.Any) -> dict:
        return self._checked(self.session.get(url, timeout=60, **kwargs), url)

    @staticmethod
    def _checked(answer: requests.Response, url: str) -> dict:
        if answer.status_code == 429 or answer.status_code >= 500:
            msg = f"inContact's sign-in at {url} answered HTTP {answer.status_code}"
            raise RetriableAPIError(msg, answer)
        if answer.status_code >= 400:
            try:
                body = answer.json()
                reason = body.get("error_description") or body.get("error") or answer.reason
            except ValueError:
                reason = answer.reason
            msg = f"inContact refused the sign-in at {url} (HTTP {answer.status_code}): {reason}"
            raise SignInError(msg)
        return dict(answer.json())
