"""tap-callrail: the settings and the list of streams."""

from __future__ import annotations

import copy
import threading
import typing as t
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from singer_sdk import typing as th

from tap_callrail.client import HourlyBudget
from tap_callrail.common.dates import (
    DATE_FORMS,
    DATE_SETTING,
    SettingError,
    SyncRange,
    midnight,
    months_before,
)
from tap_callrail.common.tap import BaseTap
from tap_callrail.reports import COMPANY_GROUPINGS, ReportScope
from tap_callrail.streams import (
    DEFAULT_CALL_FIELDS,
    STREAMS,
    SUMMARY_GROUPINGS,
    SUMMARY_INTERVALS,
    TIMESERIES_INTERVALS,
)

if t.TYPE_CHECKING:
    from singer_sdk.streams import Stream

RETENTION_MONTHS = 25  # CallRail deletes calls, texts and forms older than this
UTC = ZoneInfo("Etc/UTC")
STRINGS = th.ArrayType(th.StringType)
GROUPING = th.StringType(allowed_values=list(SUMMARY_GROUPINGS))


class TapCallRail(BaseTap):
    """Singer tap for the CallRail API v3."""

    name = "tap-callrail"
    url_settings = ("api_url",)

    config_jsonschema = th.PropertiesList(
        th.Property("api_key", th.StringType, required=True, secret=True,
                    description="CallRail API v3 key (Settings > Integrations > API Keys)"),
        th.Property("start_date", DATE_SETTING,
                    description=f"{DATE_FORMS}; needed only by dated streams. "
                    f"Clamped to CallRail's {RETENTION_MONTHS}-month retention."),
        th.Property("end_date", DATE_SETTING,
                    description="Same syntax as start_date; a date includes that whole day. "
                    "Default: now."),
        th.Property("account_ids", STRINGS,
                    description="Accounts to read (ACC… or numeric ids). Default: every "
                    "account the key can see."),
        th.Property("company_ids", STRINGS,
                    description="Restrict company-scoped records to these companies."),
        th.Property("lookback_days", th.IntegerType(minimum=0, maximum=3650), default=7,
                    description="Days re-read before each bookmark: tags, lead status, notes, "
                    "value and transcripts change after a call."),
        th.Property("call_fields", STRINGS, default=list(DEFAULT_CALL_FIELDS),
                    description="Optional call fields to request with fields=."),
        th.Property("summary_group_by", th.ArrayType(GROUPING),
                    default=["source"],
                    description="One calls_summary grouping per value; every request's ungrouped "
                    "total is kept too (group_by \"\"). company and company_id group at "
                    "account level only."),
        th.Property("summary_interval", th.StringType(allowed_values=list(SUMMARY_INTERVALS)),
                    default="day",
                    description="Period of one calls_summary row: day, week (from Monday), month, "
                    "or range (one row per key for the whole start_date..end_date)."),
        th.Property("user_ids", STRINGS,
                    description="calls_summary per user (CallRail's agent filter): one row set "
                    "per user id, with user_id in the key. Default: all users together."),
        th.Property("time_zone", th.StringType,
                    description="IANA zone whose days start_date, end_date, today-N and the "
                    "daily reports count in. Default: each company's own time_zone (for "
                    "account-level requests the account's), as CallRail reports it."),
        th.Property("timeseries_interval", th.StringType(allowed_values=list(TIMESERIES_INTERVALS)),
                    default="day", description="Period of one calls_timeseries row."),
        th.Property("api_url", th.StringType, default="https://api.callrail.com/v3",
                    description="Base URL of the API (the sandbox points it at 127.0.0.1)."),
        th.Property("max_requests_per_hour", th.IntegerType(minimum=1, maximum=1_000_000),
                    default=900,
                    description="Client-side throttle per account, under CallRail's 1,000/hour."),
        th.Property("max_parallel", th.IntegerType(minimum=1, maximum=64), default=4,
                    description="Accounts (and companies) read at once, each within its own "
                    "rate budget; 1 reads them one after another. Output is the same."),
        th.Property("request_timeout", th.IntegerType(minimum=1, maximum=86400), default=300,
                    description="Seconds to wait for one answer before retrying the request."),
        th.Property("max_retries", th.IntegerType(minimum=0, maximum=1000), default=12,
                    description="Retries of one request after 429, 5xx or a dropped connection."),
        th.Property("max_retry_seconds", th.IntegerType(minimum=0, maximum=604800), default=3600,
                    description="Longest time spent retrying one request before giving up."),
    ).to_dict()  # fmt: skip

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        self._budgets: dict[str, HourlyBudget] = {}
        self._ranges: dict[str, SyncRange] = {}
        #: Account id -> the zone CallRail reports for it (None: none reported).
        self.account_zones: dict[str, str | None] = {}
        self._scopes: dict[str, list[ReportScope]] = {}
        self._companies: dict[str, list[dict]] = {}
        self._company_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def check_settings(self) -> None:
        super().check_settings()
        name = self.config.get("time_zone")
        if name and _zone(name) is None:
            msg = f"setting 'time_zone' is not an IANA time zone name: {name!r}"
            raise SettingError(msg)
        _ = self.sync_range

    @property
    def zone(self) -> ZoneInfo:
        """The `time_zone` setting's zone; UTC when each company's own zone is used."""
        return _zone(self.config.get("time_zone") or "") or UTC

    @property
    def sync_range(self) -> SyncRange:
        """start_date to end_date in the `time_zone` setting's days (default UTC)."""
        return self.sync_range_in(self.zone)

    def sync_range_in(self, zone: ZoneInfo) -> SyncRange:
        """start_date to end_date in `zone`'s days, never before CallRail's retention there."""
        with self._lock:
            if zone.key not in self._ranges:
                self._ranges[zone.key] = self._clamped_range(zone)
            return self._ranges[zone.key]

    def _clamped_range(self, zone: ZoneInfo) -> SyncRange:
        requested = SyncRange.from_settings(
            self.config.get("start_date"), self.config.get("end_date"), zone=zone
        )
        now = datetime.now(timezone.utc)
        oldest_kept = months_before(now.astimezone(zone).date(), RETENTION_MONTHS)
        oldest_kept += timedelta(days=1)
        # CallRail counts retention in each request's time_zone, and list requests name UTC:
        # the first day kept is one that starts inside the retention in both zones.
        first_in_utc = months_before(now.date(), RETENTION_MONTHS) + timedelta(days=1)
        while midnight(oldest_kept, zone) < midnight(first_in_utc, timezone.utc):
            oldest_kept += timedelta(days=1)
        earliest = midnight(oldest_kept, zone)
        if requested.start < earliest and not self._ranges:
            self.logger.warning(
                "start_date %s is older than CallRail keeps data (%d months); starting at %s",
                self.config["start_date"],
                RETENTION_MONTHS,
                oldest_kept,
            )
        return requested.clamped(earliest)

    # Time zones and report scopes

    def account_zone(self, account_id: str) -> ZoneInfo:
        """The zone of an account's own days: the `time_zone` setting, else the zone CallRail
        reports for the account, else UTC (with a warning naming the setting)."""
        if self.config.get("time_zone"):
            return self.zone
        reported = _zone(self.account_zones.get(account_id) or "")
        if reported is None:
            self.logger.warning(
                "CallRail reports no time zone for account %s; counting its days in UTC "
                "(set time_zone to choose)",
                account_id,
            )
            self.account_zones[account_id] = UTC.key
            return UTC
        return reported

    def account_companies(
        self, account_id: str, read: t.Callable[[], t.Iterable[dict]]
    ) -> t.Iterator[dict]:
        """An account's company list, requested once per run: the companies stream, caller
        ids, summary emails and the report scopes all need it, at the same time when the
        account's streams are read side by side."""
        with self._lock:
            lock = self._company_locks.setdefault(account_id, threading.Lock())
        with lock:
            if account_id not in self._companies:
                self._companies[account_id] = list(read())
        yield from copy.deepcopy(self._companies[account_id])

    def report_scopes(self, account_id: str, companies: t.Iterable[dict]) -> list[ReportScope]:
        """What the account's summary and time-series requests cover, and in which zone.

        Each company's days are its own. `company_ids` (or companies whose zones differ)
        splits the account into one scope per company, each in its own zone (or the
        `time_zone` setting's); otherwise the account is one scope. Company groupings,
        which CallRail offers only at account level, stay at account level in the
        account's zone unless `company_ids` is set.
        """
        with self._lock:
            if account_id in self._scopes:
                return self._scopes[account_id]
        groupings = tuple(self.config.get("summary_group_by") or ())
        per_company = tuple(g for g in groupings if g not in COMPANY_GROUPINGS)
        account_zone = self.account_zone(account_id)
        wanted = self.config.get("company_ids")
        if self.config.get("time_zone") and not wanted:
            companies = ()  # one zone for all: the account is one scope
        zones = {
            str(company["id"]): _zone(str(company.get("time_zone") or "")) or account_zone
            for company in companies
            if not wanted or str(company["id"]) in wanted
        }
        if self.config.get("time_zone"):
            zones = dict.fromkeys(zones, self.zone)
        if wanted or len(set(zones.values())) > 1:
            scopes = [self._scope(company, zone, per_company) for company, zone in zones.items()]
            by_company = tuple(g for g in groupings if g in COMPANY_GROUPINGS)
            if by_company and not wanted:
                scopes.append(self._scope("", account_zone, by_company))
        else:
            scopes = [self._scope("", next(iter(zones.values()), account_zone), groupings)]
        with self._lock:
            self._scopes[account_id] = scopes
        return scopes

    def _scope(self, company_id: str, zone: ZoneInfo, groupings: tuple[str, ...]) -> ReportScope:
        return ReportScope(company_id, zone, groupings, self.sync_range_in(zone))

    def request_budget(self, account_id: str) -> HourlyBudget:
        """The hourly request budget of one account, shared by every stream of this tap."""
        if account_id not in self._budgets:  # setdefault: accounts are read in parallel
            budget = HourlyBudget(self.config["max_requests_per_hour"], self.logger)
            self._budgets.setdefault(account_id, budget)
        return self._budgets[account_id]

    def discover_streams(self) -> list[Stream]:
        return [stream_class(tap=self) for stream_class in STREAMS]


def _zone(name: str) -> ZoneInfo | None:
    """The zone an IANA name (or a legacy name such as `EST`) names, or None."""
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


if __name__ == "__main__":
    TapCallRail.cli()
