"""tap-callrail: the settings and the list of streams."""

from __future__ import annotations

import typing as t
from datetime import datetime, time, timedelta, timezone
from functools import cached_property

from singer_sdk import typing as th

from tap_callrail.client import HourlyBudget
from tap_callrail.common.dates import SyncRange, months_before
from tap_callrail.common.tap import BaseTap
from tap_callrail.streams import (
    DEFAULT_CALL_FIELDS,
    STREAMS,
    SUMMARY_GROUPINGS,
    TIMESERIES_INTERVALS,
)

if t.TYPE_CHECKING:
    from singer_sdk.streams import Stream

RETENTION_MONTHS = 25  # CallRail deletes calls, texts and forms older than this
STRINGS = th.ArrayType(th.StringType)
GROUPING = th.StringType(allowed_values=list(SUMMARY_GROUPINGS))


class TapCallRail(BaseTap):
    """Singer tap for the CallRail API v3."""

    name = "tap-callrail"
    url_settings = ("api_url",)

    config_jsonschema = th.PropertiesList(
        th.Property("api_key", th.StringType, required=True, secret=True,
                    description="CallRail API v3 key (Settings > Integrations > API Keys)"),
        th.Property("start_date", th.StringType, required=True,
                    description="ISO 8601 date or date-time, or today, yesterday, today-N. "
                    f"Clamped to CallRail's {RETENTION_MONTHS}-month retention."),
        th.Property("end_date", th.StringType,
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
                    description="One calls_summary grouping per value."),
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
        super().__init__(*args, **kwargs)

    def check_settings(self) -> None:
        super().check_settings()
        _ = self.sync_range

    @cached_property
    def sync_range(self) -> SyncRange:
        """start_date to end_date in UTC, never before CallRail's retention."""
        requested = SyncRange.from_settings(
            self.config.get("start_date"), self.config.get("end_date")
        )
        today = datetime.now(timezone.utc).date()
        oldest_kept = months_before(today, RETENTION_MONTHS) + timedelta(days=1)
        earliest = datetime.combine(oldest_kept, time(), tzinfo=timezone.utc)
        if requested.start < earliest:
            self.logger.warning(
                "start_date %s is older than CallRail keeps data (%d months); starting at %s",
                self.config["start_date"],
                RETENTION_MONTHS,
                earliest.date(),
            )
        return requested.clamped(earliest)

    def request_budget(self, account_id: str) -> HourlyBudget:
        """The hourly request budget of one account, shared by every stream of this tap."""
        if account_id not in self._budgets:  # setdefault: accounts are read in parallel
            budget = HourlyBudget(self.config["max_requests_per_hour"], self.logger)
            self._budgets.setdefault(account_id, budget)
        return self._budgets[account_id]

    def discover_streams(self) -> list[Stream]:
        return [stream_class(tap=self) for stream_class in STREAMS]


if __name__ == "__main__":
    TapCallRail.cli()
