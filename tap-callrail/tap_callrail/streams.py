"""CallRail streams: one per report, each a name, a path, keys and a schema."""

from __future__ import annotations

import itertools
import typing as t
from datetime import date
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from tap_callrail import schemas
from tap_callrail.client import CallRailStream, DatedStream, RelativePagesMixin
from tap_callrail.common.answers import AnswerProblem, json_object, required_list
from tap_callrail.common.dates import midnight, to_utc_iso
from tap_callrail.reports import (
    TIMESERIES_PERIODS,
    KnownTotals,
    ReportScope,
    ReportStream,
    periods,
)

if t.TYPE_CHECKING:
    import requests
    from singer_sdk.helpers.types import Context

#: Optional call fields requested by default: attribution and outcome, no premium add-on.
DEFAULT_CALL_FIELDS = (
    "company_id", "company_name", "company_time_zone", "created_at", "call_type",
    "device_type", "first_call", "lead_status", "note", "value", "tags", "source",
    "source_name", "medium", "campaign", "keywords", "landing_page_url", "referring_url",
    "referrer_domain", "gclid", "utm_source", "utm_medium", "utm_campaign", "utm_term",
    "utm_content", "tracker_id", "person_id", "prior_calls", "total_calls", "agent_email",
    "timeline_url", "milestones",
)  # fmt: skip
SUMMARY_GROUPINGS = (
    "source", "keywords", "campaign", "referrer", "landing_page", "company", "company_id",
)  # fmt: skip
SUMMARY_INTERVALS = ("day", "week", "month", "range")
TIMESERIES_INTERVALS = ("hour", "day", "week", "month")


def _normalise_tags(record: dict) -> dict:
    """Tags come as names or as {id, name} objects; records always carry objects."""
    if isinstance(record.get("tags"), list):
        record["tags"] = [tag if isinstance(tag, dict) else {"name": tag} for tag in record["tags"]]
    return record


class AccountsStream(CallRailStream):
    name = "accounts"
    path = "/a.json"
    records_key = "accounts"
    primary_keys = ("id",)
    schema = schemas.ACCOUNTS
    skip_when_refused = False  # every other stream hangs on the account list

    optional_fields = ("numeric_id",)

    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        wanted = self.config.get("account_ids")
        if wanted and not {str(row["id"]), str(row.get("numeric_id"))} & set(wanted):
            return None
        self.tap.account_zones[str(row["id"])] = row.get("time_zone")
        return super().post_process({**row, "account_id": row["id"]}, context)

    def get_child_context(self, record: dict, context: Context | None) -> dict:
        return {"account_id": record["id"]}


class PerAccountStream(CallRailStream):
    """A stream read once per account."""

    parent_stream_type = AccountsStream


class CompaniesStream(PerAccountStream):
    name = "companies"
    path = "/a/{account_id}/companies.json"
    records_key = "companies"
    primary_keys = ("id",)
    skip_when_refused = False  # caller ids and summary emails hang on the company list
    optional_fields = ("verified_caller_ids",)
    schema = schemas.COMPANIES

    def company_of(self, record: dict) -> str | None:
        return record["id"]

    def request_records(self, context: Context | None) -> t.Iterable[dict]:
        read = super().request_records
        account = (context or {})["account_id"]
        yield from self.tap.account_companies(account, lambda: read(context))

    def get_child_context(self, record: dict, context: Context | None) -> dict:
        return {"account_id": record["account_id"], "company_id": record["id"]}


class CallsStream(RelativePagesMixin, DatedStream):
    name = "calls"
    path = "/a/{account_id}/calls.json"
    records_key = "calls"
    primary_keys = ("id",)
    replication_key = "start_time"
    parent_stream_type = AccountsStream
    schema = schemas.CALLS

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        # company_id is always asked for: the company_ids setting filters on it.
        fields = dict.fromkeys((*self.config.get("call_fields", DEFAULT_CALL_FIELDS), "company_id"))
        params: dict[str, t.Any] = {
            "sort": "start_time",
            "order": "asc",
            "fields": ",".join(fields),
        }
        return {**params, **super().get_url_params(context, next_page_token)}

    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        return super().post_process(_normalise_tags(row), context)


class ConversationsStream(DatedStream):
    """Text-message conversations; CallRail lists them newest first, so they are unsorted."""

    name = "conversations"
    path = "/a/{account_id}/text-messages.json"
    records_key = "conversations"
    primary_keys = ("id",)
    replication_key = "last_message_at"
    parent_stream_type = AccountsStream
    is_sorted = False
    optional_fields = ("lead_status", "source")
    schema = schemas.CONVERSATIONS


class FormSubmissionsStream(DatedStream):
    name = "form_submissions"
    path = "/a/{account_id}/form_submissions.json"
    records_key = "form_submissions"
    primary_keys = ("id",)
    replication_key = "submitted_at"
    parent_stream_type = AccountsStream
    optional_fields = (
        "company_name", "lead_status", "note", "utm_source", "utm_medium", "utm_campaign",
        "form_name", "timeline_url", "value", "tags", "milestones",
    )  # fmt: skip
    schema = schemas.FORM_SUBMISSIONS

    def get_url_params(self, context: Context | None, next_page_token: t.Any) -> dict[str, t.Any]:
        params = super().get_url_params(context, next_page_token)
        return {**params, "sort": "submitted_at", "order": "asc"}

    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        return super().post_process(_normalise_tags(row), context)


class NotificationsStream(PerAccountStream):
    name = "notifications"
    path = "/a/{account_id}/notifications.json"
    records_key = "notifications"
    primary_keys = ("id",)
    schema = schemas.NOTIFICATIONS


class CallerIdsStream(CallRailStream):
    """Outbound caller ids, per company; some plans answer 403 and are skipped."""

    name = "caller_ids"
    path = "/a/{account_id}/caller_ids.json?company_id={company_id}"
    records_key = "caller_ids"
    primary_keys = ("id",)
    parent_stream_type = CompaniesStream
    state_partitioning_keys: t.ClassVar[list[str]] = []
    schema = schemas.CALLER_IDS

    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        row["company_id"] = row.get("company_id") or (context or {}).get("company_id")
        return super().post_process(row, context)


class CallsSummaryStream(ReportStream):
    """Call counts per period, scope, user and grouping (source, keywords, ...), with each
    request's ungrouped total (`group_by` ""): one request for each."""

    name = "calls_summary"
    path = "/a/{account_id}/calls/summary.json"
    primary_keys = (
        "account_id", "company_id", "user_id", "interval", "date", "group_by", "key",
    )  # fmt: skip
    parent_stream_type = AccountsStream
    schema = schemas.CALLS_SUMMARY
    interval_setting = "summary_interval"

    @property
    def users(self) -> list[str]:
        """The `agent` filters: each of `user_ids`, or "" for all users."""
        return list(self.config.get("user_ids") or [""])

    def requests_for(
        self, scope: ReportScope, first: date, stop: date, known: KnownTotals
    ) -> t.Iterable[tuple[dict[str, t.Any] | None, dict[str, t.Any]]]:
        filters = scope.filters(first, stop)
        if filters is None:
            return
        day = scope.first_day if self.interval == "range" else first
        for user in self.users:
            columns = {
                "company_id": scope.company_id, "user_id": user, "interval": self.interval,
                "date": day.isoformat(), "time_zone": scope.zone.key,
            }  # fmt: skip
            totals = known.get((scope.company_id, user, day.isoformat()))
            if totals is not None and totals.get("total_calls") == 0:
                # No call in the period: its total is known, and no grouping has a row.
                yield None, {**totals, "group_by": "", "key": "", **columns}
                continue
            for grouping in scope.groupings or ("",):
                query = {**filters, "fields": schemas.METRIC_FIELDS}
                query.update({"agent": user} if user else {})
                query.update({"group_by": grouping} if grouping else {})
                yield query, columns

    def known_totals(
        self, context: Context | None, scopes: list[ReportScope], first: date, last: date
    ) -> KnownTotals:
        """Each period's totals from the time series, 200 periods a request, so that periods
        without calls cost no summary request: an empty 25-month backfill at `day` costs 4
        requests per scope and user instead of 760 per grouping."""
        if self.interval == "range":
            return {}
        series = t.cast("CallsTimeseriesStream", self.tap.streams["calls_timeseries"])
        known: KnownTotals = {}
        for scope, user in itertools.product(scopes, self.users):
            spans = periods(first, last, self.interval, TIMESERIES_PERIODS[self.interval])
            for start, stop in spans:
                if filters := scope.filters(start, stop):
                    query = {**filters, "interval": self.interval, "fields": schemas.METRIC_FIELDS}
                    query.update({"agent": user} if user else {})
                    for point in series.read(context, query):
                        day = str(point.pop("date"))[:10]
                        known[scope.company_id, user, day] = point
        return known

    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        body = json_object(response)
        if not isinstance(body.get("total_results"), dict):
            raise AnswerProblem("has no total_results")
        yield {**body["total_results"], "group_by": "", "key": ""}
        grouping = parse_qs(urlsplit(str(response.request.url)).query).get("group_by")
        if grouping:
            for row in required_list(body, "grouped_results"):
                yield {**row, "key": row.get("key") or "", "group_by": grouping[0]}


class CallsTimeseriesStream(ReportStream):
    """Call counts per hour, day, week or month and scope, under the 200-point limit."""

    name = "calls_timeseries"
    path = "/a/{account_id}/calls/timeseries.json"
    primary_keys = ("account_id", "company_id", "interval", "date", "period_start")
    parent_stream_type = AccountsStream
    schema = schemas.CALLS_TIMESERIES
    interval_setting = "timeseries_interval"
    periods_per_request = TIMESERIES_PERIODS

    def requests_for(
        self, scope: ReportScope, first: date, stop: date, known: KnownTotals
    ) -> t.Iterable[tuple[dict[str, t.Any] | None, dict[str, t.Any]]]:
        if filters := scope.filters(first, stop):
            query = {**filters, "interval": self.interval, "fields": schemas.METRIC_FIELDS}
            yield query, {
                "company_id": scope.company_id, "interval": self.interval,
                "time_zone": scope.zone.key, "until": scope.sync_range.end.isoformat(),
            }  # fmt: skip

    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        for point in required_list(json_object(response), "data"):
            if not isinstance(point.get("date"), str):
                raise AnswerProblem("has a data point without a date")
            yield point

    def with_columns(self, row: dict, columns: dict[str, t.Any]) -> dict | None:
        """The local day a period starts on, and the instant; periods not begun are left out
        (CallRail counts them as zeros)."""
        label = str(row["date"])
        if "T" in label:  # hours: 2016-10-01T06:00:00-0500
            begins = to_utc_iso(label)
        else:
            begins = midnight(date.fromisoformat(label), ZoneInfo(columns["time_zone"])).isoformat()
        if begins >= columns["until"]:
            return None
        row = {**row, "date": label[:10], "period_start": begins}
        return super().with_columns(row, {k: v for k, v in columns.items() if k != "until"})


class SummaryEmailsStream(PerAccountStream):
    """Summary email subscriptions: the account's own, then each company's, each once."""

    name = "summary_emails"
    path = "/a/{account_id}/summary_emails"
    records_key = "summary_emails"
    primary_keys = ("id",)
    schema = schemas.SUMMARY_EMAILS

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        wanted = self.config.get("company_ids")
        companies = t.cast("CompaniesStream", self.tap.streams["companies"]).request_records(
            context
        )
        scopes: list[dict] = [{}]
        scopes += [{"company_id": c["id"]} for c in companies if not wanted or c["id"] in wanted]
        read = super().get_records
        reads = (read({**(context or {}), "query": query}) for query in scopes)
        yield from self.each_once(itertools.chain.from_iterable(reads))

    def company_of(self, record: dict) -> str | None:
        scope = record.get("scope") or {}
        return scope.get("id") if scope.get("type") == "Company" else None


class TagsStream(PerAccountStream):
    name = "tags"
    path = "/a/{account_id}/tags.json"
    records_key = "tags"
    primary_keys = ("id",)
    schema = schemas.TAG_RECORDS


class TrackersStream(PerAccountStream):
    name = "trackers"
    path = "/a/{account_id}/trackers.json"
    records_key = "trackers"
    primary_keys = ("id",)
    optional_fields = ("campaign_name", "swap_targets")
    schema = schemas.TRACKERS

    def company_of(self, record: dict) -> str | None:
        return (record.get("company") or {}).get("id")


class UsersStream(PerAccountStream):
    name = "users"
    path = "/a/{account_id}/users.json"
    records_key = "users"
    primary_keys = ("id",)
    schema = schemas.USERS


STREAMS: tuple[type[CallRailStream], ...] = (
    AccountsStream,
    CompaniesStream,
    CallsStream,
    ConversationsStream,
    FormSubmissionsStream,
    NotificationsStream,
    CallerIdsStream,
    CallsSummaryStream,
    CallsTimeseriesStream,
    SummaryEmailsStream,
    TagsStream,
    TrackersStream,
    UsersStream,
)
