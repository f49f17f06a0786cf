"""Signing in to inContact: one token per tap, shared by every stream, renewed before it expires.

Two ways in, both from docs/api/incontact.md:
- `password`: the inContact Central password grant. Its answer names the API's base URL
  (`resource_server_base_uri`), and a refresh token that lives 7,200 s from the grant.
- `cxone`: the CXone back-end application (client id and secret, an access key), with the
  token endpoint and the API host discovered from the issuer.

Credentials go only to the hosts they were configured for: every sign-in request is bound to
the origin of `auth_url` or `cxone_issuer` (a redirect is never followed, so the body is never
re-sent), the CXone token endpoint must be on the issuer's origin, and a Central refresh goes
to `refresh_token_server_uri` only when that is on `auth_url`'s origin. The API base a sign-in
names receives the token, so it is checked as a base URL setting is. Sign-in requests have the
same timeout, retries and waits as every other request, and tokens are masked in every line
from the moment they arrive.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import typing as t
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from tap_incontact.common import retries
from tap_incontact.common.answers import AnswerProblem, json_object
from tap_incontact.common.transport import OriginBoundSession, same_origin, url_problem

if t.TYPE_CHECKING:
    import logging

    from tap_incontact.tap import TapInContact

REFRESH_TOKEN_LIFETIME = 7200  # seconds from the original grant; refreshing does not extend it
REGRANT_BEFORE = 300  # re-run the grant this long before the refresh token would die
DEFAULT_LIFETIME = 3600.0  # when a token answer does not say


class SignInError(FatalAPIError):
    """The token endpoint refused the credentials, or answered what cannot be right."""


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
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _text(answer: t.Mapping[str, t.Any], key: str) -> str | None:
    value = answer.get(key)
    return value if isinstance(value, str) and value else None


class InContactAuth(requests.auth.AuthBase):
    """A `requests` auth that holds the run's token and the API base URL it comes with."""

    #: How retry lines name what is retried: "Retrying inContact sign-in in 1.0 s …".
    name = "inContact sign-in"

    def __init__(self, tap: TapInContact, waits: retries.RetryWaits) -> None:
        self.config = tap.config
        self.logger: logging.Logger = tap.logger
        self.redactor = tap.redactor
        self.waits = waits
        self._token: Token | None = None
        self._api_base: str | None = None
        self._lock = threading.Lock()
        #: Set when a 401 made us renew; a second 401 in a row means the API refuses this user.
        self.renewed_after_rejection = False
        if self.config["auth_method"] == "cxone":
            self.redactor.add(self.config["client_secret"], username=self.config["client_id"])
        else:
            self.redactor.add(self._central_key())  # not a secret, but kept out of logs too

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
        if self.config["auth_method"] == "cxone":
            return self._cxone_grant()
        return self._central_grant()

    def _central_grant(self) -> Token:
        token_url = str(self.config["auth_url"])
        answer = self._send(
            "POST",
            token_url,
            headers={"Authorization": f"basic {self._central_key()}"},
            json={
                "grant_type": "password",
                "username": self.config["username"],
                "password": self.config["password"],
                "scope": "",
            },
        )
        token = self._token_from(answer, time.time(), self._refresh_url(answer, token_url))
        self._api_base = self._checked_base(answer.get("resource_server_base_uri"))
        return token

    def _refresh_url(self, answer: t.Mapping[str, t.Any], token_url: str) -> str:
        """Where to refresh: the answer's refresh host when it is `auth_url`'s, else `auth_url`.

        The refresh request carries the authorization key, so it never goes to a host the
        user did not configure.
        """
        named = _text(answer, "refresh_token_server_uri")
        if named and same_origin(named, token_url):
            return named
        if named:
            self.logger.info(
                "inContact named %s for token refreshes, not auth_url's host; using auth_url",
                urlsplit(named).netloc,
            )
        return token_url

    def _refresh(self, old: Token) -> Token:
        body: dict[str, t.Any] = {"grant_type": "refresh_token", "refresh_token": old.refresh_token}
        if self.config["auth_method"] == "cxone":
            secret = _basic(self.config["client_id"], self.config["client_secret"])
            answer = self._send(
                "POST",
                str(old.refresh_url),
                origin_url=str(self.config["cxone_issuer"]),
                headers={"Authorization": secret},
                data={**body, "client_id": self.config["client_id"]},
            )
        else:
            answer = self._send(
                "POST",
                str(old.refresh_url),
                origin_url=str(self.config["auth_url"]),
                headers={"Authorization": f"basic {self._central_key()}"},
                json=body,
            )
        self.logger.info("Refreshed the inContact access token")
        return self._token_from(answer, old.granted_at, old.refresh_url)

    def _cxone_grant(self) -> Token:
        issuer = str(self.config["cxone_issuer"]).rstrip("/")
        discovery = self._send("GET", f"{issuer}/.well-known/openid-configuration")
        token_url = _text(discovery, "token_endpoint")
        if token_url is None or not same_origin(token_url, issuer):
            where = urlsplit(token_url).netloc if token_url else "no host"
            msg = (
                f"CXone discovery at {issuer} names a token endpoint on {where}, not the "
                "issuer's host: not used, so that the client secret and access key stay there"
            )
            raise SignInError(self.redactor(msg))
        answer = self._send(
            "POST",
            token_url,
            origin_url=issuer,
            headers={
                "Authorization": _basic(self.config["client_id"], self.config["client_secret"])
            },
            data={
                "grant_type": "password",
                "username": self.config["access_key_id"],
                "password": self.config["access_key_secret"],
            },
        )
        token = self._token_from(answer, time.time(), token_url)
        endpoint = None
        if not self.config.get("api_base_url"):
            tenant = _jwt_claims(token.access_token).get("tenantId", "")
            found = self._send(
                "GET", f"{issuer}/.well-known/cxone-configuration", params={"tenantId": tenant}
            )
            endpoint = _text(found, "api_endpoint")
            endpoint = f"{endpoint.rstrip('/')}/inContactAPI/" if endpoint else None
        self._api_base = self._checked_base(endpoint)
        return token

    def _central_key(self) -> str:
        """The authorization key: Base64 of `application@vendor:business_unit`."""
        app = f"{self.config['application_name']}@{self.config['vendor_name']}"
        return base64.b64encode(f"{app}:{self.config['business_unit']}".encode()).decode()

    def _checked_base(self, named: t.Any) -> str:
        """The API base: `api_base_url` when set, else the one sign-in named, if safe.

        Every API request carries the token there, so it must pass the checks a base URL
        setting passes.
        """
        base = self.config.get("api_base_url") or named
        if not isinstance(base, str) or not base:
            raise SignInError("inContact's sign-in answer names no API base URL")
        if problem := url_problem(base):
            msg = f"the API base URL inContact's sign-in named {problem}: not used"
            raise SignInError(self.redactor(msg))
        return base if base.endswith("/") else base + "/"

    def _token_from(
        self, answer: t.Mapping[str, t.Any], granted_at: float, refresh_url: str | None
    ) -> Token:
        access = _text(answer, "access_token")
        if access is None:
            raise SignInError("inContact's sign-in answered without an access_token")
        refresh = _text(answer, "refresh_token")
        for token in (access, refresh, _text(answer, "id_token")):
            self.redactor.add(token)
        lifetime = answer.get("expires_in")
        if isinstance(lifetime, bool) or not isinstance(lifetime, (int, float)):
            lifetime = DEFAULT_LIFETIME
        return Token(
            access_token=access,
            expires_at=time.time() + lifetime - refresh_margin(lifetime),
            refresh_token=refresh,
            refresh_url=refresh_url,
            granted_at=granted_at,
        )

    # HTTP for the sign-in endpoints: bound to their configured origin, retried like the API

    def _send(
        self, method: str, url: str, *, origin_url: str | None = None, **kwargs: t.Any
    ) -> dict[str, t.Any]:
        """One sign-in request to `url`, which must be on `origin_url`'s origin (by default
        its own); throttling and outages are retried, refusals are not."""
        request = requests.Request(method, url, **kwargs).prepare()

        def send() -> dict[str, t.Any]:
            with OriginBoundSession(origin_url or url, describe="inContact's sign-in") as session:
                answer = session.send(request, timeout=int(self.config["request_timeout"]))
            return self._checked(answer, url)

        return t.cast("dict[str, t.Any]", retries.retrying(self, send)())

    def _checked(self, answer: requests.Response, url: str) -> dict[str, t.Any]:
        if answer.status_code == 429 or answer.status_code >= 500:
            msg = f"inContact's sign-in at {url} answered HTTP {answer.status_code}"
            raise RetriableAPIError(self.redactor(msg), answer)
        if answer.status_code >= 400:
            msg = (
                f"inContact refused the sign-in at {url} (HTTP {answer.status_code}): "
                f"{self._reason(answer)}"
            )
            raise SignInError(self.redactor(msg))
        try:
            return json_object(answer)
        except AnswerProblem as problem:
            status = answer.status_code
            msg = f"inContact's sign-in at {url} answered HTTP {status}, but the answer {problem}"
            raise SignInError(self.redactor(msg)) from None

    @staticmethod
    def _reason(answer: requests.Response) -> str:
        try:
            body = json_object(answer)
        except AnswerProblem:
            return " ".join(answer.text.split())[:200] or str(answer.reason)
        reason = body.get("error_description") or body.get("error") or answer.reason
        return " ".join(str(reason).split())[:200]

    # What the shared retries ask of whoever sends requests

    def backoff_wait_generator(self) -> t.Generator[float, t.Any, None]:
        return retries.waits(self.waits)

    def backoff_handler(self, details: t.Any) -> None:
        retries.log_retry(self, details, describe=self.redactor)
