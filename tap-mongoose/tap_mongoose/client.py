"""The Mongoose base stream: URL, sign-in, pages, errors, retries, day windows and clean-up.

Every contract detail (names, formats, codes) comes from contract.py.
"""

from __future__ import annotations

import typing as t
from datetime import date, datetime, timedelta, timezone
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from singer_sdk.pagination import PageNumberPaginator

from tap_mongoose import auth, contract
from tap_mongoose.common.answers import cached_answer
from tap_mongoose.common.dates import day_windows, midnight
from tap_mongoose.common.retries import RetryWaits
from tap_mongoose.common.stream import BaseStream

if t.TYPE_CHECKING:
    import requests
    from requests.auth import AuthBase
    from singer_sdk.helpers.types import Context

    from tap_mongoose.tap import TapMongoose

#: Mongoose's limit is per minute: a 429 waits `Retry-After`, otherwise a minute. Other
#: failures back off from 1 second, doubling up to a minute.
RETRY_WAITS = RetryWaits(rate_limit_first=60, rate_limit_most=60, other_first=1, other_most=60)


def read_page(response: requests.Response) -> contract.Page:
    """The page an answer carries, read once and shared by parser and paginator."""
    return cached_answer(response, contract.read_page)


class TotalPagesPaginator(PageNumberPaginator):
    """Pages 1, 2, ... until `total_pages`: never a request for an empty page."""

    def has_more(self, response: requests.Response) -> bool:
        page = read_page(response)
        return page.page < page.total_pages


def local_to_utc(
    text: str, zone: ZoneInfo, duration: float | None = None, written: float | None = None
) -> str:
    """A naive account-local time as a UTC ISO 8601 string.

    In the hour a clock goes back, a wall-clock time happens twice. The record was written
    (`written`, unix seconds) after it ended (start + `duration`), so the later reading is
    taken when it is still possible, else the earlier one.
    """
    naive = datetime.strptime(text.strip(), contract.LOCAL_TIME_FORMAT)
    earlier, later = naive.replace(tzinfo=zone), naive.replace(tzinfo=zone, fold=1)
    moment = earlier
    ambiguous = earlier.utcoffset() != later.utcoffset()
    if ambiguous and written is not None and later.timestamp() + (duration or 0) <= written:
        moment = later
    return moment.astimezone(timezone.utc).isoformat()


def _converter(schema: dict[str, t.Any]) -> t.Callable[[t.Any], t.Any] | None:
    """A function giving a raw value (XML values are text) its schema type, or None."""
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else types
    if "integer" in types:
        return lambda v: (
            int(v) if not isinstance(v, str) or v.lstrip("-").isdigit() else int(float(v))
        )
    if "number" in types:
        return float
    if "boolean" in types:
        return lambda v: (
            v if isinstance(v, bool) else str(v).strip().lower() in ("true", "1", "y", "yes")
        )
    if "string" in types:
        return lambda v: v if isinstance(v, str) else str(v)
    return None


class ReportStream(BaseStream):
    """One Mongoose report, read in windows of account-local days, every page of each.

    Unsorted on purpose: each run re-reads `lookback_days` before the bookmark, so records
    older than the bookmark come again; the bookmark moves when the stream is done, and a run
    killed before then starts again from the previous bookmark.
    """

    tap: TapMongoose
    vendor = "Mongoose"
    retry_waits = RETRY_WAITS
    report: t.ClassVar[contract.Report]
    is_sorted = False

    def __init__(self, tap: TapMongoose) -> None:
        super().__init__(tap=tap, schema=self.report.schema)
        self.path = str(self.config[self.report.path_setting])
        self._zones: dict[str, ZoneInfo] = {}

    @property
    def url_base(self) -> str:
        return str(self.config["api_url"]).rstrip("/")

    @cached_property
    def authenticator(self) -> AuthBase:
        return auth.authenticator(
            self.config["auth_method"], self.config["username"], self.config["api_key"]
        )

    @property
    def http_headers(self) -> dict:
        return {"Accept": contract.ACCEPT[self.config["response_format"]]}

    def get_new_paginator(self) -> TotalPagesPaginator:
        return TotalPagesPaginator(start_value=1)

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        first, last = (date.fromisoformat(day) for day in (context or {})["window"])
        return contract.report_params(
            first,
            last,
            next_page_token or 1,
            self.config["page_size"],
            self.config["response_format"],
        )

    def error_detail(self, response: requests.Response) -> str:
        code, message = contract.read_error(response)
        detail = f"{code}: {message}" if code else message
        hint = contract.HINTS.get(response.status_code)
        return f"{detail} ({hint})" if hint else detail

    # Records

    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        page = read_page(response)
        zone = self.zone_of(page)
        for raw in page.records:
            yield self.conform(raw, zone)

    def zone_of(self, page: contract.Page) -> ZoneInfo:
        """The zone the page's naive times are in: the envelope's, else account_timezone."""
        name = page.timezone or self.tap.zone.key
        if name not in self._zones:
            try:
                self._zones[name] = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                self.logger.warning(
                    "%s: unknown time zone %r; using %s", self.name, name, self.tap.zone.key
                )
                self._zones[name] = self.tap.zone
            if name != self.tap.zone.key:
                self.logger.warning(
                    "Mongoose reports %s in %s but account_timezone is %s: times are converted "
                    "from the answer's zone; set account_timezone to it so that date windows are "
                    "the account's days",
                    self.name,
                    name,
                    self.tap.zone.key,
                )
        return self._zones[name]

    @cached_property
    def _converters(self) -> dict[str, t.Callable[[t.Any], t.Any]]:
        return {
            name: convert
            for name, schema in self.schema["properties"].items()
            if (convert := _converter(schema))
        }

    def conform(self, raw: dict[str, t.Any], zone: ZoneInfo) -> dict[str, t.Any]:
        """Typed values, empty values as null, and the UTC date-times of the naive ones."""
        record: dict[str, t.Any] = {}
        for name, value in raw.items():
            convert = self._converters.get(name)
            if value is None or convert is None:
                record[name] = value
            elif value == "" and name not in self._text_fields:
                record[name] = None  # an empty number, flag or date is no value
            else:
                try:
                    record[name] = convert(value)
                except (TypeError, ValueError):
                    self.logger.warning(
                        "%s: %s=%r is not valid; kept as null", self.name, name, value
                    )
                    record[name] = None
        report = self.report
        for target, source in report.epoch_times.items():
            record[target] = self._epoch_utc(record, source)
        for target, source in report.local_times.items():
            record[target] = self._utc(record, source, zone)
        for target, (source, yes) in report.flags.items():
            record[target] = None if record.get(source) is None else record[source] == yes
        if report.zone_column:
            record[report.zone_column] = zone.key
        return record

    @cached_property
    def _text_fields(self) -> frozenset[str]:
        return frozenset(
            name
            for name, schema in self.schema["properties"].items()
            if "string" in schema.get("type", []) and not schema.get("format")
        )

    def _epoch_utc(self, record: dict[str, t.Any], field: str) -> str | None:
        epoch = record.get(field)
        if epoch is None:
            return None
        try:
            return datetime.fromtimestamp(epoch, timezone.utc).isoformat()
        except (OverflowError, OSError, ValueError):
            self.logger.warning(
                "%s: %s=%r is not a unix time; no UTC time", self.name, field, epoch
            )
            return None

    def _utc(self, record: dict[str, t.Any], field: str, zone: ZoneInfo) -> str | None:
        text = record.get(field)
        if not text:
            return None
        duration, written = None, None
        if self.report.written_after:
            duration_field, written_field = self.report.written_after
            duration, written = record.get(duration_field), record.get(written_field)
        try:
            return local_to_utc(text, zone, duration, written)
        except ValueError:
            self.logger.warning(
                "%s: %s=%r is not a local time; no UTC time", self.name, field, text
            )
            return None

    # Windows and state

    def compare_start_date(self, value: str, start_date_value: str) -> str:
        # start_date may be relative ("today-7"); first_day applies it.
        return value

    def first_day(self, context: Context | None) -> date | None:
        """The bookmark's day less the look-back, never before start_date; None past the end."""
        first, last = self.tap.report_days
        bookmark = self.bookmark(context)
        if bookmark is None:
            return first
        day = bookmark.astimezone(self.tap.zone).date()
        if day > last:
            self.logger.info("%s bookmark %s is past the end of the range", self.name, day)
            return None
        return max(first, day - timedelta(days=self.config["lookback_days"]))

    def request_records(self, context: Context | None) -> t.Iterable[dict]:
        """Every page of every window, from the bookmark's day less the look-back.

        A window is a run of whole account-local days; the report names its first and last
        day, both included.
        """
        first = self.first_day(context)
        if first is None:
            return
        zone, last = self.tap.zone, self.tap.report_days[1]
        start, end = midnight(first, zone), midnight(last + timedelta(days=1), zone)
        for window_start, window_end in day_windows(start, end, self.config["window_days"], zone):
            days = (window_start, window_end - timedelta(microseconds=1))
            window = [moment.astimezone(zone).date().isoformat() for moment in days]
            # Records that move between pages while we read would otherwise come twice.
            yield from self.each_once(
                super().request_records({**(context or {}), "window": window})
            )
