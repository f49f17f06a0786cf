"""mongoose-spc: session phone numbers from Mongoose's SPC SOAP API, as a library and a command.

    from tap_mongoose.spc import SpcClient

    spc = SpcClient(username, api_key)  # the WSDL shipped in the package, or wsdl="https://..."
    number = spc.get_number(campaign_code, keywords="spring sale", custom_fields={1: "twitter:42"})
    spc.update(number.session_id, custom_fields={2: "adcopy-B"})

    mongoose-spc get-number CAMPAIGN_CODE [--keywords TEXT] [--custom N=VALUE ...] [--json]
    mongoose-spc update SESSION_ID [--keywords TEXT] [--custom N=VALUE ...] [--json]

These calls hand out numbers and change data at Mongoose: tap-mongoose never makes them. Every
name of the (assumed) SOAP contract comes from spc_contract.py.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import typing as t
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property

import requests
import zeep
import zeep.exceptions
from defusedxml import ElementTree
from zeep.transports import Transport

from tap_mongoose import spc_contract as sc
from tap_mongoose.common.redact import Redactor
from tap_mongoose.common.transport import OriginBoundSession, OriginError, url_problem

ENV_USERNAME = "MONGOOSE_USERNAME"
ENV_API_KEY = "MONGOOSE_API_KEY"
ENV_WSDL = "MONGOOSE_SPC_WSDL"

EXIT_REFUSED = 1  # Mongoose refused the call: fix the input
EXIT_USAGE = 2  # bad or missing arguments
EXIT_TEMPORARY = 75  # EX_TEMPFAIL: the same call may pass later

NETWORK_ERROR = "NETWORK_ERROR"
HTTP_ERROR = "HTTP_ERROR"
WSDL_ERROR = "WSDL_ERROR"
INVALID_ANSWER = "INVALID_ANSWER"
SOAP_FAULT = "SOAP_FAULT"
_ERRNO_REASON = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")


class SpcError(Exception):
    """A call that did not succeed: an SPC fault, or no usable answer at all.

    `code` is the contract's ErrorCode (AUTH_FAILED, SESSION_EXPIRED, ...) or one of this
    module's: NETWORK_ERROR, HTTP_ERROR, WSDL_ERROR, INVALID_ANSWER, SOAP_FAULT.
    """

    def __init__(self, code: str, message: str, *, temporary: bool = False) -> None:
        self.code = code
        self.message = " ".join(message.split())
        self.temporary = temporary or code in sc.TEMPORARY_ERRORS
        super().__init__(str(self))

    def __str__(self) -> str:
        hint = sc.HINTS.get(self.code)
        return f"{self.code}: {self.message}" + (f" ({hint})" if hint else "")


@dataclass(frozen=True)
class SessionNumber:
    """A number handed out for one session: calls to it until `expires_at` are attributed to it."""

    phone_number: str
    session_id: str
    expires_at: datetime
    campaign_code: str
    reference_id: str | None = None

    def as_dict(self) -> dict[str, t.Any]:
        return {
            "phone_number": self.phone_number,
            "session_id": self.session_id,
            "expiration_time": _utc_text(self.expires_at),
            "campaign_code": self.campaign_code,
            "reference_id": self.reference_id,
        }


@dataclass(frozen=True)
class SessionUpdate:
    """The answer to an update; updates never extend a session."""

    success: bool
    session_id: str
    expires_at: datetime

    def as_dict(self) -> dict[str, t.Any]:
        return {
            "success": self.success,
            "session_id": self.session_id,
            "expiration_time": _utc_text(self.expires_at),
        }


class NotSoapError(Exception):
    """An answer to a call that is not SOAP: an error page, or an answer cut off."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status

    @property
    def temporary(self) -> bool:
        """Whether the same call may pass later: anything but a refusal (4xx other than 429)."""
        return not 400 <= self.status < 500 or self.status == 429


def is_soap(status: int, content: bytes) -> bool:
    """Whether an answer is a SOAP envelope, holding a fault unless its status is 200."""
    try:
        root = ElementTree.fromstring(content)
    except (ElementTree.ParseError, ValueError):  # not XML, or XML with entities
        return False
    body = root.find(sc.SOAP_BODY)
    if root.tag != sc.SOAP_ENVELOPE or body is None:
        return False
    return status == 200 or body.find(sc.SOAP_FAULT) is not None


class SpcTransport(Transport):
    """zeep's transport, with the calls (whose envelope carries the key) kept on the endpoint.

    The WSDL is read as zeep reads it. A call goes only to the origin of the WSDL's
    soap:address and never follows a redirect: requests would send the envelope, key
    included, again to wherever it points. A call has `timeout` seconds in all, body
    included. Its answer must be SOAP: an HTML error page or a cut-off answer is a
    `NotSoapError`, not a puzzle for zeep. Unlike zeep's own, it never logs the envelope.
    """

    def __init__(self, timeout: float) -> None:
        super().__init__(timeout=timeout, operation_timeout=timeout)
        self.calls: OriginBoundSession | None = None

    def post(self, address: str, message: t.Any, headers: dict[str, str]) -> requests.Response:
        if self.calls is None:  # zeep posts to the bound port's soap:address, the endpoint
            self.calls = OriginBoundSession(address, describe="Mongoose SPC")
        response = self.calls.post(
            address, data=message, headers=headers, timeout=self.operation_timeout
        )
        if not is_soap(response.status_code, response.content):
            raise NotSoapError(response.status_code)
        return response


def _utc_text(moment: datetime) -> str:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class SpcClient:
    """The two SPC operations, through zeep, with every failure raised as `SpcError`.

    `wsdl` is a URL or a file; None means the WSDL of the assumed contract shipped in this
    package. Calls are not retried: a number may have been handed out even when its answer was
    lost, so the caller decides (`SpcError.temporary` says whether trying again can help).
    """

    def __init__(
        self, username: str, api_key: str, wsdl: str | None = None, *, timeout: float = 30.0
    ) -> None:
        self.username = username
        self._api_key = api_key
        self._redact = Redactor([api_key])
        self.wsdl = wsdl or str(sc.WSDL_PATH)
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"SpcClient(username={self.username!r}, api_key='***', wsdl={self.wsdl!r})"

    def get_number(
        self,
        campaign_code: str,
        keywords: str | None = None,
        custom_fields: t.Mapping[int, str] | None = None,
        reference_id: str | None = None,
    ) -> SessionNumber:
        """A session number of an SPC campaign, optionally tagged from the start."""
        answer = self._call(
            sc.GET_SESSION_NUMBER,
            **{
                sc.CAMPAIGN_CODE: campaign_code,
                sc.KEYWORDS: keywords,
                sc.CUSTOM_FIELDS: self._custom_fields(custom_fields),
                sc.REFERENCE_ID: reference_id,
            },
        )
        return SessionNumber(
            phone_number=str(answer[sc.PHONE_NUMBER]),
            session_id=str(answer[sc.SESSION_ID]),
            expires_at=_utc(answer[sc.EXPIRATION_TIME]),
            campaign_code=str(answer[sc.CAMPAIGN_CODE]),
            reference_id=answer[sc.REFERENCE_ID],
        )

    def update(
        self,
        session_id: str | None = None,
        *,
        phone_number: str | None = None,
        keywords: str | None = None,
        custom_fields: t.Mapping[int, str] | None = None,
    ) -> SessionUpdate:
        """Replace a live session's keywords and set (or, with "", clear) custom fields.

        The session is named by its id, or by its number while it is live.
        """
        if not session_id and not phone_number:
            raise ValueError("update needs a session_id or a phone_number")
        answer = self._call(
            sc.UPDATE_SESSION_DATA,
            **{
                sc.SESSION_ID: session_id,
                sc.PHONE_NUMBER: phone_number,
                sc.KEYWORDS: keywords,
                sc.CUSTOM_FIELDS: self._custom_fields(custom_fields),
            },
        )
        return SessionUpdate(
            success=bool(answer[sc.SUCCESS]),
            session_id=str(answer[sc.SESSION_ID]),
            expires_at=_utc(answer[sc.EXPIRATION_TIME]),
        )

    # zeep

    @staticmethod
    def _custom_fields(fields: t.Mapping[int, str] | None) -> dict[str, t.Any] | None:
        if not fields:
            return None
        return {
            sc.CUSTOM_FIELD: [
                {sc.FIELD_NUMBER: int(number), sc.FIELD_VALUE: str(value)}
                for number, value in sorted(fields.items())
            ]
        }

    @cached_property
    def endpoint(self) -> str:
        """Where the calls go, and the key with them: the WSDL's soap:address."""
        return str(self._client.wsdl.services[sc.SERVICE].ports[sc.PORT].binding_options["address"])

    @cached_property
    def _client(self) -> zeep.Client:
        try:
            return zeep.Client(self.wsdl, transport=SpcTransport(self.timeout))
        except (OSError, requests.RequestException) as error:
            msg = f"cannot read the WSDL {self.wsdl}: {_reason(error)}"
            status = getattr(getattr(error, "response", None), "status_code", None) or 500
            network = isinstance(error, requests.RequestException) and status >= 500
            raise self._error(WSDL_ERROR, msg, temporary=network) from None
        except (zeep.exceptions.Error, ValueError) as error:
            raise self._error(WSDL_ERROR, f"the WSDL {self.wsdl} is not usable: {error}") from None

    @cached_property
    def _service(self) -> t.Any:
        try:
            problem = url_problem(self.endpoint)
        except (KeyError, AttributeError):
            msg = f"the WSDL {self.wsdl} has no {sc.SERVICE}/{sc.PORT} with a soap:address"
            raise self._error(WSDL_ERROR, msg) from None
        if problem:
            msg = f"the endpoint of the WSDL {self.wsdl}, {self.endpoint}, {problem}"
            raise self._error(WSDL_ERROR, msg)
        return self._client.bind(sc.SERVICE, sc.PORT)

    def _call(self, operation: str, **values: t.Any) -> t.Any:
        header = {sc.AUTH_HEADER: {sc.AUTH_USERNAME: self.username, sc.AUTH_API_KEY: self._api_key}}
        arguments = {name: value for name, value in values.items() if value is not None}
        service = self._service
        try:
            return getattr(service, operation)(**arguments, _soapheaders=header)
        except zeep.exceptions.Fault as fault:
            raise self._fault(fault) from None
        except NotSoapError as error:
            msg = f"SPC answered HTTP {error.status} with an error page or a cut-off answer"
            raise self._error(HTTP_ERROR, msg, temporary=error.temporary) from None
        except OriginError as error:  # a redirect: the envelope is not sent again
            raise self._error(HTTP_ERROR, str(error)) from None
        except requests.RequestException as error:
            raise self._error(
                NETWORK_ERROR, f"cannot reach {self.endpoint}: {_reason(error)}", temporary=True
            ) from None
        except zeep.exceptions.Error as error:
            raise self._error(INVALID_ANSWER, f"SPC's answer is not usable: {error}") from None

    def _fault(self, fault: zeep.exceptions.Fault) -> SpcError:
        detail = fault.detail
        found = None
        if detail is not None:
            found = detail.find(f"{{{sc.NAMESPACE}}}{sc.FAULT_DETAIL}")
        if found is None:
            server = "server" in str(fault.code or "").lower()
            return self._error(SOAP_FAULT, fault.message or "SOAP fault", temporary=server)
        code = found.findtext(f"{{{sc.NAMESPACE}}}{sc.FAULT_ERROR_CODE}") or SOAP_FAULT
        message = found.findtext(f"{{{sc.NAMESPACE}}}{sc.FAULT_MESSAGE}") or fault.message
        return self._error(code.strip(), message or code)

    def _error(self, code: str, message: str, *, temporary: bool = False) -> SpcError:
        return SpcError(code, self._redact(message), temporary=temporary)


def _reason(error: BaseException) -> str:
    """The short cause of a network or file error ("Connection refused", "Read timed out")."""
    if isinstance(error, requests.Timeout):
        return "timed out"
    found = _ERRNO_REASON.search(str(error))
    if found:
        return found.group(1).strip()
    if isinstance(error, requests.ConnectionError):
        return "connection failed or closed without an answer"
    return str(error).splitlines()[0] if str(error) else type(error).__name__


# The command


def _custom_field(text: str) -> tuple[int, str]:
    number, sep, value = text.partition("=")
    if not sep or not number.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not N=VALUE (e.g. 1=twitter:12345)")
    return int(number), value


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: an option given before the command is not reset by the command's defaults.
    common.add_argument(
        "--username", default=argparse.SUPPRESS, help=f"Mongoose username (or ${ENV_USERNAME})"
    )
    common.add_argument(
        "--api-key",
        default=argparse.SUPPRESS,
        help=f"API key (or ${ENV_API_KEY}, which keeps it out of the process list)",
    )
    common.add_argument(
        "--wsdl",
        default=argparse.SUPPRESS,
        help=f"WSDL URL or file (or ${ENV_WSDL}); default: the one shipped in the package",
    )
    common.add_argument(
        "--timeout", type=float, default=argparse.SUPPRESS, help="seconds per call (default 30)"
    )
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print JSON, for scripts"
    )
    parser = argparse.ArgumentParser(
        prog="mongoose-spc",
        parents=[common],
        description="Session phone numbers from the Mongoose Metrics SPC API.",
        epilog="Exit status: 0 done, 1 refused by Mongoose, 2 bad usage, 75 temporary "
        "(no number free, rate limited, network): try again later.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    get = commands.add_parser(
        "get-number",
        parents=[common],
        help="ask for a session number of an SPC campaign",
        description="Ask for a session number; print the number, session id and expiry.",
    )
    get.add_argument("campaign_code", help="the SPC campaign's code (32 hex digits)")
    get.add_argument("--keywords", help="initial keywords of the session")
    get.add_argument(
        "--custom",
        type=_custom_field,
        action="append",
        metavar="N=VALUE",
        help="custom field N (1-10), e.g. 1=twitter:12345; repeatable",
    )
    get.add_argument("--reference-id", help="your own correlation id, echoed back")
    update = commands.add_parser(
        "update",
        parents=[common],
        help="change keywords and custom fields of a live session",
        description="Replace the keywords and set custom fields of a live session number.",
    )
    update.add_argument("session_id", nargs="?", help="the session id from get-number")
    update.add_argument("--phone-number", help="name the session by its number instead")
    update.add_argument("--keywords", help="new keywords (replace the current ones)")
    update.add_argument(
        "--custom",
        type=_custom_field,
        action="append",
        metavar="N=VALUE",
        help="set custom field N (1-10); N= clears it; repeatable",
    )
    return parser


def _table(values: dict[str, t.Any]) -> str:
    rows = [(name.replace("_", " "), value) for name, value in values.items() if value is not None]
    width = max(len(name) for name, _ in rows)
    shown = {True: "yes", False: "no"}
    return "\n".join(f"{name:<{width}}  {shown.get(value, value)}" for name, value in rows)


def main(argv: list[str] | None = None) -> int:
    """The `mongoose-spc` command; failures are one line on stderr and a non-zero exit."""
    parser = _parser()
    options = parser.parse_args(argv)
    username = getattr(options, "username", None) or os.environ.get(ENV_USERNAME)
    api_key = getattr(options, "api_key", None) or os.environ.get(ENV_API_KEY)
    wsdl = getattr(options, "wsdl", None) or os.environ.get(ENV_WSDL) or None
    if not username or not api_key:
        missing = (
            "--username or $" + ENV_USERNAME if not username else "--api-key or $" + ENV_API_KEY
        )
        parser.error(f"credentials missing: pass {missing}")
    if options.command == "update" and not (options.session_id or options.phone_number):
        parser.error("update needs a SESSION_ID or --phone-number")
    if options.command == "update" and options.keywords is None and not options.custom:
        parser.error("nothing to update: pass --keywords or --custom")
    client = SpcClient(username, api_key, wsdl, timeout=getattr(options, "timeout", 30.0))
    custom = dict(options.custom or [])
    try:
        if options.command == "get-number":
            result: SessionNumber | SessionUpdate = client.get_number(
                options.campaign_code, options.keywords, custom, options.reference_id
            )
        else:
            result = client.update(
                options.session_id,
                phone_number=options.phone_number,
                keywords=options.keywords,
                custom_fields=custom,
            )
    except SpcError as error:
        print(f"mongoose-spc: {error}", file=sys.stderr)
        return EXIT_TEMPORARY if error.temporary else EXIT_REFUSED
    except KeyboardInterrupt:
        print("mongoose-spc: interrupted", file=sys.stderr)
        return 130
    values = result.as_dict()
    print(json.dumps(values) if getattr(options, "json", False) else _table(values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
