"""The CallRail base streams: URL, sign-in, paging, errors, retries, throttle and clean-up."""

from __future__ import annotations

import collections
import logging
import time
import typing as t
from datetime import datetime, timedelta
from functools import cached_property
from urllib.parse import ParseResult, parse_qsl, urlparse

import requests
from singer_sdk import RESTStream
from singer_sdk.authenticators import APIKeyAuthenticator
from singer_sdk.exceptions import FatalAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.pagination import (
    BaseAPIPaginator,
    BaseHATEOASPaginator,
    PageNumberPaginator,
    SinglePagePaginator,
)

from tap_callrail import retries
from tap_callrail.dates import bookmark_in, day_windows, parse_timestamp, to_utc_iso

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context
    from singer_sdk.streams.rest import HTTPRequest, PageContext

    from tap_callrail.tap import TapCallRail

PAGE_SIZE = 250  # CallRail's maximum per_page
UTC_ZONE = (
    "Etc/UTC"  # sent with every date filter, so CallRail never reads dates in the user's zone
)


class ApiKeyRejectedError(FatalAPIError):
    """CallRail answered 401: retrying cannot help."""


class AccessDeniedError(FatalAPIError):
    """CallRail answered 403: the plan or the key's role does not include this data."""


def response_body(response: requests.Response) -> t.Any:
    """The decoded JSON body, decoded once per page and shared by parser and paginator."""
    if "_decoded_body" not in response.__dict__:
        response.__dict__["_decoded_body"] = response.json()
    return response.__dict__["_decoded_body"]


def retry_wait_seconds(exception: BaseException, attempt: int) -> float:
    """How long to wait before retry number `attempt` (0-based) after `exception`.

    CallRail's limit is per hour, so a 429 waits long: `Retry-After` when CallRail sends
    it, otherwise a minute doubling to 15 minutes. Other failures back off from 1 second.
    """
    response = getattr(exception, "response", None)
    if response is not None and response.status_code == 429:
        retry_after = response.headers.get("Retry-After", "")
        if retry_after.replace(".", "", 1).isdigit():
            return float(retry_after)
        return float(min(60 * 2**attempt, 900))
    return float(min(2**attempt, 60))


class HourlyBudget:
    """At most `limit` requests in any sliding hour; waits when the hour's budget is spent."""

    def __init__(self, limit: int, logger: logging.Logger) -> None:
        self.limit = limit
        self.logger = logger
        self._sent: collections.deque[float] = collections.deque()

    def acquire(self) -> None:
        now = time.monotonic()
        while self._sent and now - self._sent[0] >= 3600:
            self._sent.popleft()
        if len(self._sent) >= self.limit:
            wait = 3600 - (now - self._sent[0])
            self.logger.info("Hourly request budget of %d spent; waiting %.0f s", self.limit, wait)
            time.sleep(wait)
            self._sent.popleft()
        self._sent.append(time.monotonic())


class TotalPagesPaginator(PageNumberPaginator):
    """CallRail's offset pages: stop on `total_pages`, never by requesting an empty page."""

    def has_more(self, response: requests.Response) -> bool:
        body = response_body(response)
        return bool(body["page"] < body["total_pages"])


class NextPagePaginator(BaseHATEOASPaginator):
    """CallRail's relative pagination: follow `next_page` while `has_next_page` says so."""

    def get_next_url(self, response: requests.Response) -> str | None:
        body = response_body(response)
        return body["next_page"] if body.get("has_next_page") else None


def _conformer(schema: dict, name: str = "") -> t.Callable[[t.Any], t.Any] | None:
    """A function that fixes what CallRail sends for `schema`, or None if nothing needs fixing.

    CallRail sends ids as integers or masked strings, and timestamps with any offset;
    records carry ids as strings and timestamps in UTC.
    """
    types = schema.get("type", [])
    if "object" in types and "properties" in schema:
        fields = {
            field: conform
            for field, sub_schema in schema["properties"].items()
            if (conform := _conformer(sub_schema, field))
        }
        if not fields:
            return None

        def conform_object(value: t.Any) -> t.Any:
            if isinstance(value, dict):
                for field, conform in fields.items():
                    if value.get(field) is not None:
                        value[field] = conform(value[field])
            return value

        return conform_object
    if "array" in types and (conform_item := _conformer(schema.get("items", {}), name)):
        item = conform_item
        return lambda value: [item(v) for v in value] if isinstance(value, list) else value
    if "string" in types and schema.get("format") == "date-time":
        return to_utc_iso
    if "string" in types and (name == "id" or name.endswith("_id")):
        return lambda value: str(value) if isinstance(value, (int, float)) else value
    return None


class CallRailStream(RESTStream[t.Any]):
    """Shared by every CallRail stream: one GET per page of `records_key` items."""

    records_key: t.ClassVar[str]
    #: Fields CallRail leaves out unless asked for with `fields=` (it only ever adds fields).
    optional_fields: tuple[str, ...] = ()
    #: post_process already gives nested values their declared types, so the SDK's own
    #: pass stays at the top level of the record.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.ROOT_ONLY

    @property
    def tap(self) -> TapCallRail:
        return t.cast("TapCallRail", self._tap)

    @property
    def url_base(self) -> str:
        return str(self.config["api_url"]).rstrip("/")

    @cached_property
    def authenticator(self) -> APIKeyAuthenticator:
        return APIKeyAuthenticator(
            key="Authorization", value=f'Token token="{self.config["api_key"]}"', location="header"
        )

    @property
    def timeout(self) -> int:
        return int(self.config["request_timeout"])

    @property
    def http_headers(self) -> dict:
        return {"Request-From": "meltano_tap_callrail", "Accept": "application/json"}

    def get_new_paginator(self) -> BaseAPIPaginator:
        return TotalPagesPaginator(start_value=1)

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        params: dict[str, t.Any] = {"per_page": PAGE_SIZE}
        if isinstance(next_page_token, int):
            params["page"] = next_page_token
        if self.optional_fields:
            params["fields"] = ",".join(self.optional_fields)
        # Streams that make several requests per partition put each one's filters here.
        params.update((context or {}).get("query", {}))
        return params

    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        yield from response_body(response)[self.records_key]

    # Errors and retries

    def response_error_message(self, response: requests.Response) -> str:
        try:
            detail = response.json().get("error", response.text)
        except ValueError:
            detail = response.text[:200]
        return f"CallRail answered HTTP {response.status_code} for {self.name}: {detail}"

    def validate_response(self, response: requests.Response) -> None:
        if response.status_code == 401:
            msg = "CallRail rejected the API key (HTTP 401): check the api_key setting"
            raise ApiKeyRejectedError(msg)
        if response.status_code == 403:
            raise AccessDeniedError(self.response_error_message(response))
        super().validate_response(response)

    def request_decorator(self, func: t.Callable) -> t.Callable:
        def throttled(prepared_request: requests.PreparedRequest, context: Context | None) -> t.Any:
            self.tap.request_budget((context or {}).get("account_id", "")).acquire()
            return func(prepared_request, context)

        return retries.retrying(self, throttled)

    def backoff_wait_generator(self) -> t.Generator[float, t.Any, None]:
        return retries.waits(retry_wait_seconds)

    def backoff_handler(self, details: t.Any) -> None:
        retries.log_retry(self, details)

    # Records

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        try:
            yield from super().get_records(context)
        except AccessDeniedError as error:
            scope = {k: v for k, v in (context or {}).items() if k in ("account_id", "company_id")}
            self.logger.warning("Skipping %s for %s: %s", self.name, scope, error)

    @cached_property
    def _conform(self) -> t.Callable[[t.Any], t.Any]:
        return _conformer(self.schema) or (lambda record: record)

    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        if context:
            row["account_id"] = context["account_id"]
        record: dict = self._conform(row)
        wanted = self.config.get("company_ids")
        if wanted and self.company_of(record) not in (None, *wanted):
            return None
        return record

    def company_of(self, record: dict) -> str | None:
        """The company a record belongs to, for the `company_ids` filter."""
        return record.get("company_id")


class DatedStream(CallRailStream):
    """An incremental stream read in UTC date windows, ascending, re-reading a look-back.

    Every request names `start_date`, `end_date` and `time_zone`: without dates CallRail
    silently answers with only the last 7 days.
    """

    window_days: t.ClassVar[int] = 7
    is_sorted = True

    @property
    def check_sorted(self) -> bool:
        """Sorted streams take each record's value as the bookmark, even when the look-back
        re-reads records older than the bookmark they started from; unsorted streams keep
        the greatest value seen."""
        return not self.is_sorted

    def compare_start_date(self, value: str, start_date_value: str) -> str:
        # start_date may be relative ("today-7"); get_starting_timestamp applies it.
        return value

    def get_starting_timestamp(self, context: Context | None) -> datetime | None:
        """The bookmark less the look-back, never before start_date; None past the end."""
        bookmark = bookmark_in(self.get_context_state(context), self.replication_key)
        lookback = timedelta(days=self.config["lookback_days"])
        resumed = parse_timestamp(bookmark) if bookmark else None
        start = self.tap.sync_range.resume_from(resumed, lookback)
        if start is None:
            self.logger.info("%s bookmark %s is past the end of the range", self.name, bookmark)
        return start

    def request_windows(self, start: datetime, end: datetime) -> t.Iterable[dict[str, t.Any]]:
        """The date filters of each request: UTC days, at most `window_days` per request."""
        for window_start, window_end in day_windows(start, end, self.window_days):
            yield date_filters(window_start, window_end)

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        start = self.get_starting_timestamp(context)
        if start is None:
            return
        for query in self.request_windows(start, self.tap.sync_range.end):
            # Records that move between pages while we read would otherwise come twice.
            seen: set[t.Any] = set()
            for record in super().get_records({**(context or {}), "query": query}):
                key = record.get("id")
                if key is None or key not in seen:
                    seen.add(key)
                    yield record


def date_filters(start: datetime, end: datetime) -> dict[str, str]:
    """CallRail's date parameters for the UTC instants [start, end).

    Both of CallRail's ends are inclusive, and a date-only end_date means the whole day.
    """
    if end.time() == datetime.min.time():
        last = (end - timedelta(days=1)).strftime("%Y-%m-%d")
    else:
        last = (end - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    return {
        "start_date": start.strftime("%Y-%m-%dT%H:%M:%S"),
        "end_date": last,
        "time_zone": UTC_ZONE,
    }


class RelativePagesMixin(CallRailStream):
    """Relative pagination (calls only): follow `next_page`, keeping every parameter we sent."""

    def get_new_paginator(self) -> BaseHATEOASPaginator:
        return NextPagePaginator()

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        params = super().get_url_params(context, None)
        params["relative_pagination"] = "true"
        if isinstance(next_page_token, ParseResult):
            params.update(parse_qsl(next_page_token.query))
        return params

    def get_http_request(self, *, page: PageContext) -> HTTPRequest:
        request = super().get_http_request(page=page)
        if isinstance(page.next_page_token, ParseResult):
            # Only the path is taken from next_page, so the key never leaves api_url's host.
            base = urlparse(self.url_base)
            request.url = base._replace(path=page.next_page_token.path).geturl()
        return request


class ReportStream(DatedStream):
    """Figures CallRail computes per request (summary, time series): one page per request."""

    def get_new_paginator(self) -> BaseAPIPaginator:
        return SinglePagePaginator()
