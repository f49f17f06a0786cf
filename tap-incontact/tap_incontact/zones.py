"""The business unit's time zone, as inContact names it, as an IANA zone.

inContact names a business unit's zone the Windows way ("Eastern Standard Time"); an IANA name
("America/New_York") is taken as it is. **Assumed** (incontact.md): `GET business-unit` answers
`{"businessUnits": [{"businessUnitId", "businessUnitName", "timeZone", ...}]}`.
"""

from __future__ import annotations

from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Windows zone names business units use -> IANA (after CLDR's windowsZones, territory 001).
WINDOWS_ZONES = {
    "Hawaiian Standard Time": "Pacific/Honolulu",
    "Alaskan Standard Time": "America/Anchorage",
    "Pacific Standard Time": "America/Los_Angeles",
    "US Mountain Standard Time": "America/Phoenix",
    "Mountain Standard Time": "America/Denver",
    "Central Standard Time": "America/Chicago",
    "Eastern Standard Time": "America/New_York",
    "Atlantic Standard Time": "America/Halifax",
    "Newfoundland Standard Time": "America/St_Johns",
    "SA Pacific Standard Time": "America/Bogota",
    "E. South America Standard Time": "America/Sao_Paulo",
    "UTC": "Etc/UTC",
    "GMT Standard Time": "Europe/London",
    "W. Europe Standard Time": "Europe/Berlin",
    "Romance Standard Time": "Europe/Paris",
    "Central European Standard Time": "Europe/Warsaw",
    "South Africa Standard Time": "Africa/Johannesburg",
    "Israel Standard Time": "Asia/Jerusalem",
    "Arabian Standard Time": "Asia/Dubai",
    "India Standard Time": "Asia/Kolkata",
    "Nepal Standard Time": "Asia/Kathmandu",
    "Singapore Standard Time": "Asia/Singapore",
    "China Standard Time": "Asia/Shanghai",
    "Tokyo Standard Time": "Asia/Tokyo",
    "AUS Eastern Standard Time": "Australia/Sydney",
    "Cen. Australia Standard Time": "Australia/Adelaide",
    "New Zealand Standard Time": "Pacific/Auckland",
}


def named_zone(name: str) -> tzinfo | None:
    """The zone an IANA or Windows name names; None for a name that is neither."""
    text = name.strip()
    try:
        return ZoneInfo(WINDOWS_ZONES.get(text, text)) if text else None
    except (ZoneInfoNotFoundError, ValueError):
        return None
