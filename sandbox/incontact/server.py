"""The inContact simulator's HTTP wiring: both sign-ins and the whole API on one port.

Token requests and discovery documents go to auth.py. Every path under
`/inContactAPI/services/v{NN}.0/` (any version is answered) goes, once its bearer token
checks out, to its endpoint family: admin.py, contacts.py, performance.py or reports.py.
The server holds what tests may change while it runs (credentials, token lifetime, older
field names), the tokens, the report jobs and the world. It shapes every answer as inContact
does, injected faults included (faults.py). Opt-in: `report_files_elsewhere()` puts the
report files on another host (reports.py).
"""

from __future__ import annotations

import json
import random
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from sandbox.core.http import ApiError, Request, Response
from sandbox.core.router import Router
from sandbox.core.server import SandboxServer
from sandbox.incontact import admin, auth, contacts, performance, reports
from sandbox.incontact.admin import ADMIN_LISTS
from sandbox.incontact.auth import CENTRAL_AUTH_PATH, CXONE_AUTH_PATH, Tokens
from sandbox.incontact.faults import Refusal, as_incontact_answers, error_answer, injected_body
from sandbox.incontact.report_files import report_csv
from sandbox.incontact.reports import (
    CUSTOM_REPORTS,
    DOWNLOAD_REPORTS,
    ReportFileHost,
    ReportJobs,
)
from sandbox.incontact.world import World

Params = dict[str, str]
Handler = Callable[[Request, int, Params], Response]

_API_PATH = re.compile(r"^/inContactAPI/services/v(\d+)\.0/(.+?)/?$", re.IGNORECASE)


class InContactSandbox(SandboxServer):
    """inContact Central and CXone sign-in plus the admin and reporting API, on one port."""

    def __init__(
        self, *, application_name: str = "DemoApp", vendor_name: str = "DemoVendor",
        business_unit: str = "4593101", username: str = "api.user@example.com",
        password: str = "sandbox-password", client_id: str = "sandbox-client",  # noqa: S107
        client_secret: str = "sandbox-client-secret",  # noqa: S107
        access_key_id: str = "sandbox-access-key",
        access_key_secret: str = "sandbox-access-secret",  # noqa: S107
        token_lifetime: int = 3600, agents: int = 40, contacts_per_day: int = 300, seed: int = 7,
        port: int = 0, legacy_fields: bool = False, now: datetime | None = None,
        time_zone: str | None = "Central Standard Time",
    ) -> None:  # fmt: skip
        super().__init__(port=port)
        self.application_name, self.vendor_name = application_name, vendor_name
        self.business_unit, self.username, self.password = business_unit, username, password
        self.client_id, self.client_secret = client_id, client_secret
        self.access_key_id, self.access_key_secret = access_key_id, access_key_secret
        self.token_lifetime, self.legacy_fields = token_lifetime, legacy_fields
        #: The business unit's zone as `GET business-unit` names it (None: it names none).
        self.time_zone = time_zone
        now = now or datetime.now(timezone.utc)
        now = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
        self.bus_no = int(business_unit) if business_unit.isdigit() else 4593101
        self.tenant_id = str(uuid.UUID(int=random.Random(f"tenant:{seed}").getrandbits(128)))
        self.tokens = Tokens()
        self.jobs = ReportJobs()
        self.file_host: ReportFileHost | None = None
        self.world = World(
            seed=seed, now=now, agents=max(1, agents), contacts_per_day=contacts_per_day
        )
        self._routes: Router[Handler] = Router()
        for route, handler in {
            "GET server-time": self._server_time, "GET contacts/completed": self._completed,
            "GET business-unit": self._business_unit,
            "GET agents/performance": self._agent_performance,
            "GET teams/performance-total": self._team_performance,
            "GET skills/summary": self._skill_summary, "GET reports": self._reports,
            "POST report-jobs/datadownload/{report_id}": self._data_download,
            "POST report-jobs/{report_id}": self._start_job, "GET report-jobs/{job_id}": self._job,
            "GET files": self._file,
            **{f"GET {name}": self._admin_list(name) for name in ADMIN_LISTS},
        }.items():  # fmt: skip
            self._routes.add(route, handler)

    # Public interface for tests

    @property
    def auth_url(self) -> str:
        return self.url + CENTRAL_AUTH_PATH

    @property
    def cxone_issuer(self) -> str:
        return self.url

    @property
    def api_base(self) -> str:
        """What tokens name as `resource_server_base_uri`: this server."""
        return self.url + "/inContactAPI/"

    @property
    def api_url(self) -> str:
        """`api_base`, under the name the other simulators use."""
        return self.api_base

    @property
    def report_ids(self) -> list[int]:
        """Runnable custom reports (Public and Private)."""
        return [r.id for r in CUSTOM_REPORTS if r.id is not None]

    @property
    def data_download_report_ids(self) -> list[int]:
        return [r.id for r in DOWNLOAD_REPORTS if r.id is not None]

    def env(self) -> dict[str, str]:
        names = ("url", "auth_url", "cxone_issuer", "api_base", "application_name", "vendor_name",
                 "business_unit", "username", "password", "client_id", "client_secret",
                 "access_key_id", "access_key_secret")  # fmt: skip
        env = {f"INCONTACT_SANDBOX_{n.upper()}": str(getattr(self, n)) for n in names}
        env["INCONTACT_SANDBOX_ISSUER"] = env.pop("INCONTACT_SANDBOX_CXONE_ISSUER")
        for name in ("report_ids", "data_download_report_ids"):  # JSON arrays, as meltano reads
            env[f"INCONTACT_SANDBOX_{name.upper()}"] = json.dumps(
                getattr(self, name), separators=(",", ":")
            )
        return env

    @property
    def now(self) -> datetime:
        """The moment the data was drawn up to; `clock()` runs on from it in real time."""
        return self.world.now

    @property
    def seed(self) -> int:
        return self.world.seed

    @property
    def contacts_per_day(self) -> int:
        return self.world.contacts_per_day

    def clock(self) -> datetime:
        """The simulator's time: `now`, plus the real time since start, plus `advance()`."""
        return self.world.clock()

    def advance(self, seconds: float) -> None:
        """Move the clock on, so tokens expire and windows close without waiting."""
        self.world.advance(seconds)

    @property
    def tokens_issued(self) -> int:
        """Password grants answered; refreshes not counted."""
        return self.tokens.grants

    @property
    def refreshes(self) -> int:
        return self.tokens.refreshes

    def expire_tokens(self) -> None:
        """Invalidate every access token issued so far (refresh tokens still work)."""
        self.tokens.expire_access()

    def issued_tokens(self) -> list[str]:
        """Every access, refresh and id token handed out, to prove none leaks into output."""
        return self.tokens.issued()

    def touch_contact(self, contact_id: int, minutes_from_now: float = 0) -> None:
        """Update a contact later, as ACW or a supervisor does; it shows again to updatedSince."""
        self.world.touch_contact(contact_id, minutes_from_now)

    @contextmanager
    def report_files_elsewhere(self) -> Iterator[ReportFileHost]:
        """Opt-in: while inside, finished jobs name a `resultFileURL` on another host, which
        serves the files without sign-in (a storage service, say) and logs what reached it."""
        with ReportFileHost(self.jobs) as host:
            self.file_host = host
            try:
                yield host
            finally:
                self.file_host = None

    def report_csv(self, report_id: int, include_headers: bool = True) -> str:
        """The file a custom report's job produces."""
        return report_csv(self.world, report_id, include_headers)

    # Dispatch

    def start(self) -> InContactSandbox:
        self.world.contacts()  # drawn before the first request, not during a timed run
        return super().start()

    def inject(self, status: int | None = None, **options: Any) -> None:
        options["body"] = injected_body(status, options.get("body"))
        super().inject(status, **options)

    def respond(self, request: Request) -> Response | None:
        return as_incontact_answers(super().respond(request))

    def handle(self, request: Request) -> Response:
        try:
            return self._route(request)
        except ApiError as error:
            return error_answer(error)

    def _route(self, request: Request) -> Response:
        path, method = request.path, request.method
        if path.lower() == CENTRAL_AUTH_PATH.lower() and method == "POST":
            return auth.central_token(self, request)
        if path == CXONE_AUTH_PATH and method == "POST":
            return auth.cxone_token(self, request)
        if path == "/.well-known/openid-configuration":
            return auth.openid_configuration(self)
        if path == "/.well-known/cxone-configuration":
            return auth.cxone_configuration(self, request)
        match = _API_PATH.match(path)
        if match is None:
            raise Refusal(404, "Not Found")
        self.tokens.check_bearer(request, self.clock().timestamp())
        route = self._routes.match(f"{method} {match.group(2)}")
        if route is None:
            raise Refusal(404, f"No resource at {match.group(2)}")
        handler, params = route
        return handler(request, int(match.group(1)), params)

    # Endpoints: each family is handed what it reads, settings as they are at the request

    def _server_time(self, request: Request, version: int, params: Params) -> Response:
        return admin.server_time(self.world)

    def _business_unit(self, request: Request, version: int, params: Params) -> Response:
        return admin.business_unit(
            self.world, bus_no=self.bus_no, vendor_name=self.vendor_name, zone=self.time_zone
        )

    def _admin_list(self, name: str) -> Handler:
        def answer(request: Request, version: int, params: Params) -> Response:
            return admin.admin_list(
                self.world, name, request, version, base_url=self.url, bus_no=self.bus_no
            )

        return answer

    def _completed(self, request: Request, version: int, params: Params) -> Response:
        return contacts.completed(
            self.world, request, base_url=self.url, bus_no=self.bus_no, legacy=self.legacy_fields
        )

    def _agent_performance(self, request: Request, version: int, params: Params) -> Response:
        return performance.agent_performance(self.world, request)

    def _team_performance(self, request: Request, version: int, params: Params) -> Response:
        return performance.team_performance(self.world, request)

    def _skill_summary(self, request: Request, version: int, params: Params) -> Response:
        return performance.skill_summary(
            self.world, request, bus_no=self.bus_no, vendor_name=self.vendor_name,
            legacy=self.legacy_fields,
        )  # fmt: skip

    def _reports(self, request: Request, version: int, params: Params) -> Response:
        return reports.report_list(request, version, api_base=self.api_base, bus_no=self.bus_no)

    def _start_job(self, request: Request, version: int, params: Params) -> Response:
        return reports.start_job(self.jobs, self.world, request, params["report_id"])

    def _job(self, request: Request, version: int, params: Params) -> Response:
        file_host = self.file_host.url if self.file_host else None
        return reports.poll_job(
            self.jobs, self.world, params["job_id"], version=version, api_base=self.api_base,
            file_host=file_host,
        )  # fmt: skip

    def _file(self, request: Request, version: int, params: Params) -> Response:
        return reports.result_file(self.jobs, request)

    def _data_download(self, request: Request, version: int, params: Params) -> Response:
        return reports.data_download(self.world, request, params["report_id"])
