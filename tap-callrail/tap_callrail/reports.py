"""CallRail's computed reports (`calls/summary.json`, `calls/timeseries.json`): what one account's
report requests cover, and the periods they are asked for.

A report is read per *scope*: the whole account, or one company. Each scope has the time zone
whose days its rows count (see `TapCallRail.report_scopes`). Every request is one period of
local days: a day, a week (from Monday, as CallRail's weeks), a month, or the whole range.
Requests go period by period, every scope of a period before the next, so rows come in
ascending `date` order across scopes and a killed run resumes from its bookmark without loss.
Periods are whole (a re-read starts at the period holding the look-back's first day), except
that none starts before `start_date`: the first period of a range holds only its days from there.

**Assumed** (docs/api/callrail.md, where CallRail's documents are silent), kept here:
- `/a.json` reports each account's own `time_zone` (`TapCallRail.account_zone` falls back to UTC);
- `group_by=company|company_id` is refused together with `company_id` (`COMPANY_GROUPINGS`);
- a summary's `total_results` is the ungrouped total of the request, and the time series gives the
  same totals per period (`CallsSummaryStream.known_totals` skips periods without calls).
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from singer_sdk.pagination import BaseAPIPaginator, SinglePagePaginator

from tap_callrail.client import DatedStream
from tap_callrail.common.dates import SyncRange, midnight, months_before

if t.TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from singer_sdk.helpers.types import Context

#: `group_by` values CallRail accepts only at account level, never with `company_id`.
COMPANY_GROUPINGS = ("company", "company_id")
#: Periods per time-series request that keep every answer within CallRail's 200 points.
TIMESERIES_PERIODS = {"hour": 8, "day": 200, "week": 199, "month": 190}
#: A period's metrics CallRail has given, by (company_id, user_id, the period's first day).
KnownTotals = dict[tuple[str, str, str], dict[str, t.Any]]


@dataclass(frozen=True)
class ReportScope:
    """An account (`company_id` "") or one of its companies, read in `zone`'s days."""

    company_id: str
    zone: ZoneInfo
    #: The `summary_group_by` values this scope is asked for.
    groupings: tuple[str, ...]
    #: start_date to end_date in `zone`, clamped to CallRail's retention.
    sync_range: SyncRange

    @property
    def first_day(self) -> date:
        return self.sync_range.start.astimezone(self.zone).date()

    @property
    def last_day(self) -> date:
        return (self.sync_range.end - timedelta(microseconds=1)).astimezone(self.zone).date()

    def instants(self, first: date, stop: date) -> tuple[datetime, datetime] | None:
        """The instants of local days [first, stop) inside this scope's range, or None."""
        start = max(midnight(first, self.zone), self.sync_range.start)
        end = min(midnight(stop, self.zone), self.sync_range.end)
        return (start, end) if start < end else None

    def filters(self, first: date, stop: date) -> dict[str, str] | None:
        """The date, zone and company parameters of a request for local days [first, stop)."""
        window = self.instants(first, stop)
        if window is None:
            return None
        query = local_date_filters(*window, self.zone)
        if self.company_id:
            query["company_id"] = self.company_id
        return query


def local_date_filters(start: datetime, end: datetime, zone: ZoneInfo) -> dict[str, str]:
    """CallRail's date parameters for the instants [start, end), as wall-clock times of
    `zone`, sent as `time_zone`. Both ends are inclusive; a date-only end means the whole day."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_end == midnight(local_end.date(), zone):
        last = (local_end.date() - timedelta(days=1)).isoformat()
    else:
        last = (local_end - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    return {
        "start_date": local_start.strftime("%Y-%m-%dT%H:%M:%S"),
        "end_date": last,
        "time_zone": zone.key,
    }


def period_start(day: date, interval: str) -> date:
    """The first day of the `interval` period holding `day` (`range`: the day itself)."""
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    if interval == "year":
        return day.replace(month=1, day=1)
    return day


def periods(
    first: date, last: date, interval: str, per_request: int = 1
) -> list[tuple[date, date]]:
    """[start, stop) local days of each request from the period holding `first` through `last`:
    `per_request` periods of `interval` each, or one for `range`."""
    if interval == "range":
        return [(first, last + timedelta(days=1))]
    spans = []
    cursor = period_start(first, interval)
    while cursor <= last:
        stop = cursor
        for _ in range(per_request):
            stop = _next_period(stop, interval)
        spans.append((cursor, stop))
        cursor = stop
    return spans


def _next_period(day: date, interval: str) -> date:
    if interval == "week":
        return day + timedelta(days=7)
    if interval == "month":
        return months_before(day, -1)
    if interval == "year":
        return months_before(day, -12)
    return day + timedelta(days=1)  # day, and hour (hours are asked for by the day)


class ReportStream(DatedStream):
    """Figures CallRail computes per request, read period by period for each scope of the
    account; rows carry the scope's `company_id` and `time_zone`, and their `interval`."""

    replication_key = "date"
    #: The setting naming the period of one row.
    interval_setting: t.ClassVar[str]
    #: How many periods of the interval one request may ask for.
    periods_per_request: t.ClassVar[dict[str, int]] = {}

    @property
    def interval(self) -> str:
        return str(self.config[self.interval_setting])

    def get_new_paginator(self) -> BaseAPIPaginator:
        return SinglePagePaginator()

    def company_of(self, record: dict) -> str | None:
        return None  # the requests are scoped to the companies already

    def requests_for(
        self, scope: ReportScope, first: date, stop: date, known: KnownTotals
    ) -> t.Iterable[tuple[dict[str, t.Any] | None, dict[str, t.Any]]]:
        """(query, columns of its rows) of each request for local days [first, stop); a query
        of None means no request is needed: the columns are the row (from `known`)."""
        raise NotImplementedError

    def known_totals(
        self, context: Context | None, scopes: list[ReportScope], first: date, last: date
    ) -> KnownTotals:
        """Totals CallRail has already given for the periods from `first` through `last`."""
        return {}

    def resume_day(self, context: Context | None) -> tuple[date, date] | None:
        """(bookmark's day, the day to read from: the bookmark less the look-back)."""
        moment = self.bookmark(context)
        if moment is None or self.interval == "range":
            return None
        day = moment.astimezone(self.tap.zone).date()
        return day, day - timedelta(days=self.config["lookback_days"])

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        account = (context or {})["account_id"]
        companies = t.cast("DatedStream", self.tap.streams["companies"])
        scopes = self.tap.report_scopes(account, companies.request_records(context))
        if not scopes:
            return
        first = min(scope.first_day for scope in scopes)
        last = max(scope.last_day for scope in scopes)
        if resume := self.resume_day(context):
            if resume[0] > last:
                self.logger.info("%s bookmark %s is past the end of the range", self.name, resume)
                return
            first = max(first, resume[1])
        known = self.known_totals(context, scopes, first, last)
        per_request = self.periods_per_request.get(self.interval, 1)
        for start, stop in periods(first, last, self.interval, per_request):
            rows: list[dict] = []
            for scope in scopes:
                for query, columns in self.requests_for(scope, start, stop, known):
                    if query is None:
                        rows.append(columns)
                        continue
                    answer = (self.with_columns(row, columns) for row in self.read(context, query))
                    rows += [row for row in answer if row is not None]
            # Every scope's rows of these periods, oldest first: the bookmark follows them.
            rows.sort(key=lambda row: str(row["date"]))
            yield from self.each_once(rows)

    def with_columns(self, row: dict, columns: dict[str, t.Any]) -> dict | None:
        """A row of one answer with its request's columns; None leaves it out."""
        return {**row, **columns}
