"""tap-clickpoint: the settings and the list of streams."""

from __future__ import annotations

import sys
import typing as t
from functools import cached_property
from zoneinfo import ZoneInfo

import click
import requests
from singer_sdk import Tap
from singer_sdk import typing as th
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.exceptions import ConfigValidationError, FatalAPIError, RetriableAPIError

from tap_clickpoint import assumed
from tap_clickpoint.common.dates import SettingError, SyncRange
from tap_clickpoint.streams import STREAMS

if t.TYPE_CHECKING:
    from singer_sdk.streams import Stream

PROBLEMS_A_USER_CAN_FIX = (FatalAPIError, RetriableAPIError, requests.RequestException)


class TapClickPoint(Tap):
    """Singer tap for ClickPoint LeadExec's legacy Data Interface."""

    name = "tap-clickpoint"
    message_writer_class = MsgSpecWriter
    #: Discovery reads a sample of each lead type, so it needs valid settings.
    dynamic_catalog = True

    config_jsonschema = th.PropertiesList(
        th.Property("api_key", th.StringType, required=True, secret=True,
                    description="LeadExec Data Interface API key"),
        th.Property("lead_type_ids", th.ArrayType(th.IntegerType(minimum=1)), required=True,
                    description="Lead types (LIDs) to read; each has its own fields"),
        th.Property("start_date", th.StringType, required=True,
                    description="ISO 8601 date or date-time, or today, yesterday, today-N."),
        th.Property("end_date", th.StringType,
                    description="Same syntax as start_date; a date includes that whole day. "
                    "Default: now."),
        th.Property("lookback_days", th.IntegerType(minimum=0), default=2,
                    description="Days re-read before each bookmark: leads become visible "
                    "late and their deliveries change."),
        th.Property("page_size", th.IntegerType(minimum=1, maximum=assumed.MAX_TAKE),
                    default=assumed.MAX_TAKE, description="Leads per request (take)."),
        th.Property("window_days", th.IntegerType(minimum=1), default=1,
                    description="Days of DateAdded per request window."),
        th.Property("source_timezone", th.StringType, default=assumed.SOURCE_TIMEZONE,
                    description="IANA time zone of LeadExec's naive timestamps."),
        th.Property("api_url", th.StringType, default="https://apidata.leadexec.net",
                    description="Base URL of the Data Interface (the sandbox points it at "
                    "127.0.0.1)."),
        th.Property("request_timeout", th.IntegerType(minimum=1), default=300,
                    description="Seconds to wait for one answer before retrying the request."),
        th.Property("max_retries", th.IntegerType(minimum=0), default=8,
                    description="Retries of one request after 429, 5xx, a timeout or a "
                    "dropped connection."),
        th.Property("max_retry_seconds", th.IntegerType(minimum=0), default=1800,
                    description="Longest time spent retrying one request before giving up."),
    ).to_dict()  # fmt: skip

    def __init__(
        self,
        *args: t.Any,
        validate_config: bool = True,
        setup_mapper: bool = True,
        **kwargs: t.Any,
    ) -> None:
        # The mapper reads the catalog, and discovering it sends requests: settings are
        # checked first, so that a bad one fails before any request.
        super().__init__(*args, validate_config=validate_config, setup_mapper=False, **kwargs)
        if validate_config:
            try:
                _ = self.sync_range, self.source_zone, self.lead_type_ids
            except SettingError as error:
                raise ConfigValidationError(str(error), errors=[str(error)]) from None
        if setup_mapper:
            self.setup_mapper()

    @cached_property
    def sync_range(self) -> SyncRange:
        """start_date to end_date, in UTC."""
        return SyncRange.from_settings(self.config.get("start_date"), self.config.get("end_date"))

    @cached_property
    def source_zone(self) -> ZoneInfo:
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

    @classmethod
    def invoke(cls, *args: t.Any, **kwargs: t.Any) -> None:
        """Run the tap; a problem the user can fix is one line on stderr and exit 1."""
        try:
            super().invoke(*args, **kwargs)
        except ConfigValidationError as error:
            cls.logger.error("Invalid configuration: %s", "; ".join(error.errors or [str(error)]))
            sys.exit(1)
        except PROBLEMS_A_USER_CAN_FIX as error:
            cls.logger.error("%s", error)
            sys.exit(1)

    @classmethod
    def cb_discover(cls, ctx: click.Context, param: click.Option, value: bool) -> None:
        """Discovery reads the API too: its failures are one line and exit 1 as well."""
        try:
            super().cb_discover(ctx, param, value)
        except PROBLEMS_A_USER_CAN_FIX as error:
            cls.logger.error("%s", error)
            ctx.exit(1)


if __name__ == "__main__":
    TapClickPoint.cli()
