"""The data the Mongoose simulator holds: accounts, campaigns, fulfilled calls, SPC sessions.

The login's account has sub-accounts (an agency login), each with a `timezone` of a few US
zones, the last of several inactive. Each account's first campaign is an SPC campaign with
a pool of session numbers; the others have one fixed tracking number. `history_days` of
calls are drawn up to `now` from one generator, seeded once, that later calls and session
ids draw from too: the same seed and the same requests give the same data. The public
methods take `lock`; `live_session`, `last_session` and the SPC operations expect it held.
"""

from __future__ import annotations

import bisect
import random
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.core.fake import phone
from sandbox.mongoose.calls import (
    FIELDS,
    UNLISTED_FIELDS,
    ZONES_BY_STATE,
    draw_call,
    hex_code,
    past_session_fields,
    session_fields,
)

Record = dict[str, Any]

LOCAL_TIME = "%Y-%m-%d %H:%M:%S"
CUSTOMERS = ("Peachtree Marketing Group", "Summit Roofing", "Harbor Law Group", "Lakeside HVAC")
CAMPAIGN_NAMES = ("Twitter Followers", "Google Ads", "Yellow Pages", "Radio Spot", "Direct Mail")


@dataclass
class Campaign:
    code: str
    name: str
    account: Account
    spc: bool
    numbers: list[str]
    destination: str
    route_type: str


@dataclass
class Account:
    code: str
    name: str
    parent: str | None
    status: str
    created: datetime
    timezone: str
    campaigns: list[Campaign] = field(default_factory=list)


@dataclass
class Session:
    id: str
    campaign: Campaign
    phone_number: str
    expires: datetime
    keywords: str | None
    custom: dict[int, str]
    reference_id: str | None

    def public(self) -> Record:
        return {
            "session_id": self.id,
            "phone_number": self.phone_number,
            "campaign_code": self.campaign.code,
            "expires": self.expires,
            "keywords": self.keywords,
            "custom_fields": dict(self.custom),
            "reference_id": self.reference_id,
        }


class World:
    def __init__(
        self, *, seed: int, zone: ZoneInfo, now: datetime | None, sub_accounts: int,
        campaigns_per_account: int, calls_per_day: int, history_days: int, spc_pool_size: int,
    ) -> None:  # fmt: skip
        self.zone = zone
        self._fixed_now = now if now is None or now.tzinfo else now.replace(tzinfo=timezone.utc)
        self.lock = threading.Lock()
        self.rng = random.Random(seed)
        self._serial = 0
        self._times: list[float] = []  # call start (unix seconds), sorted, parallel to _calls
        self._calls: list[Record] = []
        self.sessions: dict[str, Session] = {}
        self.accounts = _draw_accounts(self.rng, self.now(), zone, max(0, sub_accounts))
        for account in self.accounts:
            _draw_campaigns(self.rng, account, max(1, campaigns_per_account), max(1, spc_pool_size))
        self.campaigns = {c.code: c for a in self.accounts for c in a.campaigns}
        self.pool_of = {n: c for c in self.campaigns.values() if c.spc for n in c.numbers}
        self._draw_history(history_days, calls_per_day)

    def now(self) -> datetime:
        return self._fixed_now or datetime.now(timezone.utc)

    def local_time(self, moment: datetime) -> str:
        """How the REST API shows an instant: naive wall-clock time in the account's zone."""
        return moment.astimezone(self.zone).strftime(LOCAL_TIME)

    # Calls

    def calls(self) -> list[Record]:
        with self.lock:
            return [self._shown(record) for record in self._calls]

    def between(self, first: date, last: date) -> list[Record]:
        """Calls that started on the account-local days `first` to `last`, both included."""
        start = datetime.combine(first, clock(), self.zone).timestamp()
        end = datetime.combine(last + timedelta(days=1), clock(), self.zone).timestamp()
        with self.lock:
            lo, hi = bisect.bisect_left(self._times, start), bisect.bisect_left(self._times, end)
            return [self._shown(record) for record in self._calls[lo:hi]]

    def add_call(self, at: datetime, campaign_code: str | None, fields: Record) -> str:
        with self.lock:
            static = [c for c in self.campaigns.values() if not c.spc]
            campaign = self.campaigns[campaign_code] if campaign_code else static[0]
            record = self._new_call(campaign, at, campaign.numbers[0])
            record["cdr_entry_date"] = max(record["cdr_entry_date"], int(self.now().timestamp()))
            record.update(fields)
            self._insert(record)
        return str(record["cdr_rated_code"])

    def update_call(self, code: str, fields: Record) -> None:
        with self.lock:
            self._find(code).update(fields)

    def delete_call(self, code: str) -> None:
        with self.lock:
            index = self._calls.index(self._find(code))
            del self._calls[index], self._times[index]

    def call_session_number(self, number: str, at: datetime, fields: Record) -> str:
        with self.lock:
            campaign = self.pool_of[number]
            record = self._new_call(campaign, at, number)
            record.update(session_fields(self.live_session(number, at)))
            record.update(fields)
            self._insert(record)
        return str(record["cdr_rated_code"])

    def _new_call(self, campaign: Campaign, at: datetime, number: str) -> Record:
        self._serial += 1
        return draw_call(self.rng, self._serial, campaign, at, number, now=self.now())

    def _insert(self, record: Record) -> None:
        moment = record["_at"].timestamp()
        index = bisect.bisect_right(self._times, moment)
        self._times.insert(index, moment)
        self._calls.insert(index, record)

    def _find(self, code: str) -> Record:
        for record in self._calls:
            if record["cdr_rated_code"] == code:
                return record
        raise KeyError(code)

    def _shown(self, record: Record) -> Record:
        shown = {name: record[name] for name in (*FIELDS, *UNLISTED_FIELDS)}
        shown["call_date"] = self.local_time(record["_at"])
        return shown

    def _draw_history(self, history_days: int, calls_per_day: int) -> None:
        """Calls on every UTC day from `history_days` ago up to now; SPC ones with a session."""
        now, rng = self.now(), self.rng
        campaigns = list(self.campaigns.values())
        weights = [3 if c.spc else 2 for c in campaigns]
        day = (now - timedelta(days=history_days)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        while day < now:
            for _ in range(rng.randint(calls_per_day // 2, calls_per_day * 3 // 2)):
                at = day + timedelta(seconds=rng.randrange(86_400))
                if at >= now:
                    continue
                campaign = rng.choices(campaigns, weights)[0]
                record = self._new_call(campaign, at, rng.choice(campaign.numbers))
                if campaign.spc:
                    record.update(past_session_fields(rng))
                self._insert(record)
            day += timedelta(days=1)

    # Sessions

    def live_session(self, number: str, at: datetime) -> Session | None:
        return next(
            (s for s in self.sessions.values() if s.phone_number == number and s.expires > at),
            None,
        )

    def last_session(self, number: str) -> Session | None:
        held = [s for s in self.sessions.values() if s.phone_number == number]
        return max(held, key=lambda s: s.expires) if held else None

    def session(self, session_id: str) -> Record:
        with self.lock:
            return self.sessions[session_id].public()

    def all_sessions(self) -> list[Record]:
        with self.lock:
            return [session.public() for session in self.sessions.values()]

    def expire_session(self, session_id: str) -> None:
        with self.lock:
            self.sessions[session_id].expires = self.now().replace(microsecond=0) - timedelta(
                seconds=1
            )


def _draw_accounts(rng: random.Random, now: datetime, zone: ZoneInfo, subs: int) -> list[Account]:
    created = now - timedelta(days=900)
    top = Account(hex_code(rng, 32), CUSTOMERS[0], None, "active", created, zone.key)
    accounts = [top]
    for index in range(subs):
        state_zone = list(ZONES_BY_STATE.values())[index % len(ZONES_BY_STATE)]
        accounts.append(
            Account(
                hex_code(rng, 32),
                CUSTOMERS[1 + index % (len(CUSTOMERS) - 1)],
                top.code,
                "inactive" if index == subs - 1 and subs > 1 else "active",
                created + timedelta(days=30 * (index + 1), hours=rng.randint(8, 17)),
                state_zone,
            )
        )
    return accounts


def _draw_campaigns(rng: random.Random, account: Account, count: int, pool_size: int) -> None:
    """The first is an SPC campaign with a pool of `pool_size` numbers; the others have one."""
    for index in range(count):
        account.campaigns.append(
            Campaign(
                hex_code(rng, 32),
                CAMPAIGN_NAMES[index % len(CAMPAIGN_NAMES)],
                account,
                spc=index == 0,
                numbers=[_number(rng) for _ in range(pool_size if index == 0 else 1)],
                destination=_number(rng),
                route_type=rng.choice(("Simple", "Round Robin", "IVR")),
            )
        )


def _number(rng: random.Random) -> str:
    return phone(rng)[2:]  # 10 digits, no +1
