"""tap-incontact: the settings and the list of streams."""

from __future__ import annotations

import re
import typing as t
from datetime import timezone, tzinfo
from functools import cached_property

from singer_sdk import typing as th
from singer_sdk.exceptions import FatalAPIError

from tap_incontact.auth import InContactAuth
from tap_incontact.client import RETRY_WAITS, InContactStream
from tap_incontact.common.dates import DATE_FORMS, DATE_SETTING, SettingError, SyncRange
from tap_incontact.common.tap import BaseTap
from tap_incontact.streams import STREAMS
from tap_incontact.zones import named_zone

if t.TYPE_CHECKING:
    from singer_sdk.streams import Stream

#: The settings each way of signing in needs.
REQUIRED_FOR = {
    "password": ("application_name", "vendor_name", "business_unit", "username", "password"),
    "cxone": ("client_id", "client_secret", "access_key_id", "access_key_secret"),
}
#: Reports by id (4087) or by name ("Contact Detail Export").
REPORTS = th.ArrayType(th.CustomType({"type": ["integer", "string"]}))


def _setting(name: str, kind: t.Any = th.StringType, **kwargs: t.Any) -> th.Property:
    return th.Property(name, kind, **kwargs)


class TapInContact(BaseTap):
    """Singer tap for inContact / NICE CXone reporting and admin data."""

    name = "tap-incontact"
    url_settings = ("auth_url", "cxone_issuer", "api_base_url")

    config_jsonschema = th.PropertiesList(
        _setting("auth_method", th.StringType(allowed_values=list(REQUIRED_FOR)),
                 default="password",
                 description="password: the inContact Central password grant; cxone: a CXone "
                 "back-end application."),
        _setting("application_name", description="Central: API application name"),
        _setting("vendor_name", description="Central: vendor name of the API application"),
        _setting("business_unit", description="Central: business unit number (busNo)"),
        _setting("username", description="Central: user name"),
        _setting("password", secret=True, description="Central: password"),
        _setting("auth_url", default="https://api.incontact.com/InContactAuthorizationServer/Token",
                 description="Central token endpoint"),
        _setting("client_id", description="CXone: client id of the back-end application"),
        _setting("client_secret", secret=True, description="CXone: client secret"),
        _setting("access_key_id", description="CXone: access key id of the API user"),
        _setting("access_key_secret", secret=True, description="CXone: access key secret"),
        _setting("cxone_issuer", default="https://cxone.niceincontact.com",
                 description="CXone issuer (token endpoint and API host are discovered from it)"),
        _setting("api_base_url", description="Override the API base URL (…/inContactAPI/) that "
                 "sign-in reports"),
        _setting("api_version", default="30.0",
                 description="Pinned services/vNN.0 version; the schemas match 30.0"),
        _setting("start_date", DATE_SETTING,
                 description=f"{DATE_FORMS}; needed only by dated streams"),
        _setting("end_date", DATE_SETTING, description="Same syntax as start_date; a date "
                 "includes that whole day. Default: now."),
        _setting("lookback_minutes", th.IntegerType(minimum=0, maximum=43200), default=60,
                 description="Contacts settle for at least 15 minutes: incremental runs re-read "
                 "this much, and windows never reach past now minus this."),
        _setting("performance_interval",
                 th.StringType(allowed_values=["15m", "1h", "1d", "range"]), default="1d",
                 description="Window of one agent, team or skill performance row: 15m, 1h, 1d "
                 "(days of time_zone), or range: one row per key with the totals of the whole "
                 "start_date..end_date"),
        _setting("time_zone", description="IANA time zone (America/Chicago) whose days "
                 "start_date, end_date, today-N and day windows name. Default: the business "
                 "unit's zone as the API reports it, else UTC with a warning"),
        _setting("custom_report_ids", REPORTS,
                 description="Reports to run as Custom Reports: ids, or names as the reports "
                 "stream lists them"),
        _setting("data_download_report_ids", REPORTS,
                 description="Reports to run as Data Download reports: ids, or names as the "
                 "reports stream lists them"),
        _setting("data_download_window_days", th.IntegerType(minimum=1, maximum=30), default=30,
                 description="Days per Data Download request (at most 30, the API's limit)"),
        _setting("page_size", th.IntegerType(minimum=1, maximum=10000), default=1000,
                 description="top for paged endpoints (the server may clamp it)"),
        _setting("report_poll_seconds", th.NumberType(minimum=0, maximum=3600), default=5,
                 description="Pause between polls of a custom report job"),
        _setting("report_timeout_seconds", th.IntegerType(minimum=1, maximum=86400), default=600,
                 description="Longest wait for a custom report job"),
        _setting("max_parallel", th.IntegerType(minimum=1, maximum=64), default=4,
                 description="Report jobs (custom and Data Download report ids) run at once; "
                 "1 runs them one after another. Output is the same"),
        _setting("request_timeout", th.IntegerType(minimum=1, maximum=86400), default=300,
                 description="Seconds to wait for one answer before retrying the request"),
        _setting("max_retries", th.IntegerType(minimum=0, maximum=1000), default=8,
                 description="Retries of one request after 429, 5xx or a dropped connection"),
        _setting("max_retry_seconds", th.IntegerType(minimum=0, maximum=604800), default=1800,
                 description="Longest time spent retrying one request before giving up"),
    ).to_dict()  # fmt: skip

    def check_settings(self) -> None:
        super().check_settings()
        method = self.config.get("auth_method", "password")
        for name in REQUIRED_FOR[method]:
            if not self.config.get(name):
                msg = f"setting '{name}' is required when auth_method is '{method}'"
                raise SettingError(msg)
        zone_name = self.config.get("time_zone")
        if zone_name and named_zone(str(zone_name)) is None:
            msg = f"setting 'time_zone' is not a time zone name like America/Chicago: {zone_name!r}"
            raise SettingError(msg)
        _ = self.api_version
        SyncRange.from_settings(self.config.get("start_date"), self.config.get("end_date"))

    @cached_property
    def sync_range(self) -> SyncRange:
        """start_date..end_date, in days of the account's zone."""
        start, end = self.config.get("start_date"), self.config.get("end_date")
        return SyncRange.from_settings(start, end, zone=self.zone)

    @cached_property
    def zone(self) -> tzinfo:
        """`time_zone`; else the zone the business unit reports (one request); else UTC."""
        if name := self.config.get("time_zone"):
            return named_zone(str(name)) or timezone.utc  # checked in check_settings
        try:
            name = t.cast("InContactStream", self.streams["agents"]).business_unit_zone()
            problem = f"names a time zone it does not know: {name!r}" if name else "names none"
        except FatalAPIError as error:
            name, problem = None, f"could not be read ({error})"
        if name and (zone := named_zone(name)):
            self.logger.info("Days are those of the business unit's time zone, %s", zone)
            return zone
        self.logger.warning(
            "inContact's business unit settings %s: days are UTC days; set 'time_zone' to "
            "the account's zone",
            problem,
        )
        return timezone.utc

    @cached_property
    def api_version(self) -> str:
        """`vNN.0` from `30.0`, `30` or `v30.0`."""
        match = re.fullmatch(r"v?(\d+)(?:\.0)?", str(self.config.get("api_version", "")).strip())
        if not match:
            value = self.config.get("api_version")
            msg = f"setting 'api_version' is not a version like 30.0: {value!r}"
            raise SettingError(msg)
        return f"v{match.group(1)}.0"

    @cached_property
    def auth(self) -> InContactAuth:
        """The run's one sign-in, shared by every stream of this tap (and no other tap)."""
        return InContactAuth(self, RETRY_WAITS)

    def discover_streams(self) -> list[Stream]:
        return [stream_class(tap=self) for stream_class in STREAMS]


if __name__ == "__main__":
    TapInContact.cli()
