# Copied from common/transport.py by `python3 tasks.py copy-common`: edit the source, not this copy.
"""HTTP that keeps credentials on the host they were configured for, with a real deadline.

- A request carrying a credential only ever goes to the origin (scheme, host, port) of its
  session. A redirect is never followed to another origin, and a POST is never re-sent by
  a redirect: `requests` would re-send the body, with a form key or SOAP envelope in it.
- `request_timeout` bounds the whole request, body included: a server that trickles its
  answer a byte at a time cannot stretch it.
- A base URL a user overrides is refused when it would send credentials in clear text over
  the network, or to a link-local or cloud-metadata address.
"""

from __future__ import annotations

import ipaddress
import time
import typing as t
from urllib.parse import urljoin, urlsplit

import requests
from singer_sdk.exceptions import FatalAPIError
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError

#: Answers are read in pieces this large, checking the deadline between pieces.
CHUNK = 65536
MAX_REDIRECTS = 5
METADATA_HOSTS = {"169.254.169.254", "fd00:ec2::254", "metadata.google.internal"}


class OriginError(FatalAPIError):
    """A request that would take a credential to another origin; it is not sent."""


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL, the port made explicit."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or (443 if scheme == "https" else 80)


def same_origin(url: str, other: str) -> bool:
    return origin(url) == origin(other)


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    address = _address(host)
    return host == "localhost" or (address is not None and address.is_loopback)


def url_problem(url: str) -> str | None:
    """Why credentials must not go to `url`, or None when they may."""
    parts = urlsplit(str(url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an http(s) URL"
    host = parts.hostname.lower()
    address = _address(host)
    if host in METADATA_HOSTS or (address is not None and address.is_link_local):
        return f"points at {host}, a link-local or cloud-metadata address"
    if parts.scheme == "http" and not is_loopback(host):
        return f"is plain http to {host}: credentials would cross the network unencrypted"
    return None


class OriginBoundSession(requests.Session):
    """A session whose requests stay on `origin_url`'s origin and end by their deadline."""

    def __init__(self, origin_url: str, describe: str = "the API") -> None:
        super().__init__()
        self.origin_url = origin_url
        self.describe = describe

    def send(self, request: requests.PreparedRequest, **kwargs: t.Any) -> requests.Response:
        url = str(request.url)
        if not same_origin(url, self.origin_url):
            host = urlsplit(url).netloc
            msg = (
                f"refusing to send a request for {self.describe} to {host}: not its configured host"
            )
            raise OriginError(msg)
        kwargs["allow_redirects"] = False
        # requests' own get/post pass `stream`; the body is always read here, by the deadline.
        kwargs.pop("stream", None)
        timeout = kwargs.pop("timeout", None)
        seconds = float(timeout[1] if isinstance(timeout, tuple) else timeout or 300)
        deadline = time.monotonic() + seconds
        response = self._send_by(request, deadline, seconds, **kwargs)
        for _ in range(MAX_REDIRECTS):
            if not response.is_redirect:
                return response
            request = self._redirected(request, response)
            response = self._send_by(request, deadline, seconds, **kwargs)
        msg = f"{self.describe} redirected more than {MAX_REDIRECTS} times"
        raise FatalAPIError(msg)

    def _redirected(
        self, request: requests.PreparedRequest, response: requests.Response
    ) -> requests.PreparedRequest:
        target = urljoin(str(request.url), response.headers.get("Location", ""))
        where = urlsplit(target).netloc or "?"
        status = response.status_code
        if not same_origin(target, self.origin_url):
            msg = (
                f"{self.describe} answered HTTP {status}, redirecting to {where}: not followed, "
                "so that credentials stay on the configured host"
            )
            raise OriginError(msg)
        if request.method not in ("GET", "HEAD"):
            msg = (
                f"{self.describe} answered HTTP {status} to a {request.method}, redirecting to "
                f"{where}: not followed, so that the request body is never sent twice"
            )
            raise OriginError(msg)
        redirected = request.copy()
        redirected.prepare_url(target, None)
        return redirected

    def _send_by(
        self, request: requests.PreparedRequest, deadline: float, seconds: float, **kwargs: t.Any
    ) -> requests.Response:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise requests.Timeout(f"no complete answer within {seconds:g} s")
        response = super().send(request, stream=True, timeout=remaining, **kwargs)
        chunks = []
        try:
            while chunk := response.raw.read1(CHUNK, decode_content=True):
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    msg = f"no complete answer within {seconds:g} s"
                    raise requests.Timeout(msg, response=response)
        except ReadTimeoutError as error:  # what requests itself turns these into
            raise requests.Timeout(error, response=response) from None
        except ProtocolError as error:
            raise requests.exceptions.ChunkedEncodingError(error, response=response) from None
        except DecodeError as error:
            raise requests.exceptions.ContentDecodingError(error, response=response) from None
        finally:
            response.close()
        # The body is read here, by the deadline; requests keeps a read body in _content.
        response._content = b"".join(chunks)
        return response
