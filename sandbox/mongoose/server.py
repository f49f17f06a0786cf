"""A local Mongoose Metrics: the REST API v2 and the SPC SOAP API of the ASSUMED contract.

Both APIs follow ../shared/api/mongoose.md, which is an assumption (Mongoose publishes neither),
so this simulator is the contract's reference, not the vendor's. One server answers both:

- REST v2 under `/api/v2`: `get_fulfilled` and `customer_report`, Basic or query-parameter
  auth, JSON or XML, page/per_page/total_pages, the 31-day limit, naive account-local times
  with the envelope's `timezone` (DST included), records ordered by date then key, 60
  requests a minute per username (429 with Retry-After), errors in the requested format.
- SPC SOAP 1.1 at `/spc/SpcService`, its WSDL at `/spc/SpcService.wsdl` (the one tap-mongoose
  ships, with `soap:address` pointing here): GetSessionNumber hands out numbers from each SPC
  campaign's pool until they expire; UpdateSessionData changes their keywords and custom fields.
  A call to a session number (`call_session_number`) is attributed to its live session.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from defusedxml import ElementTree

from sandbox._server import Request, Response, SandboxServer
from sandbox.mongoose import auth, reports
from sandbox.mongoose.faults import SPC_ERRORS, Fault, Refusal
from sandbox.mongoose.render import XML_TYPE, refusal_answer, requested_format
from sandbox.mongoose.reports import API_PREFIX
from sandbox.mongoose.world import Account, Session, World

Record = dict[str, Any]

SPC_PATH = "/spc/SpcService"
WSDL_PATH = "/spc/SpcService.wsdl"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SPC_NS = "urn:mongoosemetrics:spc:v1"


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
            return Response(body=self._wsdl(), content_type="text/xml; charset=utf-8")
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

    # SOAP

    def _wsdl(self) -> bytes:
        text = resources.files("tap_mongoose").joinpath("wsdl/SpcService.wsdl").read_text("utf-8")
        address = f'<soap:address location="{self.spc_endpoint}"/>'
        return re.sub(r"<soap:address\b[^>]*/>", address, text).encode()

    def _soap(self, request: Request) -> Response:
        try:
            if request.method != "POST":
                raise Fault(None, "SOAP requests are POSTed")
            envelope = _parse_soap(request.body)
            with self.world.lock:
                if self._spc_faults:
                    code = self._spc_faults.pop(0)
                    raise Fault(code, f"Injected fault {code}")
            header = _spc(envelope, f"{{{SOAP_NS}}}Header/{{{SPC_NS}}}AuthHeader")
            given = [(_text(header, "Username") or "", _text(header, "ApiKey") or "")]
            try:
                auth.admit(self, given if header is not None else [])
            except Refusal as refusal:
                raise Fault(refusal.code, refusal.message) from None
            body = envelope.find(f"{{{SOAP_NS}}}Body")
            operation = next(iter(body), None) if body is not None else None
            if operation is None:
                raise Fault(None, "The SOAP body is empty")
            with self.world.lock:
                if operation.tag == f"{{{SPC_NS}}}GetSessionNumber":
                    answer = self._get_session_number(operation)
                elif operation.tag == f"{{{SPC_NS}}}UpdateSessionData":
                    answer = self._update_session_data(operation)
                else:
                    raise Fault(None, f"Unknown operation {operation.tag}")
            return Response(body=_soap_envelope(answer), content_type=XML_TYPE)
        except Fault as fault:
            return Response(500, body=_soap_fault(fault), content_type=XML_TYPE)

    def _get_session_number(self, operation: Any) -> str:
        code = _text(operation, "CampaignCode") or ""
        campaign = self.world.campaigns.get(code)
        if campaign is None or not campaign.spc:
            raise Fault("INVALID_CAMPAIGN", f"{code or 'No campaign'} is not an SPC campaign")
        custom = _custom_fields(operation)
        now = self.now().replace(microsecond=0)
        held = {s.phone_number for s in self.world.sessions.values() if s.expires > now}
        free = [number for number in campaign.numbers if number not in held]
        if not free:
            raise Fault("NO_NUMBER_AVAILABLE", f"Every number of campaign {code} is in use")
        session = Session(
            id=f"{self.world.rng.getrandbits(128):032x}",
            campaign=campaign,
            phone_number=free[0],
            expires=now + timedelta(minutes=self.session_minutes),
            keywords=_text(operation, "Keywords") or None,
            custom={n: v for n, v in custom.items() if v},
            reference_id=_text(operation, "ReferenceId"),
        )
        self.world.sessions[session.id] = session
        return _soap_element(
            "GetSessionNumberResponse",
            PhoneNumber=session.phone_number,
            SessionId=session.id,
            ExpirationTime=_utc_z(session.expires),
            CampaignCode=campaign.code,
            ReferenceId=session.reference_id,
        )

    def _update_session_data(self, operation: Any) -> str:
        session_id, number = _text(operation, "SessionId"), _text(operation, "PhoneNumber")
        now = self.now()
        if session_id:
            session = self.world.sessions.get(session_id)
            if session is None:
                raise Fault("SESSION_NOT_FOUND", f"No session {session_id}")
            if number and number != session.phone_number:
                raise Fault("SESSION_NOT_FOUND", f"{number} is not the number of {session_id}")
        elif number:
            found = self.world.live_session(number, now) or self.world.last_session(number)
            if found is None:
                raise Fault("SESSION_NOT_FOUND", f"No session holds {number}")
            session = found
        else:
            raise Fault("SESSION_NOT_FOUND", "SessionId or PhoneNumber is required")
        if session.expires <= now:
            raise Fault(
                "SESSION_EXPIRED", f"Session {session.id} expired at {_utc_z(session.expires)}"
            )
        custom = _custom_fields(operation)
        if _spc(operation, f"{{{SPC_NS}}}Keywords") is not None:
            session.keywords = _text(operation, "Keywords") or None
        for number_, value in custom.items():
            if value:
                session.custom[number_] = value
            else:
                session.custom.pop(number_, None)
        return _soap_element(
            "UpdateSessionDataResponse",
            Success="true",
            SessionId=session.id,
            ExpirationTime=_utc_z(session.expires),
        )


# XML


def _parse_soap(body: bytes) -> Any:
    try:
        envelope = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise Fault(None, f"Not XML: {error}") from None
    if envelope.tag != f"{{{SOAP_NS}}}Envelope":
        raise Fault(None, "Not a SOAP 1.1 envelope")
    return envelope


def _spc(element: Any, path: str) -> Any:
    return None if element is None else element.find(path)


def _text(element: Any, name: str) -> str | None:
    found = _spc(element, f"{{{SPC_NS}}}{name}")
    if found is None:
        return None
    return (found.text or "").strip()


def _custom_fields(operation: Any) -> dict[int, str]:
    fields: dict[int, str] = {}
    for item in operation.findall(f"{{{SPC_NS}}}CustomFields/{{{SPC_NS}}}CustomField"):
        number, value = _text(item, "FieldNumber") or "", _text(item, "Value") or ""
        if not number.isdigit() or not 1 <= int(number) <= 10:
            raise Fault("INVALID_FIELD", f"FieldNumber must be 1 to 10, not {number!r}")
        if len(value) > 255:
            raise Fault("INVALID_FIELD", f"Custom field {number} is longer than 255 characters")
        fields[int(number)] = value
    return fields


def _utc_z(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _soap_element(name: str, **values: str | None) -> str:
    inner = "".join(
        f"<spc:{key}>{escape(value)}</spc:{key}>"
        for key, value in values.items()
        if value is not None
    )
    return f"<spc:{name}>{inner}</spc:{name}>"


def _soap_envelope(body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<soap:Envelope xmlns:soap="{SOAP_NS}" '
        f'xmlns:spc="{SPC_NS}"><soap:Body>{body}</soap:Body></soap:Envelope>'
    ).encode()


def _soap_fault(fault: Fault) -> bytes:
    faultcode = "soap:Server" if fault.server else "soap:Client"
    detail = ""
    if fault.code:
        detail = (
            "<detail>"
            + _soap_element("SpcFault", ErrorCode=fault.code, Message=fault.message)
            + "</detail>"
        )
    return _soap_envelope(
        f"<soap:Fault><faultcode>{faultcode}</faultcode>"
        f"<faultstring>{escape(fault.message)}</faultstring>{detail}</soap:Fault>"
    )
