"""The simulated business unit as a whole: its admin records, its contacts and its clock.

The clock starts at `now`, the moment the data was drawn up to, and runs on in real time,
plus whatever `advance()` adds, so tokens expire and report windows close without waiting.
Every endpoint reads the same contacts, so performance, summaries and report files agree
with the contact list.
"""

from __future__ import annotations

import bisect
import threading
import time
from datetime import datetime, timedelta

from sandbox.incontact.business_unit import draw_business_unit
from sandbox.incontact.contact_data import Contacts, draw_contacts
from sandbox.incontact.dates import iso_z, to_ms


class World:
    def __init__(self, *, seed: int, now: datetime, agents: int, contacts_per_day: int) -> None:
        self.seed, self.now, self.contacts_per_day = seed, now, contacts_per_day
        self._started, self._skew = time.monotonic(), 0.0
        self.unit = draw_business_unit(seed, now, agents)
        self._lock = threading.Lock()
        self._contacts: Contacts | None = None

    def clock(self) -> datetime:
        """`now`, plus the real time since start, plus `advance()`."""
        return self.now + timedelta(seconds=time.monotonic() - self._started + self._skew)

    def advance(self, seconds: float) -> None:
        self._skew += seconds

    def contacts(self) -> Contacts:
        """Drawn on first use; the server draws them before it serves, not during a timed run."""
        if self._contacts is None:
            with self._lock:
                if self._contacts is None:
                    self._contacts = draw_contacts(
                        self.seed, self.now, self.contacts_per_day, len(self.unit.active)
                    )
        return self._contacts

    def window_indices(self, start: int, end: int) -> range:
        """Contacts that started in [start, end)."""
        data = self.contacts()
        return range(bisect.bisect_left(data.start, start), bisect.bisect_left(data.start, end))

    def agent_name(self, position: int) -> str:
        agent = self.unit.active[position] if position >= 0 else None
        return f"{agent['firstName']} {agent['lastName']}" if agent else ""

    def touch_contact(self, contact: int, minutes_from_now: float) -> None:
        """Update a contact later, as ACW or a supervisor does; it shows again to updatedSince."""
        data = self.contacts()
        index = data.index_of(contact)
        moment = to_ms(self.clock() + timedelta(minutes=minutes_from_now))
        with self._lock:
            data.updated[index] = moment
            data.notes[index] = f"Updated {iso_z(moment)}, see CRM"
            data.reindex()
