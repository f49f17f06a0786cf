"""Every LeadExec behaviour that docs/api/clickpoint.md marks **Assumed** is decided here, and
only here: the Pacific source zone, the cap on `take`, the default sort, the window's field
and ends, the JSON envelope and timestamp forms, the shape of sends, and the error answers.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

#: Filter bounds and returned dates are America/Los_Angeles wall-clock time, DST-aware.
SOURCE_ZONE = ZoneInfo("America/Los_Angeles")
#: Larger `take` values are clamped to this.
MAX_TAKE = 1000
#: `SortOrder` when the request names none.
DEFAULT_SORT_ORDER = "ASC"
#: The window filters on DateAdded: StartDate inclusive, EndDate exclusive; a date-only
#: bound is midnight at the start of that day.
WINDOW_FIELD = "DateAdded"
#: JSON envelope keys besides the documented QueryTotal and Leads; `SentCount` is the
#: number of leads in this answer, `TakeCount` the requested take.
JSON_TAKE_COUNT, JSON_SENT_COUNT = "TakeCount", "SentCount"
#: A lead's sends: XML `<Sends><Send>…</Send></Sends>`, JSON `"Sends": [...]`.
SENDS_KEY, SEND_ELEMENT = "Sends", "Send"
#: JSON timestamps are naive ISO 8601 (XML's are `1/5/2014 10:50:54 AM`).
JSON_TIMESTAMP = "%Y-%m-%dT%H:%M:%S"
#: Errors: a bad or missing key is 401; an unknown lid or an unparseable date is 400; the
#: body is `<Error>message</Error>` (XML) or `{"Error": "message"}` (JSON).
BAD_KEY_STATUS, BAD_REQUEST_STATUS, ERROR_KEY = 401, 400, "Error"
