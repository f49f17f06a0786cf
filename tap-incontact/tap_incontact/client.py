"""The inContact base streams: URL, sign-in, skip/top paging, errors, retries and clean-up."""

from __future__ import annotations

import re
import typing as t
from datetime import datetime, timedelta, timezone
from functools import cached_property

import requests
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.pagination import BaseAPIPaginator, SinglePagePaginator

from tap_incontact.common.answers import AnswerProblem, json_object, required_list
from tap_incontact.common.dates import SettingError, day_windows, midnight, to_utc_iso
from tap_incontact.common.retries import RetryWaits
from tap_incontact.common.stream import BaseStream
from tap_incontact.common.transport import OriginBoundSession, same_origin, url_problem

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_incontact.auth import InContactAuth
    from tap_incontact.tap import TapInContact

#: Older API versions name some fields differently; records always carry the current names.
FIELD_RENAMES = {
    "contactStart": "contactStartDate",
    "fromAddr": "fromAddress",
    "toAddr": "toAddress",
    "confSeconds": "conferenceSeconds",
    "ACWSeconds": "acwSeconds",
    "mediaType": "mediaTypeId",
}
_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def seconds(value: t.Any) -> float | int | None:
    """A duration as seconds: ISO 8601 (`PT1H2M3.5S`), a number, or a numeric string."""
    if value is None or isinstance(value, (int, float)):
        return value
    text = str(value).strip()
    if match := _DURATION.match(text):
        parts = {k: float(v) for k, v in match.groupdict().items() if v}
        total = parts.get("d", 0) * 86400 + parts.get("h", 0) * 3600
        total += parts.get("m", 0) * 60 + parts.get("s", 0)
        return int(total) if total.is_integer() else total
    try:
        return float(text)
    except ValueError:
        return None


#: inContact publishes no rate limit and sends no reliable Retry-After: a 429 or an outage
#: waits a second, doubling to a minute (sign-in included).
RETRY_WAITS = RetryWaits(rate_limit_first=1, rate_limit_most=60, other_first=1, other_most=60)


#: The context key under which `InContactStream.filtered` passes a request's filters.
QUERY = "query"


class SkipTopPaginator(BaseAPIPaginator[int]):
    """`skip` advances by the rows received: the server clamps `top`, so a short page is no end.

    The end is a 204, an empty page, no `_links.next`, or `skip` reaching `totalRecords`.
    """

    def __init__(self, records_key: str) -> None:
        super().__init__(0)
        self.records_key = records_key

    def has_more(self, response: requests.Response) -> bool:
        if response.status_code == 204:
            return False
        body = json_object(response)
        rows = len(required_list(body, self.records_key))
        total, links = body.get("totalRecords"), body.get("_links") or {}
        if total is not None and (isinstance(total, bool) or not isinstance(total, int)):
            raise AnswerProblem("has a 'totalRecords' that is not a number")
        if not isinstance(links, dict):
            raise AnswerProblem("has '_links' that are not an object")
        return bool(rows and links.get("next") and (total is None or self._value + rows < total))

    def get_next(self, response: requests.Response) -> int:
        return self._value + len(required_list(json_object(response), self.records_key))


class InContactStream(BaseStream):
    """Shared by every inContact stream."""

    tap: TapInContact
    vendor = "inContact"
    retry_waits = RETRY_WAITS
    records_key: t.ClassVar[str]
    #: Fields whose ISO 8601 durations (or seconds as text) become numbers of seconds.
    duration_fields: t.ClassVar[tuple[str, ...]] = ()
    paginated: t.ClassVar[bool] = False
    #: post_process gives every declared value its type (undeclared fields pass as sent), so
    #: the SDK's own conformance pass (a third of the CPU per contact) is not needed.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    @property
    def authenticator(self) -> InContactAuth:
        return self.tap.auth

    @property
    def url_base(self) -> str:
        return f"{self.authenticator.api_base}services/{self.tap.api_version}/"

    @property
    def http_headers(self) -> dict:
        return {"Accept": "application/json"}

    def get_new_paginator(self) -> BaseAPIPaginator:
        if self.paginated:
            return SkipTopPaginator(self.records_key)
        return SinglePagePaginator()

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        params: dict[str, t.Any] = {}
        if self.paginated:
            params = {"top": self.config["page_size"], "skip": next_page_token or 0}
        params.update((context or {}).get(QUERY, {}))  # see `filtered`
        return params

    def filtered(self, query: dict[str, str], context: Context | None) -> t.Iterator[dict]:
        """Every record of one listing asked with the filters `query` (a window, say).

        The SDK hands each request only the partition's context, so the filters travel in a
        copy of it, under QUERY, to get_url_params.
        """
        yield from super().get_records({**(context or {}), QUERY: query})

    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        if response.status_code == 204:
            return  # inContact's documented "no data"; an empty 200 is not
        yield from required_list(json_object(response), self.records_key)

    # Errors and retries

    def error_detail(self, response: requests.Response) -> str:
        """The API's own words: the body's, else those of the icStatusDescription header."""
        detail = response.headers.get("icStatusDescription", "")
        try:
            body = json_object(response)
        except AnswerProblem:
            return " ".join((detail or response.text or str(response.reason)).split())[:200]
        detail = body.get("errorDescription") or body.get("error") or detail or response.reason
        return " ".join(str(detail).split())[:200]

    def validate_response(self, response: requests.Response) -> None:
        if response.status_code == 401 and same_origin(response.url, self.url_base):
            if self.authenticator.renewed_after_rejection:
                msg = (
                    f"inContact's API refused a new token for {self.name} (HTTP 401): "
                    f"{self.error_detail(response)}"
                )
                raise FatalAPIError(self.redact(msg))
            self.authenticator.invalidate()  # expired early or revoked: sign in once more
            raise RetriableAPIError(self.response_error_message(response), response)
        if response.status_code < 400:
            self.authenticator.renewed_after_rejection = False
        super().validate_response(response)

    # Requests outside paging (report jobs)

    def call(
        self, method: str, url: str, context: Context | None, params: dict | None = None
    ) -> requests.Response:
        """One request to the API, with the same sign-in, errors and retries as paging."""
        request = self.build_prepared_request(
            method=method, url=url, params=params or {}, headers=self.http_headers
        )
        return t.cast(
            "requests.Response", self.request_decorator(self.send_request)(request, context)
        )

    def business_unit_zone(self) -> str | None:
        """The time zone the business unit's settings name (GET business-unit), as named;
        None when the answer names none."""
        answer = self.call("GET", f"{self.url_base}business-unit", None)
        if answer.status_code == 204:
            return None
        body = self.json_of(answer)
        units = body.get("businessUnits")
        unit = units[0] if isinstance(units, list) and units else body
        name = unit.get("timeZone") or unit.get("TimeZone") if isinstance(unit, dict) else None
        return str(name) if name else None

    def json_of(self, response: requests.Response) -> dict[str, t.Any]:
        """The JSON object of an answer read outside paging; one line naming the stream and
        the path when it is not one."""
        try:
            return json_object(response)
        except AnswerProblem as problem:
            raise self.answer_error(response, str(problem)) from None

    def fetch_file(self, url: str, context: Context | None) -> requests.Response:
        """A file an answer points at: with the token on the API's own origin, else without.

        A file elsewhere (a storage service, say) needs no token, and must not receive one;
        nor is it fetched from an address no API would name (link-local, cloud metadata).
        """
        if same_origin(url, self.url_base):
            return self.call("GET", url, context)
        if problem := url_problem(url):
            msg = f"{self.vendor} named a file for {self.name} whose URL {problem}: not fetched"
            raise FatalAPIError(self.redact(msg))
        request = requests.Request("GET", url, headers=self.http_headers).prepare()

        def send(prepared: requests.PreparedRequest, context: Context | None) -> requests.Response:
            describe = f"the file host of {self.vendor} ({self.name})"
            with OriginBoundSession(url, describe=describe) as session:
                response = session.send(prepared, timeout=self.timeout)
            self.validate_response(response)
            return response

        return t.cast("requests.Response", self.request_decorator(send)(request, context))

    # Records

    @cached_property
    def _timestamp_fields(self) -> tuple[str, ...]:
        properties = self.schema["properties"]
        return tuple(k for k, v in properties.items() if v.get("format") == "date-time")

    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        for old, new in FIELD_RENAMES.items():
            if old in row and new not in row:
                row[new] = row.pop(old)
        for field in self.duration_fields:
            if field in row:
                row[field] = seconds(row[field])
        for field in self._timestamp_fields:
            if row.get(field):
                try:
                    row[field] = to_utc_iso(str(row[field]))
                except (ValueError, OverflowError):
                    value = str(row[field])[:40]
                    raise self.bad_record(f"whose {field} is not a date-time: {value!r}") from None
        if self.replication_key and not row.get(self.replication_key):
            raise self.bad_record(f"without {self.replication_key}, which its bookmark needs")
        return row

    def bad_record(self, problem: str) -> FatalAPIError:
        return FatalAPIError(self.redact(f"{self.vendor} sent a {self.name} record {problem}"))


def iso_z(moment: datetime) -> str:
    """UTC with a literal Z: a `+00:00` in a query string turns into a space."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class IncrementalStream(InContactStream):
    """Shared by streams with a bookmark: start_date, the future-bookmark rule, settling data."""

    def compare_start_date(self, value: str, start_date_value: str) -> str:
        # start_date may be relative ("today-7"); resume_from applies it.
        return value

    @property
    def check_sorted(self) -> bool:
        """Sorted streams re-read their last window, at or before the bookmark, on purpose."""
        return not self.is_sorted

    @property
    def settled_until(self) -> datetime:
        """No request reaches past now - lookback_minutes: that data is still settling."""
        settled = datetime.now(timezone.utc) - timedelta(minutes=self.config["lookback_minutes"])
        return min(self.tap.sync_range.end, settled)

    def resume_from(self, bookmark: datetime | None, lookback: timedelta) -> datetime | None:
        """Where this run starts (see SyncRange.resume_from); None past the end of the range."""
        start = self.tap.sync_range.resume_from(bookmark, lookback)
        if start is None:
            self.logger.info("%s bookmark %s is past the end of the range", self.name, bookmark)
        return start


#: The windows of one performance row; `range` is one window for the whole sync range.
INTERVALS = {"15m": timedelta(minutes=15), "1h": timedelta(hours=1), "1d": timedelta(days=1)}
QUARTER_HOUR = timedelta(minutes=15)


class WindowStream(IncrementalStream):
    """Rows per window of time, oldest first, in the account's days; each run re-reads the
    window its bookmark names. Every row carries its window and the zone of its days."""

    is_sorted = True
    #: Names of the injected window bounds; the first is the replication key.
    window_fields: t.ClassVar[tuple[str, str]] = ("interval_start", "interval_end")
    #: The widest span one request may cover; None where the API documents no limit.
    max_span: t.ClassVar[timedelta | None] = None

    @property
    def earliest(self) -> datetime:
        """The oldest instant the API serves for this stream."""
        return self.tap.sync_range.start

    def window_query(self, start: datetime, end: datetime) -> dict[str, str]:
        return {"startDate": iso_z(start), "endDate": iso_z(end)}

    def first_instant(self, context: Context | None) -> datetime | None:
        """Where this run's windows begin: the bookmark's window, or the range's start."""
        start = self.resume_from(self.bookmark(context), lookback=timedelta(0))
        return None if start is None else max(start, self.earliest)

    def windows(self, context: Context | None) -> list[tuple[datetime, datetime]]:
        raise NotImplementedError

    def read(self, start: datetime, end: datetime, context: Context | None) -> list[dict]:
        """The rows of one request for [start, end)."""
        query = self.window_query(start, end)
        return list(self.filtered(query, context))

    def windowed(self, row: dict, start: datetime, end: datetime) -> dict:
        first, last = self.window_fields
        zone = str(self.tap.zone)
        return {**row, first: start.isoformat(), last: end.isoformat(), "time_zone": zone}

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        for start, end in self.windows(context):
            for row in self.read(start, end, context):
                yield self.windowed(row, start, end)


class PerformanceStream(WindowStream):
    """Totals per window (`performance_interval`): quarter hours, hours or days of the
    account's zone, or one `range` window for the whole sync range; only windows that closed
    `lookback_minutes` ago.

    A row is the total of the window asked for, so each row window takes one request; but a
    wider span's answer tells whether any window inside it has data. Reading starts with the
    widest span the API accepts: an empty span (204) is skipped whole and the next span is
    twice as wide, a span with data is read window by window. An empty backfill takes one
    request, dense data one per window.
    """

    @property
    def interval(self) -> str:
        return str(self.config["performance_interval"])

    def windowed(self, row: dict, start: datetime, end: datetime) -> dict:
        return {**super().windowed(row, start, end), "interval": self.interval}

    def window_start(self, moment: datetime, step: timedelta) -> datetime:
        """The start of the window of `step` (under a day) that holds `moment`: windows are
        counted from the zone's midnight."""
        day = midnight(moment.astimezone(self.tap.zone).date(), self.tap.zone)
        return day + (moment - day) // step * step

    def windows(self, context: Context | None) -> list[tuple[datetime, datetime]]:
        until, zone = self.settled_until, self.tap.zone
        if self.interval == "range":
            start = self.window_start(max(self.tap.sync_range.start, self.earliest), QUARTER_HOUR)
            end = self.window_start(until, QUARTER_HOUR)
            if self.max_span is not None and end - start > self.max_span:
                msg = (
                    f"setting 'performance_interval' is 'range', but {self.path} totals at "
                    f"most {self.max_span.days} days and the range from start_date to "
                    f"end_date is longer: use 1d, or a shorter range, for {self.name}"
                )
                raise SettingError(msg)
            return [(start, end)] if start < end else []
        first = self.first_instant(context)
        if first is None:
            return []
        if self.interval == "1d":
            first_day, last_day = (
                midnight(m.astimezone(zone).date(), zone) for m in (first, until)
            )
            return day_windows(first_day, last_day, 1, zone)
        step, windows = INTERVALS[self.interval], []
        start = self.window_start(first, step)
        while start + step <= until:
            windows.append((start, start + step))
            start += step
        return windows

    def within_span(
        self, windows: list[tuple[datetime, datetime]]
    ) -> list[tuple[datetime, datetime]]:
        """The first of `windows` that one request may cover together (at least one)."""
        if self.max_span is None:
            return windows
        first_start = windows[0][0]
        return windows[:1] + [w for w in windows[1:] if w[1] - first_start <= self.max_span]

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        windows = self.windows(context)
        position, width = 0, len(windows)
        while position < len(windows):
            span = self.within_span(windows[position : position + width])
            rows = self.read(span[0][0], span[-1][1], context)
            if not rows:  # no window of the span has data
                position, width = position + len(span), 2 * len(span)
            elif len(span) > 1:  # some window has: read them one by one
                width = 1
            else:
                yield from (self.windowed(row, *span[0]) for row in rows)
                position, width = position + 1, 1
