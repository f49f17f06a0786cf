"""What report files hold: the three custom reports and the two Data Download extracts.

Every file is computed from the same contacts as the API, so it agrees with the contact
list. A custom report covers its saved range, whole days before `now`: since v17 a job has
no date parameters. Notes carry commas, quotes and line breaks, so a CSV reader must handle
quoting, and header styles differ from report to report (`Contact ID`, `contact_id`).
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sandbox.incontact.business_unit import MEDIA_TYPES, SKILLS
from sandbox.incontact.contact_data import contact_id, drawn_notes
from sandbox.incontact.dates import DAY_MS, EPOCH, day_start_ms, hms, plain_utc
from sandbox.incontact.world import World

Table = tuple[list[str], list[list[Any]]]


def report_csv(world: World, report_id: int, include_headers: bool = True) -> str:
    """The file a custom report's job produces; KeyError for any other report."""
    tables = {4087: _contact_detail, 4112: _skill_times, 4153: _agent_logins}
    header, rows = tables[report_id](world)
    return csv_text(header if include_headers else None, rows)


def download_table(world: World, report_id: int | None, shown: Sequence[int]) -> Table:
    """A Data Download extract of the contacts `shown`: 5201 has them all, 5246 the handled."""
    data, agent_name = world.contacts(), world.agent_name
    if report_id == 5201:
        header = ["contact_id", "start_time", "skill", "agent", "talk_seconds"]
        rows = [[contact_id(i), plain_utc(data.start[i]), SKILLS[data.skill[i]].name,
                 agent_name(data.agent[i]), data.talk[i]] for i in shown]  # fmt: skip
    else:
        header = ["Agent", "Contact", "Started (UTC)", "Hold Time (sec)", "ACW Time (sec)"]
        rows = [[agent_name(data.agent[i]), contact_id(i), plain_utc(data.start[i]),
                 data.hold[i], data.acw[i]] for i in shown if data.agent[i] >= 0]  # fmt: skip
    return header, rows


def csv_text(header: list[str] | None, rows: list[list[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows] if header else rows)
    return out.getvalue()


def _days(world: World, count: int) -> list[tuple[date, range]]:
    """A custom report's saved range: the `count` whole days before `now`, with contacts."""
    days = [world.now.date() - timedelta(days=n) for n in range(count, 0, -1)]
    return [
        (day, world.window_indices(day_start_ms(day), day_start_ms(day) + DAY_MS)) for day in days
    ]


def _contact_detail(world: World) -> Table:
    """Handled contacts of the last 7 days, as many as the seed says (20 to 200)."""
    data, rng = world.contacts(), random.Random(f"{world.seed}:report:4087")
    handled = [i for _, span in _days(world, 7) for i in span if data.agent[i] >= 0]
    header = ["Contact ID", "Skill Name", "Agent Name", "Start Date", "Duration",
              "Disposition Notes"]  # fmt: skip
    return header, [
        [contact_id(i), SKILLS[data.skill[i]].name, world.agent_name(data.agent[i]),
         (EPOCH + timedelta(milliseconds=data.start[i])).strftime("%m/%d/%Y %I:%M:%S %p"),
         hms(data.talk[i] + data.hold[i]), data.notes.get(i, drawn_notes(i)) or ""]
        for i in handled[: rng.randint(20, 200)]
    ]  # fmt: skip


def _skill_times(world: World) -> Table:
    """Per day of the last 10 and skill: contacts handled, average handle time, service level."""
    data, rows = world.contacts(), []
    for day, span in _days(world, 10):
        for position, (name, media, *_) in enumerate(SKILLS):
            indices = [i for i in span if data.skill[i] == position]
            handled = [i for i in indices if data.agent[i] >= 0]
            busy = sum(data.talk[i] + data.hold[i] + data.acw[i] for i in handled)
            threshold = world.unit.skills[position]["serviceLevelThreshold"]
            level = sum(data.queue[i] <= threshold for i in indices) / max(1, len(indices))
            average = busy / max(1, len(handled))
            rows.append([day.isoformat(), name, MEDIA_TYPES[media], len(handled),
                         f"{average:.1f}", f"{level * 100:.1f}"])  # fmt: skip
    header = ["Date", "Skill", "Media Type", "Contacts Handled", "Avg. Handle Time (s)",
              "Service Level %"]  # fmt: skip
    return header, rows


def _agent_logins(world: World) -> Table:
    """Per day and active agent: login time (from the seed) and contacts handled; last 200."""
    data, rows, active = world.contacts(), [], world.unit.active
    for day, span in _days(world, _login_days(len(active))):
        handled = [data.agent[i] for i in span]
        for position, agent in enumerate(active):
            rng = random.Random(f"{world.seed}:login:{agent['agentId']}:{day}")
            rows.append([day.isoformat(), agent["agentId"],
                         f"{agent['lastName']}, {agent['firstName']}", agent["teamName"],
                         hms(rng.randint(4, 9) * 3600 + rng.randint(0, 3599)),
                         handled.count(position)])  # fmt: skip
    header = ["Date", "Agent ID", "Agent Name (Last, First)", "Team",
              "Login Time (hh:mm:ss)", "Contacts Handled"]  # fmt: skip
    return header, rows[-200:]


def _login_days(agents: int) -> int:
    """Days enough for 20 rows at one row per agent a day, kept within 7 to 30."""
    return min(30, max(7, -(-20 // agents)))
