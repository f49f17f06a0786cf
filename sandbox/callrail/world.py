"""What one simulated CallRail account holds: companies, trackers, users and settings as stored
records, form submissions and conversations with their times, and its calls.

Calls are cheap in memory: an account keeps only sorted start times and integer keys; every
other field comes from a random generator seeded by the call's key, when a page needs it
(see `call_records`). Test hooks change calls after the fact through `overrides`, as tags and
lead statuses change in CallRail.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

Record = dict[str, Any]


@dataclass
class Account:
    index: int
    id: str
    numeric_id: int
    name: str
    domain: str
    #: The key owner's zone, which dates follow when a request sends no `time_zone`.
    zone: ZoneInfo
    record: Record
    companies: list[Record] = field(default_factory=list)
    trackers: list[Record] = field(default_factory=list)
    users: list[Record] = field(default_factory=list)
    tags: list[Record] = field(default_factory=list)
    notifications: list[Record] = field(default_factory=list)
    caller_ids: list[Record] = field(default_factory=list)
    summary_emails: list[Record] = field(default_factory=list)
    form_submissions: list[tuple[int, Record]] = field(default_factory=list)
    conversations: list[tuple[int, Record]] = field(default_factory=list)
    #: (tracker, source or None for session trackers) that calls are drawn from.
    call_trackers: list[tuple[Record, str | None]] = field(default_factory=list)
    #: Start times (ms) and keys, sorted; replaced whole on change so readers need no lock.
    calls: tuple[list[int], list[int]] = ([], [])
    next_key: int = 0
    overrides: dict[int, Record] = field(default_factory=dict)

    @property
    def standard_plan(self) -> bool:
        """The first account lacks the plan that caller ids need."""
        return self.index == 0

    def listed(self, key: str) -> list[Any]:
        """What a list endpoint answers from; its envelope key names the attribute."""
        stored: list[Any] = getattr(self, key)
        return stored

    def insert_call(self, key: int, ms: int) -> None:
        times, keys = self.calls
        at = bisect.bisect_right(times, ms)
        self.calls = ([*times[:at], ms, *times[at:]], [*keys[:at], key, *keys[at:]])

    def remove_call(self, key: int) -> None:
        times, keys = self.calls
        at = keys.index(key)
        self.calls = (times[:at] + times[at + 1 :], keys[:at] + keys[at + 1 :])
