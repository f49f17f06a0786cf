"""What this tap assumes about LeadExec's legacy Data Interface, all in one place.

ClickPoint does not document these facts; docs/api/clickpoint.md marks each one
**Assumed**. If a real account proves one wrong, this module is the place to change.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

#: Legacy filter bounds and returned dates are wall-clock times of this zone (DST-aware).
#: The `source_timezone` setting overrides it.
SOURCE_TIMEZONE = "America/Los_Angeles"

#: The largest `take` LeadExec honours; larger values are clamped. The tap always sends it.
MAX_TAKE = 1000

#: Leads come in this order when the request asks for it, and the tap always asks.
SORT_FIELD = "DateAdded"
SORT_ORDER = "ASC"

#: The longest span of one request window, in days: None, as LeadExec documents no limit on
#: the span and no cap on the leads a window matches (paging by skip/take reads any number).
#: So one window covers the whole range; set a number here if an account ever refuses long
#: spans (the `window_days` setting caps it too).
MAX_WINDOW_DAYS: int | None = None

#: The request window filters on DateAdded: `StartDate` inclusive, `EndDate` exclusive.
WINDOW_FIELD = "DateAdded"
#: How the tap writes a window bound: Pacific wall-clock time, 24-hour.
REQUEST_DATE_FORMAT = "%m/%d/%Y %H:%M:%S"

#: A lead's deliveries to buyers: XML `<Sends><Send>…</Send></Sends>`, JSON `"Sends": [...]`,
#: each send with SendUID, ClientUID, ClientName, DateSent (naive, Pacific), Price, Status.
SENDS_KEY = "Sends"
SEND_ELEMENT = "Send"

#: Envelope keys. `TakeCount`/`takecount` is the requested take; `SentCount`/`sentcount` is
#: the number of leads in this answer. Only `QueryTotal`/`querytotal` and the leads are used.
QUERY_TOTAL_KEY = "querytotal"
LEADS_KEY = "leads"

#: JSON timestamps are naive ISO 8601, `YYYY-MM-DDTHH:MM:SS[.fff]` (XML's are documented as
#: `1/5/2014 10:50:54 AM`).
JSON_TIMESTAMP_PATTERN = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?"

#: Errors. A bad or missing key answers 401; an unknown lid or an unparseable date, 400;
#: transient failures, 500 or 503. The body is `<Error>message</Error>` or
#: `{"Error": "message"}`. A 200 answer without a `Leads` root or key is an error too.
KEY_REJECTED_STATUS = 401
BAD_REQUEST_STATUS = 400
ERROR_KEY = "error"

#: An empty window answers `<Leads querytotal="0" … />` or `{"QueryTotal": 0, "Leads": []}`:
#: nothing special to do, as both read as a total of 0 and no leads.


def to_source_time(moment: datetime, zone: ZoneInfo) -> str:
    """A UTC instant as a request bound: the zone's wall-clock time."""
    return moment.astimezone(zone).strftime(REQUEST_DATE_FORMAT)


def window_params(start: datetime, end: datetime, zone: ZoneInfo) -> dict[str, str]:
    """The request parameters for the UTC instants [start, end)."""
    return {"StartDate": to_source_time(start, zone), "EndDate": to_source_time(end, zone)}


def from_source_time(naive: datetime, zone: ZoneInfo) -> datetime:
    """A returned wall-clock time as a UTC instant.

    In the repeated hour when clocks fall back, the first occurrence is taken (fold=0).
    """
    return naive.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)
