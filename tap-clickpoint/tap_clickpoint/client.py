"""The LeadExec base stream: URL, form body, paging, error answers, windows and typing."""

from __future__ import annotations

import typing as t
from datetime import datetime, timedelta
from functools import cached_property
from urllib.parse import parse_qs

from singer_sdk.exceptions import FatalAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.pagination import OffsetPaginator

from tap_clickpoint import assumed
from tap_clickpoint.common.answers import AnswerProblem, MalformedAnswerError
from tap_clickpoint.common.dates import day_windows
from tap_clickpoint.common.failures import CLEAR_FAILURES, RunFailed, describe_failure
from tap_clickpoint.common.retries import RetryWaits
from tap_clickpoint.common.stream import BaseStream
from tap_clickpoint.fields import LeadTyper
from tap_clickpoint.formats import CanonicalObject, error_message, read_page

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context

    from tap_clickpoint.tap import TapClickPoint

#: A lead type's fields are learnt from its newest leads of at least this many days.
SCHEMA_SAMPLE_DAYS = 30


class ApiKeyRejectedError(FatalAPIError):
    """LeadExec answered 401: retrying cannot help."""


def requested_lead_type(response: requests.Response) -> str:
    """The `lid` of the request that got `response`, read from its form body."""
    body = response.request.body if response.request is not None else None
    if isinstance(body, bytes):
        body = body.decode(errors="replace")
    return (parse_qs(body or "").get("lid") or ["?"])[0]


#: Assumed (docs/api): LeadExec documents no rate limit. A Retry-After is honoured if one
#: ever comes; otherwise waits double from a second to a minute.
RETRY_WAITS = RetryWaits()


class QueryTotalPaginator(OffsetPaginator):
    """skip/take pages: stop at `QueryTotal` or on a short page, never on an empty one."""

    def has_more(self, response: requests.Response) -> bool:
        page = read_page(response)
        return (
            len(page.leads) >= self.page_size
            and self.current_value + self.page_size < page.query_total
        )


class LeadExecStream(BaseStream):
    """Shared by LeadExec streams: one form POST to the Data Interface per page.

    The key travels in the form body, never in a URL. The answer is asked for in JSON;
    LeadExec's default XML is read just as well.
    """

    tap: TapClickPoint
    vendor = "LeadExec"
    retry_waits = RETRY_WAITS
    path = "/"
    http_method = "POST"
    payload_as_json = False
    #: Records are typed by `LeadTyper` from the schema already; the SDK's own pass
    #: stays at the top level.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.ROOT_ONLY

    @property
    def url_base(self) -> str:
        return str(self.config["api_url"]).rstrip("/")

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
    def lead_typer(self) -> LeadTyper:
        return LeadTyper(self.effective_schema, self.tap.zone, self.logger)

    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        for lead in read_page(response).leads:
            record = self.lead_typer(lead)
            # The window filters on this date, and the bookmark is made of it.
            if record.get(assumed.WINDOW_FIELD) is None:
                msg = f"has a lead without a usable {assumed.WINDOW_FIELD} (UID {lead.get('UID')})"
                raise AnswerProblem(msg)
            yield record

    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        return {"lead_type_id": (context or {})["lead_type_id"], **row}

    def sample_leads(self, lead_type_id: int) -> list[CanonicalObject]:
        """The newest leads (up to one full page) of a lead type, untyped.

        Sampling runs while the tap starts, outside a sync: its failures are made one clear
        line here, as `BaseStream.get_records` makes a sync's.
        """
        end = self.tap.sync_range.end
        start = min(self.tap.sync_range.start, end - timedelta(days=SCHEMA_SAMPLE_DAYS))
        context = {
            "lead_type_id": lead_type_id,
            "window": assumed.window_params(start, end, self.tap.zone),
            "take": assumed.MAX_TAKE,
            "sort_order": "DESC",
        }
        send = self.request_decorator(self.send_request)
        with self.tap.log_masking:
            try:
                response = send(self.prepared_request(context, None), context)
            except (*CLEAR_FAILURES, RunFailed):
                raise
            except Exception as error:  # a host that cannot be reached, a timeout
                raise RunFailed(self.redact(describe_failure(error))) from None
        try:
            return read_page(response).leads
        except AnswerProblem as problem:
            raise self.answer_error(response, str(problem)) from None

    # Errors

    def error_detail(self, response: requests.Response) -> str:
        return error_message(response) or super().error_detail(response)

    def response_error_message(self, response: requests.Response) -> str:
        lead_type = requested_lead_type(response)
        detail = self.error_detail(response)
        status = response.status_code
        return self.redact(f"LeadExec answered HTTP {status} for lead type {lead_type}: {detail}")

    def answer_error(self, response: requests.Response, problem: str) -> MalformedAnswerError:
        lead_type = requested_lead_type(response)
        return super().answer_error(response, f"for lead type {lead_type} {problem}")

    def validate_response(self, response: requests.Response) -> None:
        if response.status_code == assumed.KEY_REJECTED_STATUS:
            msg = "LeadExec rejected the API key (HTTP 401): check the api_key setting"
            raise ApiKeyRejectedError(msg)
        super().validate_response(response)


class DatedStream(LeadExecStream):
    """An incremental stream read in windows of DateAdded, ascending, re-reading a look-back.

    One window covers the whole range unless `window_days` (or assumed.MAX_WINDOW_DAYS) caps
    it; windows end on midnights of `source_timezone` and are sent as its wall-clock times.
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
        bookmark = self.bookmark(context)
        lookback = timedelta(days=self.config["lookback_days"])
        start = self.tap.sync_range.resume_from(bookmark, lookback)
        if start is None:
            self.logger.info("%s bookmark %s is past the end of the range", self.name, bookmark)
        return start

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        start = self.get_starting_timestamp(context)
        if start is None:
            return
        zone = self.tap.zone
        end = self.tap.sync_range.end
        days = self.config.get("window_days") or assumed.MAX_WINDOW_DAYS
        windows = day_windows(start, end, days, zone) if days else [(start, end)]
        previous: set[tuple] = set()
        for window_start, window_end in windows:
            window = assumed.window_params(window_start, window_end, zone)
            # QueryTotal moves while leads arrive: a lead pushed onto the next page comes
            # twice, and is kept once.
            seen: set[tuple] = set()
            records = super().get_records({**(context or {}), "window": window})
            for record in self.each_once(records):
                key = self.record_key(record)
                seen.add(key)
                if key not in previous:
                    yield record
            # Windows do not overlap: when every lead of one came in the window before, the
            # server is repeating an answer, and this window's own leads would be lost.
            if seen and seen <= previous:
                raise self.loop_error("the leads of one window came again for the next")
            previous = seen
