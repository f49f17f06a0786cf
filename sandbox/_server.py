"""What every vendor simulator shares: a local HTTP server, fault injection and a request log.

A vendor module subclasses `SandboxServer` and implements `handle(request) -> Response`.
Tests drive faults and read the log from Python, or over HTTP under `/_sandbox/` when the
code under test runs in another process.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

CONTROL_PREFIX = "/_sandbox/"
T = TypeVar("T")
S = TypeVar("S", bound="SandboxServer")


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


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    #: 0 when a fault dropped the connection without an answer.
    status: int


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


class RateLimiter:
    """At most `limit` requests per bucket in any sliding `window` of seconds."""

    def __init__(self, limit: int, window: float = 3600.0) -> None:
        self.limit = limit
        self.window = window
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, bucket: str) -> bool:
        """Count one request against `bucket`, unless the bucket is full."""
        now = time.monotonic()
        with self._lock:
            sent = self._sent.setdefault(bucket, deque())
            while sent and now - sent[0] >= self.window:
                sent.popleft()
            if len(sent) >= self.limit:
                return False
            sent.append(now)
            return True


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


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, sandbox: SandboxServer) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.sandbox = sandbox

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or hang up mid-answer are expected in fault tests.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
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
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is the record."""


class SandboxServer:
    """A local HTTP API; subclasses implement `handle`."""

    def __init__(self, *, port: int = 0) -> None:
        self._port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._state_lock = threading.Lock()
        self._faults: list[Fault] = []
        self._log: list[LoggedRequest] = []
        #: Bumped by clear_log, so a slow answer to an earlier request is not logged after it.
        self._log_generation = 0

    # Life cycle

    def start(self: S) -> S:
        if self._httpd is None:
            self._httpd = _HTTPServer(self._port, self)
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name=type(self).__name__, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self: S) -> S:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the sandbox is not started")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def env(self) -> dict[str, str]:
        """`NAME=value` settings that point a client at this simulator."""
        return {}

    def handle(self, request: Request) -> Response:
        return Response.error(404, "Not Found")

    # Faults

    def inject(
        self,
        status: int | None = None,
        *,
        count: int = 1,
        retry_after: float | None = None,
        drop: bool = False,
        delay: float = 0.0,
        path_contains: str = "",
        body: dict | None = None,
    ) -> None:
        """Answer the next `count` requests whose target contains `path_contains` with a fault.

        `delay` sleeps first; then `drop` hangs up without answering, `status` answers that
        status, and with neither the request is answered normally.
        """
        if status is None and not drop and not delay:
            raise ValueError("a fault needs a status, drop=True or a delay")
        if count < 1:
            raise ValueError("count must be at least 1")
        fault = Fault(status, count, retry_after, drop, delay, path_contains, body)
        with self._state_lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        with self._state_lock:
            self._faults.clear()

    def _fault_list(self) -> list[dict[str, Any]]:
        with self._state_lock:
            return [asdict(fault) for fault in self._faults]

    def _take_fault(self, target: str) -> Fault | None:
        with self._state_lock:
            for fault in self._faults:
                if fault.path_contains in target:
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # Request log

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._state_lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._state_lock:
            self._log.clear()
            self._log_generation += 1

    # Dispatch

    def respond(self, request: Request) -> Response | None:
        """The answer to one request; None means hang up without answering."""
        if request.path.startswith(CONTROL_PREFIX):
            return self._control(request)
        generation = self._log_generation
        fault = self._take_fault(request.target or request.path)
        if fault is not None:
            time.sleep(fault.delay)
        response: Response | None
        if fault is not None and fault.drop:
            response = None
        elif fault is not None and fault.status is not None:
            response = fault.response()
        else:
            response = self._call_handler(request)
        logged = LoggedRequest(
            request.method,
            request.path,
            request.query,
            request.headers,
            response.status if response else 0,
        )
        with self._state_lock:
            if generation == self._log_generation:  # arrived after the last clear_log
                self._log.append(logged)
        return response

    def _call_handler(self, request: Request) -> Response:
        try:
            return self.handle(request)
        except ApiError as error:
            return Response.error(error.status, error.message)
        except Exception:
            traceback.print_exc()
            return Response.error(500, "Internal Server Error")

    def _control(self, request: Request) -> Response:
        what = request.path[len(CONTROL_PREFIX) :].strip("/")
        actions: dict[tuple[str, str], Callable[[], Any]] = {
            ("faults", "GET"): self._fault_list,
            ("faults", "POST"): lambda: self.inject(**json.loads(request.body or b"{}")),
            ("faults", "DELETE"): self.clear_faults,
            ("requests", "GET"): lambda: [asdict(logged) for logged in self.requests],
            ("requests", "DELETE"): self.clear_log,
        }
        action = actions.get((what, request.method))
        if action is None:
            return Response.error(404, "Not Found")
        try:
            result = action()
        except (TypeError, ValueError) as error:
            return Response.error(400, str(error))
        return Response(json={"ok": True} if result is None else result)
