"""The completed contacts the world holds: 90 days of them up to `now`, as flat arrays.

Contacts are cheap in memory: a day of them is drawn at once, from a generator seeded by the
day, into arrays of the few numbers that filters and aggregates need (start, lastUpdateTime,
agent, skill, and the queue, talk, hold and ACW seconds). Every other field comes from a
generator seeded by the contact's index, when a page needs it (see contacts.py). Contacts
arrive between 12:00 and 24:00 UTC. The warehouse lag is reproduced: a contact's
lastUpdateTime falls 15 to 90 minutes after it ended, and it shows only once that has passed.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sandbox.incontact.business_unit import SKILLS
from sandbox.incontact.dates import DAY_MS, MINUTE_MS, day_start_ms, to_ms

CONTACT_DAYS = 90
CONTACT_ID_BASE = 412_000_000
#: From a contact's end to its lastUpdateTime, in ms: the data warehouse's lag.
WAREHOUSE_LAG_MS = (15 * MINUTE_MS + 3000, 90 * MINUTE_MS)
NOTES = (  # commas, quotes and line breaks on purpose: report files must quote them
    None, None, None, "Wants a callback after 5pm", "Asked about invoice #4411, twice",
    "Escalated to tier 2.\nFollow-up on Tuesday", 'Said "thanks, that\'s all"',
    "Billing, shipping and returns questions",
)  # fmt: skip
_WEIGHTS = [plan.weight for plan in SKILLS]


@dataclass
class Contacts:
    """Flat per-contact numbers by index, in start order; the contact id derives from the index."""

    start: array = field(default_factory=lambda: array("q"))  # ms
    updated: array = field(default_factory=lambda: array("q"))  # ms, lastUpdateTime
    agent: array = field(default_factory=lambda: array("i"))  # active-agent position; -1 abandoned
    skill: array = field(default_factory=lambda: array("b"))
    queue: array = field(default_factory=lambda: array("i"))  # seconds, as are the next three
    talk: array = field(default_factory=lambda: array("i"))
    hold: array = field(default_factory=lambda: array("i"))
    acw: array = field(default_factory=lambda: array("i"))
    notes: dict[int, str] = field(default_factory=dict)
    #: (lastUpdateTime ascending, the matching indices); replaced whole, so readers need no lock.
    by_update: tuple[array, array] = (array("q"), array("i"))

    def reindex(self) -> None:
        ranked = sorted(range(len(self.updated)), key=self.updated.__getitem__)
        self.by_update = (array("q", (self.updated[i] for i in ranked)), array("i", ranked))

    def index_of(self, contact: int) -> int:
        """The index of a contact id; KeyError for a number that is not one."""
        index = (contact - CONTACT_ID_BASE) // 3
        if not 0 <= index < len(self.start) or contact_id(index) != contact:
            raise KeyError(contact)
        return index


def contact_id(index: int) -> int:
    """Ascending with the index, with gaps, and invertible: (id - base) // 3 is the index."""
    return CONTACT_ID_BASE + 3 * index + index * 7 % 3


def pre_queue(index: int) -> int:
    return 1 + index % 4


def drawn_notes(index: int) -> str | None:
    """The dispositionNotes a contact has until someone updates it."""
    return NOTES[(index * 2_654_435_761 >> 8) % len(NOTES)]


def draw_contacts(seed: int, now: datetime, per_day: int, agents: int) -> Contacts:
    """`per_day` contacts a day, between 12:00 and 24:00 UTC, for 90 days up to `now`.

    `agents` is how many active agents take them.
    """
    data, end = Contacts(), to_ms(now)
    for offset in range(CONTACT_DAYS, -1, -1):
        day = now.date() - timedelta(days=offset)
        rng = random.Random(f"incontact:{seed}:contacts:{day.isoformat()}")
        opening = day_start_ms(day) + DAY_MS // 2
        starts = sorted(opening + int(rng.random() * DAY_MS / 2) for _ in range(per_day))
        for start in (s for s in starts if s < end):
            _draw_contact(data, rng, start, agents)
    data.reindex()
    return data


def _draw_contact(data: Contacts, rng: random.Random, start: int, agents: int) -> None:
    skill = rng.choices(range(len(SKILLS)), _WEIGHTS)[0]
    _, media, outbound, _, _ = SKILLS[skill]
    abandoned = not outbound and media in (3, 4) and rng.random() < 0.07
    queue = 0 if outbound else min(900, int(rng.expovariate(1 / 45)))
    talk = 0 if abandoned else min(5400, int(rng.lognormvariate(5.2, 0.6)) + 5)
    hold = rng.randint(5, 180) if talk and rng.random() < 0.25 else 0
    acw = 0 if abandoned else rng.randint(5, 240)
    ended = start + (pre_queue(len(data.start)) + queue + talk + hold + acw) * 1000
    data.start.append(start)
    data.updated.append(ended + rng.randint(*WAREHOUSE_LAG_MS))
    data.agent.append(-1 if abandoned else rng.randrange(agents))
    for column, value in zip((data.skill, data.queue, data.talk, data.hold, data.acw),
                             (skill, queue, talk, hold, acw), strict=True):  # fmt: skip
        column.append(value)
