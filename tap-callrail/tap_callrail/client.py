"""The CallRail base streams: URL, sign-in, paging, errors, retries, throttle and clean-up."""

from __future__ import annotations

import collections
import logging
import threading
import time
import typing as t
from datetime import datetime, timedelta
from functools import cached_property
from urllib.parse import ParseResult, parse_qsl, urlparse

from singer_sdk.authenticators import APIKeyAuthenticator
from singer_sdk.exceptions import FatalAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.pagination import (
    BaseAPIPaginator,
    BaseHATEOASPaginator,
    PageNumberPaginator,
)

from tap_callrail.common.answers import AnswerProblem, json_object, required_list
from tap_callrail.common.dates import SyncRange, to_utc_iso
from tap_callrail.common.retries import RetryWaits
from tap_callrail.common.stream import BaseStream

if t.TYPE_CHECKING:
    import requests
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


#: CallRail's limit is per hour, so a 429 waits long: a minute, doubling to 15 minutes.
RETRY_WAITS = RetryWaits(rate_limit_first=60, rate_limit_most=900)


class HourlyBudget:
    """At most `limit` requests in any sliding hour; waits when the hour's budget is spent."""

    def __init__(self, limit: int, logger: logging.Logger) -> None:
        self.limit = limit
        self.logger = logger
        self._sent: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            now = time.monotonic()
            while self._sent and now - self._sent[0] >= 3600:
                self._sent.popleft()
            if len(self._sent) >= self.limit:
                wait = 3600 - (now - self._sent[0])
                self.logger.info(
                    "Hourly request budget of %d spent; waiting %.0f s", self.limit, wait
                )
                time.sleep(wait)
                self._sent.popleft()
            self._sent.append(time.monotonic())


def page_counts(response: requests.Response) -> tuple[int, int]:
    """(page, total_pages) of an offset-paged answer."""
    body = json_object(response)
    page, total = body.get("page"), body.get("total_pages")
    if not isinstance(page, int) or not isinstance(total, int):
        raise AnswerProblem("has no page and total_pages")
    return page, total


class TotalPagesPaginator(PageNumberPaginator):
    """CallRail's offset pages: stop on `total_pages`, never by requesting an empty page."""

    def has_more(self, response: requests.Response) -> bool:
        page, total_pages = page_counts(response)
        return page < total_pages


class NextPagePaginator(BaseHATEOASPaginator):
    """CallRail's relative pagination: follow `next_page` while `has_next_page` says so."""

    def get_next_url(self, response: requests.Response) -> str | None:
        body = json_object(response)
        if not body.get("has_next_page"):
            return None
        if not isinstance(body.get("next_page"), str) or not body["next_page"]:
            raise AnswerProblem("says it has a next page but gives no next_page URL")
        return str(body["next_page"])


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


class CallRailStream(BaseStream):
    """Shared by every CallRail stream: one GET per page of `records_key` items."""

    tap: TapCallRail
    vendor = "CallRail"
    retry_waits = RETRY_WAITS
    records_key: t.ClassVar[str]
    #: Fields CallRail leaves out unless asked for with `fields=` (it only ever adds fields).
    optional_fields: tuple[str, ...] = ()
    #: A 403 means the plan or the key's role lacks this data: skip it with a warning. A
    #: listing the whole sync hangs on (accounts, companies) fails the run instead.
    skip_when_refused: t.ClassVar[bool] = True
    #: post_process already gives every value its declared type (`_conformer`), and CallRail
    #: sends JSON, so the SDK's own pass over every field of every record (a third of the
    #: tap's per-record time) would change nothing.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    @property
    def url_base(self) -> str:
        return str(self.config["api_url"]).rstrip("/")

    @cached_property
    def authenticator(self) -> APIKeyAuthenticator:
        return APIKeyAuthenticator(
            key="Authorization", value=f'Token token="{self.config["api_key"]}"', location="header"
        )

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
        yield from required_list(json_object(response), self.records_key)

    # Errors and retries

    def error_detail(self, response: requests.Response) -> str:
        try:
            body = json_object(response)
        except AnswerProblem:
            return super().error_detail(response)
        return " ".join(str(body.get("error") or response.reason).split())[:200]

    def validate_response(self, response: requests.Response) -> None:
        if response.status_code == 401:
            msg = "CallRail rejected the API key (HTTP 401): check the api_key setting"
            raise ApiKeyRejectedError(msg)
        if response.status_code == 403:
            error_type = AccessDeniedError if self.skip_when_refused else FatalAPIError
            raise error_type(self.response_error_message(response))
        super().validate_response(response)

    def request_decorator(self, func: t.Callable) -> t.Callable:
        def throttled(prepared_request: requests.PreparedRequest, context: Context | None) -> t.Any:
            self.tap.request_budget((context or {}).get("account_id", "")).acquire()
            return func(prepared_request, context)

        return super().request_decorator(throttled)

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
    """An incremental stream read from its bookmark (less a look-back) to the end in one
    request window, paged to the end: CallRail limits neither the span of a date filter nor
    how deep pages go, so narrower windows would only cost requests.

    Every request names `start_date`, `end_date` and `time_zone`: without dates CallRail
    silently answers with only the last 7 days.
    """

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

    def sync_range(self, context: Context | None) -> SyncRange:
        """start_date to end_date in the days of the account (see TapCallRail.account_zone)."""
        return self.tap.sync_range_in(self.tap.account_zone((context or {})["account_id"]))

    def get_starting_timestamp(self, context: Context | None) -> datetime | None:
        """The bookmark less the look-back, never before start_date; None past the end."""
        bookmark = self.bookmark(context)
        lookback = timedelta(days=self.config["lookback_days"])
        start = self.sync_range(context).resume_from(bookmark, lookback)
        if start is None:
            self.logger.info("%s bookmark %s is past the end of the range", self.name, bookmark)
        return start

    def request_windows(self, start: datetime, end: datetime) -> t.Iterable[dict[str, t.Any]]:
        """The date filters of each request window: here one, the whole range."""
        yield date_filters(start, end)

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        start = self.get_starting_timestamp(context)
        if start is None:
            return
        for query in self.request_windows(start, self.sync_range(context).end):
            yield from self.each_once(self.read(context, query))

    def read(self, context: Context | None, query: dict[str, t.Any]) -> t.Iterable[dict]:
        """The records of one request (all its pages) with `query`'s parameters."""
        return super().get_records({**(context or {}), "query": query})


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
