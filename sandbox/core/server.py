"""The base of every vendor simulator: a local HTTP API on 127.0.0.1 that answers like the vendor,
except when a test has injected a fault, and logs every request.

A vendor subclasses `SandboxServer` and implements `handle(request) -> Response`. Tests drive
faults and read the log from Python, or over HTTP under `/_sandbox/` when the code under test
runs in another process.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from sandbox.core.faults import Fault, FaultQueue
from sandbox.core.http import ApiError, LocalHTTPServer, Request, Response
from sandbox.core.requests_log import LoggedRequest, RequestLog

CONTROL_PREFIX = "/_sandbox/"
S = TypeVar("S", bound="SandboxServer")


class SandboxServer:
    """A local HTTP API; subclasses implement `handle`."""

    def __init__(self, *, port: int = 0) -> None:
        self._port = port
        self._httpd: LocalHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._faults = FaultQueue()
        self._log = RequestLog()
        #: Seconds every API answer takes, as over the internet (about 0.15 s to a vendor's
        #: API): the benchmarks measure how a tap's requests add up. Tests may set it.
        self.latency = 0.0
        #: API requests being answered now, and the most at once since the log was cleared:
        #: tests see whether a client's requests overlap without timing anything.
        self._in_flight = 0
        self.most_in_flight = 0
        self._flight_lock = threading.Lock()

    # Life cycle

    def start(self: S) -> S:
        if self._httpd is None:
            self._httpd = LocalHTTPServer(self._port, self)
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
        headers: dict[str, str] | None = None,
        raw: bytes | str | None = None,
        content_type: str | None = None,
        trickle: float = 0.0,
        replay: bool = False,
        replace: list[tuple[bytes | str, bytes | str]] | None = None,
    ) -> None:
        """Answer the next `count` requests whose target contains `path_contains` with a fault.

        `delay` sleeps first; then `drop` hangs up without answering, and `status` answers that
        status (with `body`, or `raw` bytes of `content_type`, and `headers`). Without either,
        the real answer goes out, changed: `replace` swaps bytes in it, `headers` are added,
        `trickle` paces it, and `replay` sends the first request's answer to the later ones.
        """
        changes = headers or raw is not None or trickle or replay or replace
        if status is None and not drop and not delay and not changes:
            raise ValueError("a fault needs a status, drop=True, a delay or a change")
        if count < 1:
            raise ValueError("count must be at least 1")
        pairs = [(old, new) for old, new in replace or []]
        fault = Fault(status, count, retry_after, drop, delay, path_contains, body,
                      dict(headers or {}), raw, content_type, trickle, replay, pairs)  # fmt: skip
        self._faults.add(fault)

    def clear_faults(self) -> None:
        self._faults.clear()

    # Request log

    @property
    def requests(self) -> list[LoggedRequest]:
        return self._log.entries()

    def clear_log(self) -> None:
        self._log.clear()
        with self._flight_lock:
            self.most_in_flight = self._in_flight

    # Dispatch

    def respond(self, request: Request) -> Response | None:
        """The answer to one request; None means hang up without answering."""
        if request.path.startswith(CONTROL_PREFIX):
            return self._control(request)
        with self._flight_lock:
            self._in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self._in_flight)
        try:
            return self._respond(request)
        finally:
            with self._flight_lock:
                self._in_flight -= 1

    def _respond(self, request: Request) -> Response | None:
        generation = self._log.generation
        if self.latency:
            time.sleep(self.latency)
        fault = self._faults.take(request.target or request.path)
        if fault is not None:
            time.sleep(fault.delay)
        response: Response | None
        if fault is not None and fault.drop:
            response = None
        elif fault is not None and fault.answers_itself:
            response = fault.response()
        elif fault is not None and fault.replayed is not None:
            response = fault.replayed
        else:
            response = self._call_handler(request)
            if fault is not None:
                response = fault.changed(response)
                if fault.replay:
                    fault.replayed = response
        logged = LoggedRequest(
            request.method,
            request.path,
            request.query,
            request.headers,
            response.status if response else 0,
            request.body,
        )
        self._log.add(logged, generation)
        return response

    def _call_handler(self, request: Request) -> Response:
        try:
            return self.handle(request)
        except ApiError as error:
            return Response.error(error.status, error.message)
        except Exception:
            traceback.print_exc()
            return Response.error(500, "Internal Server Error")

    def _set_latency(self, body: dict) -> None:
        seconds = body.get("seconds")
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
            raise ValueError("latency needs 'seconds', a number of at least 0")
        self.latency = float(seconds)

    def _control(self, request: Request) -> Response:
        what = request.path[len(CONTROL_PREFIX) :].strip("/")
        actions: dict[tuple[str, str], Callable[[], Any]] = {
            ("faults", "GET"): self._faults.listed,
            ("faults", "POST"): lambda: self.inject(**json.loads(request.body or b"{}")),
            ("faults", "DELETE"): self.clear_faults,
            ("requests", "GET"): lambda: [logged.as_json() for logged in self.requests],
            ("requests", "DELETE"): self.clear_log,
            ("latency", "POST"): lambda: self._set_latency(json.loads(request.body or b"{}")),
        }
        action = actions.get((what, request.method))
        if action is None:
            return Response.error(404, "Not Found")
        try:
            result = action()
        except (TypeError, ValueError) as error:
            return Response.error(400, str(error))
        return Response(json={"ok": True} if result is None else result)
