"""tap-mongoose: the settings and the list of streams."""

from __future__ import annotations

import typing as t
from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from singer_sdk import typing as th

from tap_mongoose import contract
from tap_mongoose.common.dates import DATE_FORMS, DATE_SETTING, SettingError, SyncRange
from tap_mongoose.common.tap import BaseTap
from tap_mongoose.streams import STREAMS

if t.TYPE_CHECKING:
    from singer_sdk.streams import Stream


FORMATS = th.StringType(allowed_values=list(contract.RESPONSE_FORMATS))


class TapMongoose(BaseTap):
    """Singer tap for the Mongoose Metrics REST API v2 (assumed contract: see contract.py)."""

    name = "tap-mongoose"
    url_settings = ("api_url",)

    config_jsonschema = th.PropertiesList(
        th.Property("username", th.StringType, required=True,
                    description="Mongoose portal username"),
        th.Property("api_key", th.StringType, required=True, secret=True,
                    description="API v2 key, generated in the Mongoose portal"),
        th.Property("api_url", th.StringType, required=True,
                    description="Base URL of API v2: the API host shown in the Mongoose portal. "
                    "No default."),
        th.Property("auth_method", th.StringType(allowed_values=list(contract.AUTH_METHODS)),
                    default=contract.AUTH_BASIC,
                    description="basic: HTTP Basic; params: username and api_key as query "
                    "parameters (masked in logs)"),
        th.Property("response_format", FORMATS, default=contract.FORMAT_JSON,
                    description="Ask for JSON or XML answers"),
        th.Property("fulfilled_path", th.StringType, default=contract.FULFILLED_PATH,
                    description="Path of the Get Fulfilled report under api_url"),
        th.Property("customer_report_path", th.StringType, default=contract.CUSTOMER_REPORT_PATH,
                    description="Path of the Customer Report under api_url"),
        th.Property("start_date", DATE_SETTING,
                    description=f"{DATE_FORMS}: "
                    "days of the account's time zone"),
        th.Property("end_date", DATE_SETTING,
                    description="Same syntax as start_date; that whole day is included. "
                    "Default: today in the account's time zone."),
        th.Property("account_timezone", th.StringType, default=contract.DEFAULT_TIMEZONE,
                    description="IANA zone of the account: resolves dates and bookmarks to the "
                    "account's days; times use the zone each answer names, this one if none"),
        th.Property("window_days", th.IntegerType(minimum=1, maximum=contract.MAX_DAYS_PER_REQUEST),
                    default=contract.MAX_DAYS_PER_REQUEST,
                    description="Account-local days per request. Default and most: 31, the "
                    "longest span the API accepts; pages carry any number of records, so "
                    "narrower windows only cost requests"),
        th.Property("lookback_days", th.IntegerType(minimum=0, maximum=3650), default=3,
                    description="Days re-read before each bookmark: calls are rated and "
                    "recordings finish up to 48 hours after the call"),
        th.Property("page_size", th.IntegerType(minimum=1, maximum=contract.MAX_PAGE_SIZE),
                    default=contract.MAX_PAGE_SIZE,
                    description="Records per page (per_page); default and most: 1000"),
        th.Property("request_timeout", th.IntegerType(minimum=1, maximum=86400), default=300,
                    description="Seconds to wait for one answer before retrying the request"),
        th.Property("max_retries", th.IntegerType(minimum=0, maximum=1000), default=8,
                    description="Retries of one request after 429, 5xx, a timeout or a "
                    "dropped connection"),
        th.Property("max_retry_seconds", th.IntegerType(minimum=0, maximum=604800),
                    default=1800,
                    description="Longest time spent retrying one request before giving up"),
    ).to_dict()  # fmt: skip

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        # The key also travels inside an HTTP Basic header, where it shows up base64-encoded.
        self.redactor.add(self.config.get("api_key"), username=str(self.config.get("username")))

    def check_settings(self) -> None:
        super().check_settings()
        for name in ("fulfilled_path", "customer_report_path"):
            if not str(self.config[name]).startswith("/"):
                raise SettingError(f"setting '{name}' must start with '/'")
        _ = self.zone, self.report_days

    @cached_property
    def zone(self) -> ZoneInfo:
        name = str(self.config["account_timezone"])
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"setting 'account_timezone' is not an IANA time zone: {name!r}"
            raise SettingError(msg) from None

    @cached_property
    def report_days(self) -> tuple[date, date]:
        """The first and last account-local day to read, both inclusive; never after today."""
        span = SyncRange.from_settings(
            self.config.get("start_date"), self.config.get("end_date"), zone=self.zone
        )
        first = span.start.astimezone(self.zone).date()
        # The range ends before its `end`: the last day is the one the instant before is on.
        last = (span.end - timedelta(microseconds=1)).astimezone(self.zone).date()
        last = min(last, datetime.now(self.zone).date())
        if last < first:
            msg = (
                f"setting 'start_date' ({self.config['start_date']}) is after the last day to read"
            )
            raise SettingError(msg)
        return first, last

    def discover_streams(self) -> list[Stream]:
        return [stream_class(tap=self) for stream_class in STREAMS]


if __name__ == "__main__":
    TapMongoose.cli()
