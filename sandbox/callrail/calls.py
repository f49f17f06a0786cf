"""CallRail's `/calls.json`: an account's calls in a date window, with the call filters shared
by the summaries, `fields`, `sort`, and offset or relative pagination.

Traps reproduced: without dates only the last 7 days; newest first unless asked
`sort=start_time&order=asc`; `fields` adds to the default fields and never removes them;
`lead_status=not_scored` selects calls without a lead status, and `all` means no filter.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import datetime

from sandbox.callrail.call_records import CALL_FIELDS, CallFactory
from sandbox.callrail.dates import epoch_ms, render, request_window, request_zone
from sandbox.callrail.paging import offset_page, relative_page, requested_fields, sort_order
from sandbox.callrail.world import Account, Record
from sandbox.core.http import Request

Predicate = Callable[[Record], bool]

#: Query parameter -> core field, for calls, summary and timeseries alike.
CALL_FILTERS = (
    ("company_id", "company_id"), ("tracker_id", "tracker_id"), ("direction", "direction"),
    ("device", "device_type"), ("agent", "agent_id"), ("lead_status", "lead_status"),
)  # fmt: skip
#: The filter value that asks for no filter at all.
ANY = "all"
#: The lead status of calls nobody scored, which are stored with none.
NOT_SCORED = "not_scored"


def calls_page(
    request: Request,
    account: Account,
    *,
    factory: CallFactory,
    nameable: frozenset[str],
    now: datetime,
    base_url: str,
) -> Record:
    """One page of calls; `nameable` are the field names `fields` may give."""
    zone = request_zone(request, account.zone)
    start, end = request_window(request, zone, now)
    shown = (*CALL_FIELDS, *requested_fields(request, nameable))
    order = sort_order(request, {"start_time": "start_time"})
    calls = select_calls(factory, account, (start, end), request, need_core=False)
    if order is None or order[1]:
        calls.reverse()

    def fetch(first: int, stop: int) -> list[Record]:
        records = [factory.record(account, key, ms) for ms, key, _ in calls[first:stop]]
        return [render({name: r[name] for name in shown}, zone) for r in records]

    if request.param("relative_pagination") != "true":
        return offset_page(request, "calls", len(calls), fetch)
    return relative_page(request, "calls", len(calls), fetch, base_url)


def select_calls(
    factory: CallFactory,
    account: Account,
    window: tuple[datetime, datetime],
    request: Request,
    need_core: bool,
) -> list[tuple[int, int, Record]]:
    """(start ms, key, core fields) of the calls in the window that pass the filters.

    Oldest first. Core fields are only computed when a filter or the caller needs them.
    """
    times, keys = account.calls
    first, last = (epoch_ms(moment) for moment in window)
    lo, hi = bisect.bisect_left(times, first), bisect.bisect_right(times, last)
    tests = _call_filters(request)
    need_core = need_core or bool(tests)
    selected = []
    for position in range(lo, hi):
        core = factory.core(account, keys[position]) if need_core else {}
        if all(test(core) for test in tests):
            selected.append((times[position], keys[position], core))
    return selected


def _call_filters(request: Request) -> list[Predicate]:
    """The equality filters of calls, summary and timeseries that the simulator honours."""
    tests: list[Predicate] = []
    for param, name in CALL_FILTERS:
        value = request.param(param)
        if value and value != ANY:
            # Values compare as text, and a missing lead status reads "None".
            tests.append(_equals(name, str(None) if value == NOT_SCORED else value))
    return tests


def _equals(name: str, wanted: str) -> Predicate:
    return lambda core: str(core[name]) == wanted
