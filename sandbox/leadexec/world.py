"""The leads a simulated LeadExec account holds, per lead type, in naive Pacific wall-clock time
as LeadExec stores them.

Traps reproduced: leads added while a client reads stay invisible to queries for a few
seconds (clients poll 10-12 times before a new lead shows); sends to buyers are attached
after the lead arrives, and move `LastUpdated`; every lead and every send carries a field the
notes do not list (`AffiliateID`, `BuyerReference`), as LeadExec adds fields without notice.

Leads are cheap in memory: a lead type keeps its sorted (DateAdded, UID) pairs; every other
field comes from a random generator seeded by the lead's UID, when a page needs it.
"""

from __future__ import annotations

import bisect
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sandbox.leadexec.assumed import SENDS_KEY, SOURCE_ZONE, WINDOW_FIELD
from sandbox.leadexec.lead_types import LeadType

Record = dict[str, Any]
#: (DateAdded as naive Pacific time, UID): leads sort by when they were added.
Key = tuple[datetime, int]

#: How long a lead added with `add_lead` stays invisible to queries by default: LeadExec
#: clients poll 10-12 times, 1.5-2 s apart, before a new lead shows.
LATE_VISIBILITY_SECONDS = 3.0
HISTORY_DAYS = 90
FIRST_UID = 22_000_000

LEAD_SOURCES = ("Bills wholesale leads", "SunPower Affiliates", "QuoteWizard", "Web Form", "Import")
CAMPAIGNS = ("Default MLM", "Spring Refi", "Summer Solar", "Auto Q3", "Retargeting")
BUYERS = ((501, "Acme Lending"), (502, "Bluebird Insurance"), (503, "Sunny Day Solar"),
          (504, "Keystone Mortgage"), (505, "Lakeside Agency"))  # fmt: skip
SEND_STATUSES = ("Accepted", "Accepted", "Accepted", "Rejected", "Pending", "Returned")


@dataclass
class Leads:
    """One lead type's leads: sorted (DateAdded as naive Pacific time, UID) keys."""

    spec: LeadType
    keys: list[Key] = field(default_factory=list)
    #: UID -> fields that replace the generated ones (late changes, added leads).
    overrides: dict[int, Record] = field(default_factory=dict)
    #: UID -> extra sends attached after the lead arrived.
    late_sends: dict[int, list[Record]] = field(default_factory=dict)
    #: UID -> time.monotonic() from which the lead is visible to queries.
    visible_at: dict[int, float] = field(default_factory=dict)

    def visible(self, start: datetime | None, end: datetime | None) -> list[Key]:
        """Keys added in [start, end) that queries can see by now."""
        first = 0 if start is None else bisect.bisect_left(self.keys, (start, 0))
        stop = len(self.keys) if end is None else bisect.bisect_left(self.keys, (end, 0))
        keys = self.keys[first:stop]
        if self.visible_at:
            clock = time.monotonic()
            keys = [k for k in keys if self.visible_at.get(k[1], 0.0) <= clock]
        return keys


def to_source(moment: datetime) -> datetime:
    """An instant as LeadExec stores it: naive Pacific wall-clock time; naive stays as is."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(SOURCE_ZONE).replace(tzinfo=None)


def generate(
    kinds: dict[int, Leads],
    *,
    seed: int,
    now: datetime,
    leads_per_day: int,
    history_days: int,
    first_uid: int,
) -> int:
    """Leads at random instants over the history, numbered in the order they arrived across
    lead types; returns the next free UID."""
    span = history_days * 86_400
    arrivals: list[tuple[float, int]] = []
    for lid in kinds:
        rng = random.Random(f"{seed}:{lid}")
        arrivals += [(rng.uniform(0, span), lid) for _ in range(leads_per_day * history_days)]
    start = now - timedelta(seconds=span)
    uid = first_uid
    for offset, lid in sorted(arrivals):
        moment = start + timedelta(seconds=int(offset))
        kinds[lid].keys.append((to_source(moment), uid))
        uid += 1
    for kind in kinds.values():
        kind.keys.sort()
    return uid


def make_lead(kind: Leads, uid: int, added: datetime, *, seed: int, now: datetime) -> Record:
    """Every field of a lead, typed; dates are naive Pacific time, rendered per format later."""
    rng = random.Random(seed * 1_000_003 + uid)
    latest = to_source(now)
    record: Record = {
        "UID": uid,
        "LeadSource": rng.choice(LEAD_SOURCES),
        WINDOW_FIELD: added,
        "LastUpdated": min(added + timedelta(minutes=rng.randint(0, 720)), latest),
        "FileUID": 0 if rng.random() < 0.7 else rng.randint(4000, 4999),
        "Campaign": rng.choice(CAMPAIGNS),
        "IsValid": rng.random() > 0.08,
        "MaxSell": rng.choice((1, 3, 5, 10)),
        "Price": round(rng.uniform(5, 60), 2),
        "AffiliateID": f"AFF-{uid % 97:03d}",
    }
    for name, make in kind.spec.fields:
        record[name] = make(rng, added)
    sends = _sends(rng, uid, added, record["MaxSell"], latest)
    record.update(kind.overrides.get(uid, {}))
    record[SENDS_KEY] = sends + kind.late_sends.get(uid, [])
    return record


def _sends(
    rng: random.Random, uid: int, added: datetime, max_sell: int, latest: datetime
) -> list[Record]:
    """The deliveries to buyers within 15 minutes of arrival, up to `max_sell`, none future."""
    sends = []
    for number in range(min(rng.choice((0, 1, 1, 2, 3)), max_sell)):
        client_uid, client_name = rng.choice(BUYERS)
        sent = added + timedelta(seconds=rng.randint(1, 900))
        if sent <= latest:
            sends.append(
                {
                    "SendUID": uid * 100 + number,
                    "ClientUID": client_uid,
                    "ClientName": client_name,
                    "DateSent": sent,
                    "Price": round(rng.uniform(5, 40), 2),
                    "Status": rng.choice(SEND_STATUSES),
                    "BuyerReference": buyer_reference(client_uid, uid * 100 + number),
                }
            )
    return sends


def buyer_reference(client_uid: int, send_uid: int) -> str:
    """The buyer's own id for a send: a field the notes do not list."""
    return f"B{client_uid}-{send_uid}"
