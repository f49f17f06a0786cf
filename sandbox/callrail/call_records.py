"""A CallRail call's fields, made on demand from the seed, the account and the call's key.

Traps reproduced: `recording_duration` is a string; a quarter of calls carry `tags` as
{id, name} objects, the rest as names; caller-ID names often arrive upper-case; `person_id`
is sometimes missing; the Premium Conversation Intelligence fields stay null (the simulated
accounts lack the plan); click ids and web-session fields appear only where the call's
source explains them; `milestones` shapes differ for web and offline calls.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from sandbox.callrail.catalogue import (
    CAMPAIGNS,
    KEYWORDS,
    LEAD_STATUSES,
    NOTES,
    PAGES,
    SESSION_SOURCES,
    SOURCES,
)
from sandbox.callrail.dates import EPOCH
from sandbox.callrail.world import Account, Record
from sandbox.core.fake import CITIES, full_name, masked_id, phone, pretty_phone

#: The fields every call has; `fields` adds to these. The last is not in CallRail's documents:
#: the API sends more than it documents, and a client must keep what it does not know.
CALL_FIELDS = (
    "id", "answered", "business_phone_number", "customer_city", "customer_country",
    "customer_name", "customer_phone_number", "customer_state", "direction", "duration",
    "recording", "recording_duration", "recording_player", "start_time",
    "tracking_phone_number", "voicemail", "integration_data",
)  # fmt: skip
# Call fields copied from the core fields that filters and summaries use.
CORE_FIELDS = (
    "answered", "direction", "duration", "voicemail", "campaign", "company_id", "company_name",
    "device_type", "keywords", "landing_page_url", "lead_status", "medium", "referrer_domain",
    "source", "tracker_id", "value", "first_call", "prior_calls",
)  # fmt: skip
# Null unless a condition fills them; the first seven need Premium Conversation Intelligence
# or Voice Assist, which the simulated accounts do not have.
NULL_CALL_FIELDS = (
    "sentiment", "transcription", "call_summary", "lead_score", "lead_explanation",
    "speaker_percent", "voice_assist_message", "recording", "recording_duration",
    "recording_player", "waveforms", "fbclid", "gclid", "msclkid", "ga", "session_uuid",
    "last_requested_url", "utm_campaign", "utm_content", "utm_medium", "utm_source", "utm_term",
    "good_lead_call_time", "good_lead_call_id", "keypad_entries", "zip_code", "referring_url",
)  # fmt: skip
CALL_TYPE_LABELS = {
    "answered": "Answered Call", "missed": "Missed Call", "abandoned": "Abandoned Call",
    "voicemail": "Voicemail", "voicemail_transcription": "Voicemail", "outbound": "Outbound Call",
}  # fmt: skip
CLICK_IDS = {"Google Paid": "gclid", "Bing Paid": "msclkid", "Facebook Paid": "fbclid"}
# Call ids encode (account, key) through an invertible multiplication, so ids look random
# yet a mutation finds its call without an index of every id.
_ID_SPACE = 1 << 128
_ID_MULTIPLIER = 0x2545F4914F6CDD1D9E3779B97F4A7C15
_ID_INVERSE = pow(_ID_MULTIPLIER, -1, _ID_SPACE)


class CallFactory:
    """Makes any call of any account from its key, the same for the same seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._id_salt = random.Random(seed).getrandbits(128)

    def call_id(self, account: Account, key: int) -> str:
        number = (((account.index << 40) | key) ^ self._id_salt) * _ID_MULTIPLIER % _ID_SPACE
        return f"CAL{number:032x}"

    def decode(self, call_id: str) -> tuple[int, int]:
        """(account index, key) that `call_id` would have; KeyError when it is no call id."""
        try:
            number = (int(call_id[3:], 16) * _ID_INVERSE % _ID_SPACE) ^ self._id_salt
        except ValueError:
            raise KeyError(call_id) from None
        return number >> 40, number & ((1 << 40) - 1)

    def _call_seed(self, account: Account, key: int) -> int:
        return (self.seed << 64) ^ (account.index << 40) ^ key

    def core(self, account: Account, key: int) -> Record:
        """The fields that filters and summaries need, cheaper than the whole record."""
        rng = random.Random(self._call_seed(account, key) * 2)
        tracker, label = rng.choice(account.call_trackers)
        outbound = rng.random() < 0.08
        answered = rng.random() < (0.6 if outbound else 0.72)
        voicemail = not answered and not outbound and rng.random() < 0.45
        if answered:
            duration = min(3600, int(rng.lognormvariate(4.6, 0.9)) + 8)
        else:
            duration = rng.randint(8, 75) if voicemail else rng.randint(0, 30)
        prior_calls = 0 if rng.random() < 0.45 else rng.randint(1, 12)
        source = None if outbound else (label or rng.choice(SESSION_SOURCES))
        medium, referrer, paid = SOURCES.get(source or "", (None, None, False))
        web = tracker["type"] == "session" and source is not None
        lead_status = rng.choices(LEAD_STATUSES, weights=(52, 30, 15, 3))[0]
        core = {
            "tracker_id": tracker["id"], "company_id": tracker["company"]["id"],
            "company_name": tracker["company"]["name"],
            "direction": "outbound" if outbound else "inbound", "answered": answered,
            "voicemail": voicemail, "duration": duration, "prior_calls": prior_calls,
            "first_call": prior_calls == 0, "source": source, "medium": medium, "paid": paid,
            "web": web, "referrer_domain": referrer if web else None,
            "landing_page_url": f"https://www.{account.domain}{rng.choice(PAGES)}" if web else None,
            "keywords": rng.choice(KEYWORDS) if paid or (web and rng.random() < 0.5) else None,
            "campaign": rng.choice(CAMPAIGNS) if paid else None, "lead_status": lead_status,
            "value": rng.choice((75, 150, 400, 1200)) if lead_status == "good_lead" else None,
            "device_type": None if outbound else rng.choice(("desktop", "mobile", "mobile")),
            "agent_id": rng.choice(account.users)["id"] if answered else None,
        }  # fmt: skip
        return core | account.overrides.get(key, {})

    def record(self, account: Account, key: int, ms: int) -> Record:
        """Every field of a call; datetimes are rendered in the request's zone later."""
        core = self.core(account, key)
        call_id, start = self.call_id(account, key), EPOCH + timedelta(milliseconds=ms)
        tracker = next(t for t, _ in account.call_trackers if t["id"] == core["tracker_id"])
        # Every part draws from this one generator in this order: reordering changes the data.
        rng = random.Random(self._call_seed(account, key) * 2 + 1)
        record: Record = dict.fromkeys(NULL_CALL_FIELDS) | {k: core[k] for k in CORE_FIELDS}
        record |= _caller(rng)
        call_type = _call_type(rng, core)
        tags = _tags(rng, account)
        record |= _routing(rng, account, core, tracker)
        record |= _follow_up(rng, account, core, call_id)
        record |= {
            "id": call_id, "start_time": start, "created_at": start, "call_type": call_type,
            "formatted_call_type": CALL_TYPE_LABELS[call_type],
            "formatted_duration": duration_text(core["duration"]), "tags": tags,
            "milestones": milestones(rng, core, start), "call_highlights": [],
            "keywords_spotted": [],
            "integration_data": {"crm_synced": core["lead_status"] == "good_lead"},
        }  # fmt: skip
        record |= _recording(rng, account, core, call_id)
        record |= _attribution(rng, account, core, ms)
        if core["lead_status"] == "good_lead":
            record["good_lead_call_time"] = start
            record["good_lead_call_id"] = rng.randint(10**8, 10**9)
        if tracker["call_flow"]["type"] == "ivr":
            record["keypad_entries"] = {"Main Menu": str(rng.randint(1, 4))}
        return record | account.overrides.get(key, {})


def _caller(rng: random.Random) -> Record:
    """Where the caller is, their number and, unless withheld, their name."""
    city, state, country, area, zip_code = rng.choice(CITIES)
    number = phone(rng, area, country)
    name = None if rng.random() < 0.2 else full_name(rng)
    if name and rng.random() < 0.3:
        name = name.upper()  # caller-ID lookups often arrive upper-case
    return {
        "customer_city": city, "customer_country": country, "customer_name": name,
        "customer_phone_number": number, "customer_state": state,
        "formatted_customer_phone_number": pretty_phone(number),
        "formatted_customer_location": f"{city}, {state or country}",
        "formatted_customer_name": name or pretty_phone(number),
        "formatted_customer_name_or_phone_number": name or pretty_phone(number),
        "zip_code": [zip_code] if zip_code else None,
    }  # fmt: skip


def _call_type(rng: random.Random, core: Record) -> str:
    if core["direction"] == "outbound":
        return "outbound"
    if core["answered"]:
        return "answered"
    if core["voicemail"]:
        return rng.choice(("voicemail", "voicemail_transcription"))
    return "abandoned" if core["duration"] < 3 else "missed"


def _tags(rng: random.Random, account: Account) -> list[Record | str]:
    """Up to two enabled tags, as names or as {id, name} objects."""
    enabled = [t for t in account.tags if t["status"] == "enabled"]
    chosen = rng.sample(enabled, min(len(enabled), rng.choice((0, 0, 0, 1, 1, 2))))
    objects = rng.random() < 0.25  # both tag shapes occur in one account's history
    return [{"id": t["id"], "name": t["name"]} if objects else t["name"] for t in chosen]


def _routing(rng: random.Random, account: Account, core: Record, tracker: Record) -> Record:
    """The numbers the call went through, the tracker and company it belongs to, its agent."""
    company = next(c for c in account.companies if c["id"] == tracker["company"]["id"])
    agent = next((u for u in account.users if u["id"] == core["agent_id"]), None)
    tracking = rng.choice(tracker["tracking_numbers"])
    return {
        "business_phone_number": tracker["destination_number"],
        "formatted_business_phone_number": pretty_phone(tracker["destination_number"]),
        "tracking_phone_number": tracking,
        "formatted_tracking_phone_number": pretty_phone(tracking),
        "source_name": tracker["name"],
        "formatted_tracking_source": core["source"] or tracker["name"],
        "company_time_zone": company["time_zone"],
        "agent_email": agent["email"] if agent else None,
    }


def _follow_up(rng: random.Random, account: Account, core: Record, call_id: str) -> Record:
    """What the business made of the call: a note, the person, its value, custom fields."""
    value = core["value"]
    return {
        "note": rng.choice(NOTES) if rng.random() < 0.15 else None,
        "person_id": masked_id(rng, "PER") if rng.random() < 0.9 else None,
        "timeline_url": f"https://app.callrail.com/a/{account.numeric_id}/timeline/{call_id}",
        "formatted_value": f"${value:,.2f}" if isinstance(value, int) else "--",
        "total_calls": core["prior_calls"] + 1,
        "custom": {"service_type": "repair"} if rng.random() < 0.2 else {},
    }


def _recording(rng: random.Random, account: Account, core: Record, call_id: str) -> Record:
    """Most answered calls and voicemails are recorded; the duration is a string."""
    if not ((core["answered"] or core["voicemail"]) and rng.random() < 0.9):
        return {}
    app = f"https://app.callrail.com/calls/{call_id}"
    return {
        "recording": f"https://api.callrail.com/v3/a/{account.id}/calls/{call_id}.mp3",
        "recording_duration": str(core["duration"]),
        "recording_player": f"{app}/recording?access_key={rng.getrandbits(64):016x}",
        "waveforms": [f"{app}/waveform/{side}.png" for side in ("agent", "customer")],
    }


def _attribution(rng: random.Random, account: Account, core: Record, ms: int) -> Record:
    """A paid source's click id, and the visit that led a web caller to the number."""
    fields: Record = {}
    if core["source"] in CLICK_IDS:
        fields[CLICK_IDS[core["source"]]] = f"{rng.getrandbits(128):032x}"
    if core["web"]:
        fields |= {
            "ga": f"GA1.2.{rng.randint(10**8, 10**9)}.{ms // 1000 - rng.randint(0, 10**6)}",
            "session_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "last_requested_url": f"https://www.{account.domain}{rng.choice(PAGES)}",
            "referring_url": f"https://www.{core['referrer_domain']}/",
            "utm_medium": core["medium"],
            "utm_source": (core["referrer_domain"] or "").split(".")[0] or None,
        }
        if core["paid"]:
            fields |= {"utm_campaign": core["campaign"], "utm_term": core["keywords"]}
    return fields


def milestones(rng: random.Random, core: Record, moment: datetime) -> Record:
    """The touches that led to a call or form; only web visitors have more than one."""

    def touch(when: datetime) -> Record:
        paid = core["paid"]
        return {
            "event_date": when, "ad_position": rng.choice(("1t1", "1t2")) if paid else None,
            "campaign": core["campaign"], "device": core["device_type"],
            "keywords": core["keywords"], "landing": core["landing_page_url"],
            "landing_page_url_params": {"gclid": "Cj0KCQ"} if paid else {},
            "match_type": rng.choice(("e", "p", "b")) if paid else None,
            "medium": core["medium"], "referrer": core["referrer_domain"],
            "referrer_url_params": {},
            "session_browser": rng.choice(("Chrome", "Safari", "Edge")) if core["web"] else None,
            "url_utm_params": {"utm_medium": core["medium"]} if paid else {},
            "source": core["source"],
        }  # fmt: skip

    if not core["web"]:
        unknown = dict.fromkeys(("first_touch", "qualified", "last_touch"))
        return unknown | {"lead_created": touch(moment)}
    first = moment - timedelta(days=rng.randint(0, 30), minutes=rng.randint(1, 600))
    return {
        "first_touch": touch(first),
        "lead_created": touch(moment if core["first_call"] else first),
        "qualified": touch(moment) if core["lead_status"] == "good_lead" else None,
        "last_touch": touch(moment - timedelta(minutes=rng.randint(1, 30))),
    }


def duration_text(seconds: int) -> str:
    return f"{seconds // 60}m {seconds % 60}s"
