"""Form submissions and text conversations of a CallRail account, generated once and stored.

Traps reproduced: `person_id` is the literal `"anonymous"` for anonymous visitors;
`form_data` is free-form, each site's form with fields of its own; conversation ids are
short strings (`KZaGR`), not masked ids; `recent_messages` holds at most two messages, and
MMS `media_urls` are short-lived links.
"""

from __future__ import annotations

import random
import string
from datetime import datetime, timedelta

from sandbox.callrail.call_records import milestones
from sandbox.callrail.catalogue import (
    CAMPAIGNS,
    KEYWORDS,
    LEAD_STATUSES,
    NOTES,
    PAGES,
    SESSION_SOURCES,
    SOURCES,
    TEXTS,
)
from sandbox.callrail.dates import DAY_MS, EPOCH, epoch_ms, utc_z
from sandbox.callrail.world import Account, Record
from sandbox.core.fake import FIRST_NAMES, LAST_NAMES, full_name, masked_id, phone, pretty_phone


def make_form(rng: random.Random, account: Account, ms: int) -> Record:
    """A form submission at `ms`, through a web visit; some visitors stay anonymous."""
    tracker, _ = rng.choice(account.call_trackers)
    source = rng.choice(SESSION_SOURCES)
    medium, referrer, paid = SOURCES[source]
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    anonymous = rng.random() < 0.25
    name = None if anonymous and rng.random() < 0.5 else f"{first} {last}"
    email = f"{first}.{last}@example.com".lower()
    number = None if rng.random() < 0.3 else phone(rng)
    form_data = rng.choice((  # free-form: each site's form has its own fields
        {"name": name, "email": email, "phone": number, "message": rng.choice(TEXTS)},
        {"first_name": first, "last_name": last, "your-email": email, "services": ["Repair"]},
        {"email": email, "newsletter": "yes", "utm": {"source": referrer}},
    ))  # fmt: skip
    form_id, submitted = masked_id(rng, "FOR"), EPOCH + timedelta(milliseconds=ms)
    core = {
        "source": source, "medium": medium, "paid": paid, "web": True,
        "keywords": rng.choice(KEYWORDS) if paid else None,
        "campaign": rng.choice(CAMPAIGNS) if paid else None,
        "referrer_domain": referrer, "device_type": rng.choice(("desktop", "mobile")),
        "landing_page_url": f"https://www.{account.domain}{rng.choice(PAGES)}",
        "first_call": rng.random() < 0.6, "lead_status": rng.choice(LEAD_STATUSES),
    }  # fmt: skip
    return {
        "id": form_id, "company_id": tracker["company"]["id"],
        "person_id": "anonymous" if anonymous else masked_id(rng, "PER"),
        "form_data": form_data,
        "form_url": f"https://www.{account.domain}{rng.choice(('/contact', '/book-online'))}",
        "landing_page_url": core["landing_page_url"], "referrer": referrer or "direct",
        "referring_url": f"https://www.{referrer}/" if referrer else None,
        "submitted_at": utc_z(submitted), "first_form": core["first_call"],
        "customer_phone_number": number, "customer_name": name, "customer_email": email,
        "formatted_customer_phone_number": pretty_phone(number) if number else None,
        "formatted_customer_name": name or email, "source": source,
        "keywords": core["keywords"], "campaign": core["campaign"], "medium": medium,
        "company_name": tracker["company"]["name"], "lead_status": core["lead_status"],
        "note": rng.choice((None, None, *NOTES)),
        "utm_source": (referrer or "").split(".")[0] or None, "utm_medium": medium,
        "utm_campaign": core["campaign"],
        "form_name": rng.choice(("Contact Us", "Book Online", "Free Estimate")),
        "timeline_url": f"https://app.callrail.com/a/{account.numeric_id}/timeline/{form_id}",
        "value": rng.choice((None, None, 100, 250)),
        "tags": [t["name"] for t in rng.sample(account.tags, rng.choice((0, 0, 1)))],
        "milestones": milestones(rng, core, submitted),
        "spam_score": round(rng.random(), 2),  # undeclared
    }  # fmt: skip


def make_conversation(
    rng: random.Random, account: Account, ms: int, now: datetime, taken_ids: set[str]
) -> Record:
    """A text conversation whose last message was at `ms`; old ones are mostly archived."""
    tracker, source = rng.choice(account.call_trackers)
    siblings = [t for t, _ in account.call_trackers if t["company"] == tracker["company"]]
    current = rng.choice(siblings)
    company = next(c for c in account.companies if c["id"] == tracker["company"]["id"])
    while (short_id := "".join(rng.choices(string.ascii_letters, k=5))) in taken_ids:
        pass
    taken_ids.add(short_id)
    customer = phone(rng)
    name = None if rng.random() < 0.3 else full_name(rng)
    last = EPOCH + timedelta(milliseconds=ms)
    messages = []  # newest first, at most two
    for age in sorted(rng.sample(range(600), rng.randint(1, 2))):
        media = []
        if rng.random() < 0.1:
            media.append(f"https://app.callrail.com/mms/{rng.getrandbits(64):x}.jpg")
        messages.append({
            "direction": rng.choice(("incoming", "outgoing")), "content": rng.choice(TEXTS),
            "created_at": utc_z(last - timedelta(minutes=age)),
            "type": "mms" if media else "sms", "media_urls": media,
        })  # fmt: skip
    initial, latest = tracker["tracking_numbers"][0], current["tracking_numbers"][0]
    stale = epoch_ms(now) - ms > 90 * DAY_MS
    return {
        "id": short_id, "company_id": company["id"], "initial_tracker_id": tracker["id"],
        "current_tracker_id": current["id"], "customer_name": name,
        "customer_phone_number": customer, "initial_tracking_number": initial,
        "current_tracking_number": latest, "last_message_at": utc_z(last),
        "state": "archived" if stale and rng.random() < 0.7 else "active",
        "company_time_zone": company["time_zone"],
        "formatted_customer_phone_number": pretty_phone(customer),
        "formatted_initial_tracking_number": pretty_phone(initial),
        "formatted_current_tracking_number": pretty_phone(latest),
        "formatted_customer_name": name or pretty_phone(customer), "recent_messages": messages,
        "lead_status": rng.choice(LEAD_STATUSES),
        "source": source or rng.choice(SESSION_SOURCES),
        "unread_count": rng.randint(0, 3),  # undeclared
    }  # fmt: skip
