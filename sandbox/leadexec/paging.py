"""LeadExec's skip/take paging over the leads of a window, in the order the request sorts them.

Traps reproduced: `querytotal` counts every match and grows as leads arrive between pages,
so clients sort `DateAdded` ascending (the default) to find new leads at the end. Other sort
fields put nulls after values (before them in descending order), numbers by value and
everything else by its text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sandbox.leadexec.assumed import WINDOW_FIELD
from sandbox.leadexec.params import Search
from sandbox.leadexec.world import Key, Record


def page(
    keys: list[Key], search: Search, make: Callable[[int, datetime], Record]
) -> tuple[int, list[Record]]:
    """(querytotal, the page's leads) of the window's `keys`; `make` builds a lead."""
    descending = search.order == "DESC"
    if search.sort_fields == [WINDOW_FIELD] and not search.tests:
        # Keys are already in DateAdded order: only the page's leads need building.
        ordered = keys[::-1] if descending else keys
        chosen = ordered[search.skip : search.skip + search.take]
        return len(ordered), [make(uid, added) for added, uid in chosen]
    records = [make(uid, added) for added, uid in keys]
    records = [r for r in records if all(test(r) for test in search.tests)]
    records.sort(key=lambda r: _sort_key(r, search.sort_fields), reverse=descending)
    return len(records), records[search.skip : search.skip + search.take]


def _sort_key(record: Record, names: list[str]) -> tuple:
    """Nulls last; numbers by value, everything else by its text."""
    key: list[tuple] = []
    for name in names:
        value = record.get(name)
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        key.append((value is None, not numeric, value if numeric else str(value)))
    return (*key, record["UID"])
