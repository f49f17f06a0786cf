"""A fulfilled call as the REST API reports it: the `cdr_rated` columns, drawn from a seed.

Late records are reproduced: a call is rated and its recording completed only once it ended
an hour ago, so until then its charges are null and `recording_completed` is N. A call to an
SPC number carries the attribution of the session that held the number (`session_fields`),
not static keywords. `call_date` is not stored: it is rendered in the account's zone when shown.
Each call also carries columns the contract does not list (`UNLISTED_FIELDS`), as an API grows
fields without notice: a tap must pass them through.
"""

from __future__ import annotations

import hashlib
import math
import random
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sandbox.core.fake import CITIES, full_name, phone

if TYPE_CHECKING:
    from sandbox.mongoose.world import Campaign, Session

Record = dict[str, Any]

FIELDS = (
    "cdr_rated_code", "cdr_entry_date", "call_date", "account_code", "campaign_code",
    "campaign_name", "incoming_number", "incoming_caller_name", "caller_state",
    "caller_areacode", "caller_zip", "caller_timezone", "did_number", "destination_number",
    "route_type", "status", "message", "rings_count", "call_duration", "duration_in_mins",
    "recording_completed", "recording", "session_uniqueid", "keywords", "keyword_type",
    "keyword_source", "promocode", *(f"custom{n}" for n in range(1, 11)), "callrate_charged",
    "charges_call", "charges_addresslookup",
)  # fmt: skip
#: Columns the assumed contract does not name.
UNLISTED_FIELDS = ("caller_city", "tracking_source")
STATUSES = ("ANSWERED", "NO ANSWER", "BUSY", "FAILED")
MESSAGES = {
    "ANSWERED": "Call completed",
    "NO ANSWER": "No answer at destination",
    "BUSY": "Destination busy",
    "FAILED": "Call failed to connect",
}
KEYWORDS = ("emergency plumber", "roof repair cost", "spring sale", "ac repair near me")
ZONES_BY_STATE = {"GA": "America/New_York", "TX": "America/Chicago", "CO": "America/Denver",
                  "IL": "America/Chicago", "AZ": "America/Phoenix"}  # fmt: skip
RECORDINGS = "https://recordings.mongoosemetrics.com"
#: How long after a call ends its rating and recording are done.
RATING_LAG = timedelta(hours=1)
RATE = 0.06


def draw_call(rng: random.Random, serial: int, campaign: Campaign, at: datetime,
              number: str, *, now: datetime) -> Record:  # fmt: skip
    """A call to `number` of `campaign` at `at`; `_at` keeps the instant, in UTC."""
    code = hashlib.sha1(f"{serial}:{rng.random()}".encode()).hexdigest()  # noqa: S324
    city, state, _, area, zip_code = rng.choice([c for c in CITIES if c[2] == "US"])
    status = rng.choices(STATUSES, (70, 15, 8, 7))[0]
    answered = status == "ANSWERED"
    duration = rng.randint(15, 900) if answered else 0
    minutes = math.ceil(duration / 60)
    finished = at + timedelta(seconds=duration)
    rated = finished < now - RATING_LAG
    recorded = answered and rated and rng.random() < 0.8
    keywords = None if campaign.spc or rng.random() < 0.5 else rng.choice(KEYWORDS)
    record: Record = dict.fromkeys(FIELDS)
    record.update({
        "cdr_rated_code": code,
        "cdr_entry_date": int(finished.timestamp()) + rng.randint(5, 300),
        "account_code": campaign.account.code,
        "campaign_code": campaign.code,
        "campaign_name": campaign.name,
        "incoming_number": phone(rng, area)[2:],
        "incoming_caller_name": (
            full_name(rng).upper() if rng.random() < 0.7 else "WIRELESS CALLER"
        ),
        "caller_state": state,
        "caller_areacode": area,
        "caller_zip": zip_code,
        "caller_timezone": ZONES_BY_STATE.get(state or "", "America/New_York"),
        "did_number": number,
        "destination_number": campaign.destination,
        "route_type": campaign.route_type,
        "status": status,
        "message": MESSAGES[status],
        "rings_count": rng.randint(1, 6),
        "call_duration": duration,
        "duration_in_mins": float(minutes),
        "recording_completed": "Y" if recorded else "N",
        "recording": f"{RECORDINGS}/{code}.mp3" if recorded else None,
        "keywords": keywords,
        "keyword_type": "static" if keywords else None,
        "keyword_source": rng.choice(("google", "bing")) if keywords else None,
        "promocode": "SPRING10" if rng.random() < 0.05 else None,
        "callrate_charged": RATE if rated else None,
        "charges_call": round(minutes * RATE, 2) if rated else None,
        "charges_addresslookup": (0.01 if rng.random() < 0.3 else 0.0) if rated else None,
        "caller_city": city,
        "tracking_source": "session" if campaign.spc else "static",
        "_at": at.astimezone(timezone.utc),
    })  # fmt: skip
    return record


def past_session_fields(rng: random.Random) -> Record:
    """The attribution of a session long expired, for calls drawn into the history."""
    follower = rng.randint(10**8, 10**10)
    return {
        "session_uniqueid": hex_code(rng, 32),
        "keywords": rng.choice(KEYWORDS),
        "keyword_type": "session",
        "keyword_source": "spc",
        "custom1": f"twitter:{follower}" if rng.random() < 0.6 else None,
        "custom2": rng.choice(("adcopy-A", "adcopy-B", None)),
    }


def session_fields(session: Session | None) -> Record:
    """What a call to an SPC number carries: its live session's attribution, or none."""
    if session is None:
        return {"session_uniqueid": None, "keyword_type": None, "keyword_source": None}
    return {
        "session_uniqueid": session.id,
        "keywords": session.keywords,
        "keyword_type": "session",
        "keyword_source": "spc",
        **{f"custom{n}": session.custom.get(n) for n in range(1, 11)},
    }


def hex_code(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"
