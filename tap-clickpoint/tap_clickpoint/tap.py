"""tap-clickpoint: the settings and the list of streams."""

from __future__ import annotations

import typing as t
from functools import cached_property
from zoneinfo import ZoneInfo

from singer_sdk import typing as th

from tap_clickpoint import assumed
from tap_clickpoint.common.dates import DATE_FORMS, DATE_SETTING, SettingError, SyncRange
from tap_clickpoint.common.tap import BaseTap
from tap_clickpoint.streams import STREAMS

if t.TYPE_CHECKING:
    from singer_sdk.streams import Stream

LEAD_TYPE_ID = th.IntegerType(minimum=1, maximum=2**63 - 1)


class TapClickPoint(BaseTap):
    """Singer tap for ClickPoint LeadExec's legacy Data Interface."""

    name = "tap-clickpoint"
    url_settings = ("api_url",)
    #: Discovery reads a sample of each lead type, so it needs valid settings.
    dynamic_catalog = True

    config_jsonschema = th.PropertiesList(
        th.Property("api_key", th.StringType, required=True, secret=True,
                    description="LeadExec Data Interface API key"),
        th.Property("lead_type_ids", th.ArrayType(LEAD_TYPE_ID), required=True,
                    description="Lead types (LIDs) to read; each has its own fields"),
        th.Property("start_date", DATE_SETTING,
                    description=f"{DATE_FORMS}: days of source_timezone (2024-05-01 is its "
                    "midnight there); needed only by dated streams."),
        th.Property("end_date", DATE_SETTING,
                    description="Same syntax as start_date; a date includes that whole day of "
                    "source_timezone. Default: now."),
        th.Property("lookback_days", th.IntegerType(minimum=0, maximum=3650), default=2,
                    description="Days re-read before each bookmark: leads become visible "
                    "late and their deliveries change."),
        th.Property("page_size", th.IntegerType(minimum=1, maximum=assumed.MAX_TAKE),
                    default=assumed.MAX_TAKE, description="Leads per request (take)."),
        th.Property("window_days", th.IntegerType(minimum=1, maximum=3650),
                    description="Most days of DateAdded per request window. Default: no limit, "
                    "one window for the whole range (LeadExec documents none, and pages read "
                    "any number of leads)."),
        th.Property("source_timezone", th.StringType, default=assumed.SOURCE_TIMEZONE,
                    description="IANA time zone of LeadExec's naive timestamps, and of the days "
                    "that start_date, end_date and windows name."),
        th.Property("api_url", th.StringType, default="https://apidata.leadexec.net",
                    description="Base URL of the Data Interface (the sandbox points it at "
                    "127.0.0.1)."),
        th.Property("max_parallel", th.IntegerType(minimum=1, maximum=64), default=4,
                    description="Lead types read at once; 1 reads them one after another. "
                    "Output is the same."),
        th.Property("request_timeout", th.IntegerType(minimum=1, maximum=86400), default=300,
                    description="Seconds one request may take, its answer included, before "
                    "it is retried."),
        th.Property("max_retries", th.IntegerType(minimum=0, maximum=1000), default=8,
                    description="Retries of one request after 429, 5xx, a timeout or a "
                    "dropped connection."),
        th.Property("max_retry_seconds", th.IntegerType(minimum=0, maximum=604800), default=1800,
                    description="Longest time spent retrying one request before giving up."),
    ).to_dict()  # fmt: skip

    def __init__(self, *args: t.Any, setup_mapper: bool = True, **kwargs: t.Any) -> None:
        # The mapper reads the catalog, and discovering it sends requests: the settings are
        # checked first, so that a bad one fails before any request.
        super().__init__(*args, setup_mapper=False, **kwargs)
        if setup_mapper:
            self.setup_mapper()

    def check_settings(self) -> None:
        super().check_settings()
        _ = self.zone, self.lead_type_ids, self.sync_range

    @cached_property
    def sync_range(self) -> SyncRange:
        """start_date to end_date: their days are those of source_timezone."""
        start_date, end_date = self.config.get("start_date"), self.config.get("end_date")
        return SyncRange.from_settings(start_date, end_date, zone=self.zone)

    @cached_property
    def zone(self) -> ZoneInfo:
        """source_timezone: LeadExec's wall clock, and the zone whose days settings name."""
        name = str(self.config.get("source_timezone") or assumed.SOURCE_TIMEZONE)
        try:
            return ZoneInfo(name)
        except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
            msg = f"setting 'source_timezone' is not an IANA time zone: {name!r}"
            raise SettingError(msg) from None

    @cached_property
    def lead_type_ids(self) -> list[int]:
        """The configured lead types, each once, in the order given."""
        lead_type_ids = list(dict.fromkeys(self.config.get("lead_type_ids") or []))
        if not lead_type_ids:
            raise SettingError("setting 'lead_type_ids' needs at least one lead type id")
        return lead_type_ids

    def discover_streams(self) -> list[Stream]:
        return [stream_class(tap=self) for stream_class in STREAMS]


if __name__ == "__main__":
    TapClickPoint.cli()
