"""The Mongoose simulator's HTTP wiring: the REST API v2 and the SPC SOAP service, one port.

The WSDL is served at `/spc/SpcService.wsdl` (and `/spc/SpcService?wsdl`), POSTs to
`/spc/SpcService` are SOAP (soap.py, spc.py), and everything else is REST under `/api/v2`
(reports.py); both are admitted by auth.py. The server holds what tests may change while it
runs (credentials, the API access switch, the rate limiter, the SPC faults to inject) and
the interface they drive; the data is the world's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.core.http import Request, Response
from sandbox.core.server import SandboxServer
from sandbox.mongoose import auth, reports, soap, spc
from sandbox.mongoose.faults import SPC_ERRORS, Fault, Refusal
from sandbox.mongoose.render import refusal_answer, requested_format
from sandbox.mongoose.reports import API_PREFIX
from sandbox.mongoose.spc import SPC_PATH, WSDL_PATH
from sandbox.mongoose.world import Account, World

Record = dict[str, Any]


class MongooseSandbox(SandboxServer):
    """Mongoose's REST API v2 under `api_url` and its SPC SOAP service, with generated data."""

    def __init__(
        self,
        *,
        username: str = "sandbox-user",
        api_key: str = "sandbox-key",
        v1_api_key: str = "sandbox-v1-key",
        timezone_name: str = "America/New_York",
        sub_accounts: int = 2,
        campaigns_per_account: int = 3,
        calls_per_day: int = 25,
        history_days: int = 120,
        spc_pool_size: int = 4,
        session_minutes: int = 30,
        seed: int = 7,
        port: int = 0,
        rate_limit_per_minute: int = 60,
        now: datetime | None = None,
    ) -> None:
        super().__init__(port=port)
        self.username = username
        self.api_key = api_key
        #: A v1 key of the same login: refused on v2 with API_ACCESS_DISABLED.
        self.v1_api_key = v1_api_key
        #: Switch off to answer every call with API_ACCESS_DISABLED, as before access is enabled.
        self.api_access_enabled = True
        self.session_minutes = session_minutes
        #: Per username, REST and SOAP together; tests may change its limit and window.
        self.rate_limiter = auth.Limiter(rate_limit_per_minute, window=60.0)
        self._spc_faults: list[str] = []
        self.world = World(
            seed=seed,
            zone=ZoneInfo(timezone_name),
            now=now,
            sub_accounts=sub_accounts,
            campaigns_per_account=campaigns_per_account,
            calls_per_day=calls_per_day,
            history_days=history_days,
            spc_pool_size=spc_pool_size,
        )

    # Public interface for tests and the demo

    @property
    def api_url(self) -> str:
        return self.url + API_PREFIX

    @property
    def spc_wsdl_url(self) -> str:
        return self.url + WSDL_PATH

    @property
    def spc_endpoint(self) -> str:
        return self.url + SPC_PATH

    @property
    def zone(self) -> ZoneInfo:
        """The account's time zone: report days and `call_date` are local to it."""
        return self.world.zone

    @property
    def accounts(self) -> list[Account]:
        return self.world.accounts

    @property
    def account_codes(self) -> list[str]:
        return [account.code for account in self.world.accounts]

    @property
    def spc_campaign_codes(self) -> list[str]:
        """SPC campaigns: GetSessionNumber hands out numbers of their pools."""
        return [c.code for c in self.world.campaigns.values() if c.spc]

    @property
    def static_campaign_codes(self) -> list[str]:
        """Campaigns with fixed tracking numbers: GetSessionNumber answers INVALID_CAMPAIGN."""
        return [c.code for c in self.world.campaigns.values() if not c.spc]

    def pool(self, campaign_code: str) -> list[str]:
        return list(self.world.campaigns[campaign_code].numbers)

    def env(self) -> dict[str, str]:
        return {
            "MONGOOSE_SANDBOX_URL": self.api_url,
            "MONGOOSE_USERNAME": self.username,
            "MONGOOSE_API_KEY": self.api_key,
            "MONGOOSE_SPC_WSDL": self.spc_wsdl_url,
            "MONGOOSE_SANDBOX_SPC_CAMPAIGN": self.spc_campaign_codes[0],
        }

    def now(self) -> datetime:
        return self.world.now()

    def local_time(self, moment: datetime) -> str:
        """How the REST API shows an instant: naive wall-clock time in the account's zone."""
        return self.world.local_time(moment)

    def calls(self) -> list[Record]:
        """Every fulfilled call, oldest first, as the REST API shows it."""
        return self.world.calls()

    def add_call(self, at: datetime, campaign_code: str | None = None, **fields: Any) -> str:
        """A call written late (rated now), as records appear after the fact; returns its key."""
        return self.world.add_call(at, campaign_code, fields)

    def update_call(self, cdr_rated_code: str, **fields: Any) -> None:
        """Change a call after the fact, as rating and recordings do up to 48 hours later."""
        self.world.update_call(cdr_rated_code, fields)

    def delete_call(self, cdr_rated_code: str) -> None:
        self.world.delete_call(cdr_rated_code)

    def call_session_number(
        self, phone_number: str, at: datetime | None = None, **fields: Any
    ) -> str:
        """Someone calls an SPC number: the call carries the live session's attribution."""
        return self.world.call_session_number(phone_number, at or self.now(), fields)

    def session(self, session_id: str) -> Record:
        return self.world.session(session_id)

    @property
    def sessions(self) -> list[Record]:
        return self.world.all_sessions()

    def expire_session(self, session_id: str) -> None:
        """End a session now, as its ExpirationTime passing would."""
        self.world.expire_session(session_id)

    def fail_spc(self, error_code: str, count: int = 1) -> None:
        """Answer the next `count` SOAP calls with this SpcFault (e.g. RATE_LIMITED)."""
        if error_code not in SPC_ERRORS:
            raise ValueError(f"not an SPC error code: {error_code}")
        with self.world.lock:
            self._spc_faults.extend([error_code] * count)

    # Dispatch

    def handle(self, request: Request) -> Response:
        if request.path == WSDL_PATH or (request.path == SPC_PATH and "wsdl" in request.query):
            return Response(
                body=spc.wsdl(self.spc_endpoint), content_type="text/xml; charset=utf-8"
            )
        if request.path == SPC_PATH:
            return self._soap(request)
        return self._rest(request)

    def _rest(self, request: Request) -> Response:
        fmt = "json"
        try:
            fmt = requested_format(request)
            report = reports.report_name(request)
            auth.admit(self, auth.rest_credentials(request))
            return reports.report_page(self.world, request, report, fmt)
        except Refusal as refusal:
            return refusal_answer(refusal, fmt)

    def _soap(self, request: Request) -> Response:
        try:
            envelope = soap.read_envelope(request)
            self._raise_injected_fault()
            try:
                auth.admit(self, soap.credentials(envelope))
            except Refusal as refusal:
                raise Fault(refusal.code, refusal.message) from None
            operation = soap.operation(envelope)
            with self.world.lock:
                answer = spc.perform(self.world, operation, self.session_minutes)
            return soap.answer(answer)
        except Fault as fault:
            return soap.fault_answer(fault)

    def _raise_injected_fault(self) -> None:
        """The next fault queued by `fail_spc`, before credentials are even read."""
        with self.world.lock:
            if self._spc_faults:
                code = self._spc_faults.pop(0)
                raise Fault(code, f"Injected fault {code}")
