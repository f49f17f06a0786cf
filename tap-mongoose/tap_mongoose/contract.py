"""Everything tap-mongoose assumes about the Mongoose Metrics REST API v2, in one place.

Mongoose Metrics does not publish this API. Paths, parameter names, auth placement, envelope
keys, field names, date formats and error codes below are the ASSUMED contract of
docs/api/mongoose.md, designed from comparable call-tracking APIs, not vendor facts. With a
real account, correct them here (paths and auth placement are also settings); the streams and the
paging, windowing and state logic in client.py and streams.py read every name from this module.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qs, urlsplit

from defusedxml import ElementTree
from singer_sdk import typing as th

from tap_mongoose.common import schemas
from tap_mongoose.common.answers import AnswerProblem, json_answer, repaired_utf8
from tap_mongoose.common.schemas import props

if t.TYPE_CHECKING:
    import requests

# Paths, relative to the api_url setting (settings fulfilled_path and customer_report_path)
FULFILLED_PATH = "/get_fulfilled"
CUSTOMER_REPORT_PATH = "/customer_report"

# Authentication: HTTP Basic (username:api_key), or both as query parameters
AUTH_BASIC = "basic"
AUTH_PARAMS = "params"
AUTH_METHODS = (AUTH_BASIC, AUTH_PARAMS)
USERNAME_PARAM = "username"
API_KEY_PARAM = "api_key"

# Request parameters
START_DATE_PARAM = "start_date"
END_DATE_PARAM = "end_date"
PAGE_PARAM = "page"
PER_PAGE_PARAM = "per_page"
FORMAT_PARAM = "format"
FORMAT_JSON = "json"
FORMAT_XML = "xml"
RESPONSE_FORMATS = (FORMAT_JSON, FORMAT_XML)
ACCEPT = {FORMAT_JSON: "application/json", FORMAT_XML: "application/xml"}

#: Both report dates are calendar days in the account's time zone, both inclusive.
DATE_FORMAT = "%Y-%m-%d"
#: `call_date`, `created_date`: naive wall-clock times in the envelope's `timezone`.
LOCAL_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
#: Longest span of one request, in days, counting both ends (longer: DATE_RANGE_TOO_LARGE).
#: The only limit on a window: pages carry any number of records, so the tap reads windows
#: this wide and never narrows them.
MAX_DAYS_PER_REQUEST = 31
#: The largest `per_page`; larger values are clamped.
MAX_PAGE_SIZE = 1000
DEFAULT_TIMEZONE = "America/New_York"

# Response envelope (JSON keys; XML attributes of <response>)
STATUS = "status"
STATUS_SUCCESS = "success"
TIMEZONE = "timezone"
PAGE = "page"
TOTAL_PAGES = "total_pages"
RECORDS = "records"
ERROR = "error"
ERROR_CODE = "code"
ERROR_MESSAGE = "message"
# XML: <response ...><records><record><field>text</field>...</record></records></response>
XML_ROOT = "response"
XML_RECORDS = "records"
XML_RECORD = "record"
XML_ERROR = "error"  # <error code="AUTH_FAILED">message</error>

# Error codes
INVALID_DATE = "INVALID_DATE"
DATE_RANGE_TOO_LARGE = "DATE_RANGE_TOO_LARGE"
INVALID_PARAMETER = "INVALID_PARAMETER"
AUTH_FAILED = "AUTH_FAILED"
API_ACCESS_DISABLED = "API_ACCESS_DISABLED"
NOT_FOUND = "NOT_FOUND"
RATE_LIMITED = "RATE_LIMITED"
SERVER_ERROR = "SERVER_ERROR"
#: What the user can do about a refusal, by HTTP status.
HINTS = {
    400: "the request was refused; if the contract changed, correct tap_mongoose/contract.py",
    401: "check the username and api_key settings",
    403: "enable API access in the Mongoose portal, and use an API v2 key generated there "
    "(v1 keys only come from Mongoose support and do not work on v2)",
    404: "check api_url and the fulfilled_path and customer_report_path settings",
}


def report_params(first: date, last: date, page: int, per_page: int, fmt: str) -> dict[str, t.Any]:
    """The query of one page of a report covering the account-local days first..last."""
    return {
        START_DATE_PARAM: first.strftime(DATE_FORMAT),
        END_DATE_PARAM: last.strftime(DATE_FORMAT),
        PAGE_PARAM: page,
        PER_PAGE_PARAM: per_page,
        FORMAT_PARAM: fmt,
    }


# Reading answers


class ContractError(AnswerProblem):
    """An answer that does not have the shape the contract describes; the words follow
    "the answer"."""

    def __str__(self) -> str:
        return f"{super().__str__()}, unlike the assumed contract in tap_mongoose/contract.py"


@dataclass(frozen=True)
class Page:
    """One page of a report: its records, as raw as they came (XML values are text)."""

    timezone: str | None
    page: int
    total_pages: int
    records: list[dict[str, t.Any]]


def _is_xml(response: requests.Response) -> bool:
    content_type = response.headers.get("Content-Type", "").lower()
    if "xml" in content_type:
        return True
    if "json" in content_type:
        return False
    return response.content.lstrip()[:1] == b"<"


def _xml_root(response: requests.Response) -> t.Any:
    try:
        # A byte that is not UTF-8 in a name must not fail the sync: it becomes U+FFFD.
        root = ElementTree.fromstring(repaired_utf8(response))
    except ElementTree.ParseError as error:
        raise AnswerProblem(f"is not valid XML ({error})") from None
    if root.tag != XML_ROOT:
        raise ContractError(f"has the XML root <{root.tag}>, not <{XML_ROOT}>")
    return root


def _json_body(response: requests.Response) -> dict[str, t.Any]:
    body = json_answer(response)
    if not isinstance(body, dict):
        raise ContractError("is not a JSON object")
    return body


def _check_echo(envelope: dict[str, t.Any], response: requests.Response) -> None:
    """The envelope names the days and page it holds: they must be the ones asked for.

    An answer for other days (a cached or replayed one, or parameters the API ignored)
    would otherwise land under the wrong window, or twice.
    """
    request = response.request
    asked = parse_qs(urlsplit(str(request.url if request else response.url)).query)
    for name in (START_DATE_PARAM, END_DATE_PARAM, PAGE_PARAM):
        echoed, wanted = envelope.get(name), asked.get(name, [None])[0]
        if echoed is not None and wanted is not None and str(echoed) != wanted:
            raise ContractError(f"holds {name} {echoed}, not the {wanted} asked for")


def read_page(response: requests.Response) -> Page:
    """The page a successful answer carries, in either format."""
    if not response.content.strip():
        raise AnswerProblem("is empty")
    root = _xml_root(response) if _is_xml(response) else None
    envelope: dict[str, t.Any] = dict(root.attrib) if root is not None else _json_body(response)
    if envelope.get(STATUS) != STATUS_SUCCESS:
        code, message = read_error(response)
        raise ContractError(f"has status {envelope.get(STATUS)!r}: {code or ''} {message}".strip())
    if root is not None:
        records_element = root.find(XML_RECORDS)
        if records_element is None:
            raise ContractError(f"has no <{XML_RECORDS}> element")
        records = [
            {item.tag: item.text for item in record}
            for record in records_element
            if record.tag == XML_RECORD
        ]
    else:
        listed = envelope.get(RECORDS)
        if not isinstance(listed, list) or not all(isinstance(r, dict) for r in listed):
            raise ContractError(f"has no '{RECORDS}' list of objects")
        records = listed
    try:
        page, total_pages = int(envelope[PAGE]), int(envelope[TOTAL_PAGES])
    except (KeyError, TypeError, ValueError):
        raise ContractError(f"lacks '{PAGE}' or '{TOTAL_PAGES}'") from None
    _check_echo(envelope, response)
    return Page(envelope.get(TIMEZONE) or None, page, total_pages, records)


def read_error(response: requests.Response) -> tuple[str | None, str]:
    """(error code, message) of a refusal; the code is None when the body is not the contract's."""
    try:
        if _is_xml(response):
            error = _xml_root(response).find(XML_ERROR)
            if error is not None:
                return error.get(ERROR_CODE), (error.text or "").strip()
        else:
            detail = _json_body(response).get(ERROR)
            if isinstance(detail, dict):
                return detail.get(ERROR_CODE), str(detail.get(ERROR_MESSAGE) or "")
            if detail:
                return None, str(detail)
    except AnswerProblem:
        pass
    return None, " ".join(response.text.split())[:200]


# Reports


@dataclass(frozen=True)
class Report:
    """One report: its path setting, the date field it is filtered and ordered on, and fields."""

    path_setting: str
    date_field: str
    primary_keys: tuple[str, ...]
    #: The field bookmarks are kept on: the UTC start of a call, or the account-local day.
    replication_key: str
    #: Fields as the API sends them; any other field it sends passes through untyped.
    fields: tuple[th.Property, ...]
    #: Added field -> the naive account-local time it is computed from.
    local_times: dict[str, str] = field(default_factory=dict)
    #: Added field -> the unix-seconds (UTC) field it is computed from.
    epoch_times: dict[str, str] = field(default_factory=dict)
    #: Added boolean field -> (field, the value that means yes).
    flags: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Added field naming the time zone whose days the report's days are, for reports
    #: bucketed by day.
    zone_column: str | None = None
    #: (duration field, written-at unix time field): a record is written after it ends, which
    #: tells the two readings of a wall-clock time apart in the hour a clock goes back.
    written_after: tuple[str, str] | None = None

    @property
    def schema(self) -> dict[str, t.Any]:
        times = (*self.local_times, *self.epoch_times)
        added: list[th.Property] = [th.Property(name, th.DateTimeType) for name in times]
        added += [th.Property(name, th.BooleanType) for name in self.flags]
        if self.zone_column:
            added.append(
                th.Property(self.zone_column, th.StringType, description="IANA zone of the day")
            )
        return schemas.schema(*self.fields, *added)


S, INT, NUM = th.StringType, th.IntegerType, th.NumberType


FULFILLED = Report(
    path_setting="fulfilled_path",
    date_field="call_date",
    primary_keys=("cdr_rated_code",),
    replication_key="call_started_at",
    fields=(
        th.Property("cdr_rated_code", S, required=True),
        th.Property("cdr_entry_date", INT),
        *props("call_date", "account_code", "campaign_code", "campaign_name"),
        *props("incoming_number", "incoming_caller_name", "caller_state", "caller_areacode"),
        *props("caller_zip", "caller_timezone", "did_number", "destination_number"),
        *props("route_type", "status", "message"),
        *props("rings_count", "call_duration", kind=INT),
        th.Property("duration_in_mins", NUM),
        *props("recording_completed", "recording", "session_uniqueid"),
        *props("keywords", "keyword_type", "keyword_source", "promocode"),
        *props(*(f"custom{n}" for n in range(1, 11))),
        *props("callrate_charged", "charges_call", "charges_addresslookup", kind=NUM),
    ),
    local_times={"call_started_at": "call_date"},
    epoch_times={"cdr_entry_at": "cdr_entry_date"},
    flags={"recording_available": ("recording_completed", "Y")},
    written_after=("call_duration", "cdr_entry_date"),
)

CUSTOMERS = Report(
    path_setting="customer_report_path",
    date_field="report_date",
    primary_keys=("account_code", "report_date"),
    replication_key="report_date",
    fields=(
        th.Property("account_code", S, required=True),
        th.Property("report_date", th.DateType, required=True),
        *props("customer_name", "parent_account_code", "status", "created_date", "timezone"),
        *props(
            "campaign_count", "tracking_number_count", "total_calls", "answered_calls", kind=INT
        ),
        *props("unique_callers", "total_duration", kind=INT),
        *props("total_minutes", "charges_call", "charges_addresslookup", "total_charges", kind=NUM),
    ),
    local_times={"created_at": "created_date"},
    zone_column="time_zone",
)
