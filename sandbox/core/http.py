"""The wire every simulator speaks: a threaded HTTP/1.1 server on 127.0.0.1, and the `Request`
and `Response` it hands to and takes from a vendor's `handle`.

Like a vendor's front end it keeps connections alive and answers every method, and it stays
quiet when a client hangs up mid-answer, as fault tests make clients do.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from sandbox.core.server import SandboxServer


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""
    #: The raw request target, path and query string as the client sent them.
    target: str = ""

    def param(self, name: str) -> str | None:
        """The first value of a query parameter, or None when it is absent."""
        values = self.query.get(name)
        return values[0] if values else None

    def int_param(self, name: str, default: int, minimum: int = 0) -> int:
        """An integer query parameter; anything else answers 400."""
        text = self.param(name)
        if not text:
            return default
        if not text.lstrip("-").isdigit() or int(text) < minimum:
            raise ApiError(400, f"Invalid {name}: {text}")
        return int(text)

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


@dataclass
class Response:
    status: int = 200
    json: Any = None
    #: Raw bytes win over `json`, for vendors that answer XML, CSV or SOAP.
    body: bytes | None = None
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds between the bytes of the body: an answer that trickles in.
    trickle: float = 0.0

    @classmethod
    def error(cls, status: int, message: str) -> Response:
        return cls(status=status, json={"error": message})

    def encoded(self) -> bytes:
        if self.body is not None:
            return self.body
        return b"" if self.json is None else json.dumps(self.json).encode()


class ApiError(Exception):
    """Raised anywhere inside `handle` to answer `{"error": message}` with `status`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class LocalHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # A tap reading accounts in parallel opens many connections at once; with the default
    # backlog of 5 the kernel drops the others, and each client waits a second to retry.
    request_queue_size = 128

    def __init__(self, port: int, sandbox: SandboxServer) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.sandbox = sandbox

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or hang up mid-answer are expected in fault tests.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: LocalHTTPServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; Nagle would hold the body ~40 ms.
    disable_nagle_algorithm = True
    # Idle keep-alive connections give their thread back after this many seconds.
    timeout = 120

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=dict(self.headers.items()),
            body=self.rfile.read(length) if length else b"",
            target=self.path,
        )
        response = self.server.sandbox.respond(request)
        if response is None:
            self.close_connection = True
            return
        payload = b"" if self.command == "HEAD" else response.encoded()
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not response.trickle:
            self.wfile.write(payload)
            return
        self.wfile.flush()
        for offset in range(len(payload)):
            self.wfile.write(payload[offset : offset + 1])
            self.wfile.flush()
            time.sleep(response.trickle)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is the record."""
