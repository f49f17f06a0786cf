"""The LeadExec base stream: URL, form body, paging, errors, retries, windows and typing."""

from __future__ import annotations

import typing as t
from datetime import datetime, timedelta
from functools import cached_property
from urllib.parse import parse_qs

import requests
from singer_sdk import RESTStream
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.pagination import OffsetPaginator
from singer_sdk.streams.rest import PageContext

from tap_clickpoint import assumed
from tap_clickpoint.common import retries
from tap_clickpoint.common.dates import bookmark_in, day_windows, parse_timestamp
from tap_clickpoint.fields import LeadTyper
from tap_clickpoint.formats import CanonicalObject, MalformedAnswerError, error_text, read_page

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_clickpoint.tap import TapClickPoint

#: A lead type's fields are learnt from its newest leads of at least this many days.
SCHEMA_SAMPLE_DAYS = 30


class ApiKeyRejectedError(FatalAPIError):
    """LeadExec answered 401: retrying cannot help."""


def retry_wait_seconds(exception: BaseException, attempt: int) -> float:
    """How long to wait before retry number `attempt` (0-based) after `exception`.

    LeadExec documents no rate limit; a `Retry-After` is honoured if one ever comes.
    Otherwise waits grow from 1 second to a minute.
    """
    response = getattr(exception, "response", None)
    if response is not None:
        retry_after = response.headers.get("Retry-After", "")
        if retry_after.replace(".", "", 1).isdigit():
            return float(retry_after)
    return float(min(2**attempt, 60))


def requested_lead_type(response: requests.Response) -> str:
    """The `lid` of the request that got `response`, read from its form body."""
    body = response.request.body if response.request is not None else None
    if isinstance(body, bytes):
        body = body.decode(errors="replace")
    return (parse_qs(body or "").get("lid") or ["?"])[0]


class QueryTotalPaginator(OffsetPaginator):
    """skip/take pages: stop at `QueryTotal` or on a short page, never on an empty one."""

    def has_more(self, response: requests.Response) -> bool:
        page = read_page(response)
        return (
            len(page.leads) >= self.page_size
            and self.current_value + self.page_size < page.query_total
        )


class LeadExecStream(RESTStream[int]):
    """Shared by LeadExec streams: one form POST to the Data Interface per page.

    The key travels in the form body, never in a URL. The answer is asked for in JSON;
    LeadExec's default XML is read just as well.
    """

    path = "/"
    http_method = "POST"
    payload_as_json = False
    #: Records are typed by `LeadTyper` from the schema already; the SDK's own pass
    #: stays at the top level.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.ROOT_ONLY

    @property
    def tap(self) -> TapClickPoint:
        return t.cast("TapClickPoint", self._tap)

    @property
    def url_base(self) -> str:
        return str(self.config["api_url"]).rstrip("/")

    @property
    def timeout(self) -> int:
        return int(self.config["request_timeout"])

    @property
    def http_headers(self) -> dict:
        return {"Accept": "application/json"}

    @property
    def page_size(self) -> int:
        return min(int(self.config["page_size"]), assumed.MAX_TAKE)

    def get_new_paginator(self) -> QueryTotalPaginator:
        return QueryTotalPaginator(start_value=0, page_size=self.page_size)

    def prepare_request_payload(
        self, context: Context | None, next_page_token: int | None
    ) -> dict[str, t.Any]:
        context = context or {}
        return {
            "key": self.config["api_key"],
            "lid": context["lead_type_id"],
            **context["window"],
            "skip": next_page_token or 0,
            "take": context.get("take", self.page_size),
            "sortfields": assumed.SORT_FIELD,
            "SortOrder": context.get("sort_order", assumed.SORT_ORDER),
        }

    @cached_property
    def _typer(self) -> LeadTyper:
        return LeadTyper(self.effective_schema, self.tap.source_zone, self.logger)

    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        for lead in read_page(response).leads:
            yield self._typer(lead)

    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        return {"lead_type_id": (context or {})["lead_type_id"], **row}

    def sample_leads(self, lead_type_id: int) -> list[CanonicalObject]:
        """The newest leads (up to one full page) of a lead type, untyped."""
        end = self.tap.sync_range.end
        start = min(self.tap.sync_range.start, end - timedelta(days=SCHEMA_SAMPLE_DAYS))
        context = {
            "lead_type_id": lead_type_id,
            "window": assumed.window_params(start, end, self.tap.source_zone),
            "take": assumed.MAX_TAKE,
            "sort_order": "DESC",
        }
        request = self.get_http_request(page=PageContext(context, None))
        prepared = self.build_prepared_request(
            method=request.method, url=request.url, headers=request.headers, data=request.data
        )
        response = self.request_decorator(self._request)(prepared, context)
        return read_page(response).leads

    # Errors and retries

    def response_error_message(self, response: requests.Response) -> str:
        message = (
            f"LeadExec answered HTTP {response.status_code} for lead type "
            f"{requested_lead_type(response)}: {error_text(response)}"
        )
        return message.replace(str(self.config["api_key"]), "[api_key]")

    def validate_response(self, response: requests.Response) -> None:
        if response.status_code == assumed.KEY_REJECTED_STATUS:
            msg = "LeadExec rejected the API key (HTTP 401): check the api_key setting"
            raise ApiKeyRejectedError(msg)
        super().validate_response(response)
        try:
            read_page(response)
        except MalformedAnswerError as error:
            lead_type = requested_lead_type(response)
            if error.message:
                msg = f"LeadExec answered an error for lead type {lead_type}: {error.message}"
                raise FatalAPIError(msg.replace(str(self.config["api_key"]), "[api_key]")) from None
            msg = f"LeadExec answered HTTP 200 for lead type {lead_type}, but {error}"
            raise RetriableAPIError(msg, response) from None

    def request_decorator(self, func: t.Callable) -> t.Callable:
        return retries.retrying(self, func)

    def backoff_wait_generator(self) -> t.Generator[float, t.Any, None]:
        return retries.waits(retry_wait_seconds)

    def backoff_handler(self, details: t.Any) -> None:
        retries.log_retry(self, details)


class DatedStream(LeadExecStream):
    """An incremental stream read in windows of DateAdded, ascending, re-reading a look-back.

    Windows end on UTC midnights and are sent as wall-clock times of `source_timezone`.
    """

    is_sorted = True
    #: A STATE message every thousand leads (one full page), so a killed run resumes
    #: near where it stopped rather than at the start of the partition.
    STATE_MSG_FREQUENCY = 1000

    @property
    def check_sorted(self) -> bool:
        """Each record's value becomes the bookmark even when the look-back re-reads records
        older than the bookmark the run started from."""
        return False

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

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        start = self.get_starting_timestamp(context)
        if start is None:
            return
        zone = self.tap.source_zone
        end = self.tap.sync_range.end
        for window_start, window_end in day_windows(start, end, self.config["window_days"]):
            window = assumed.window_params(window_start, window_end, zone)
            # QueryTotal moves while leads arrive; a lead pushed onto the next page
            # would otherwise come twice.
            seen: set[t.Any] = set()
            for record in super().get_records({**(context or {}), "window": window}):
                if record.get("UID") not in seen:
                    seen.add(record.get("UID"))
                    yield record
