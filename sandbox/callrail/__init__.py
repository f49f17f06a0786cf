"""A local CallRail API v3 that behaves as docs/api/callrail.md describes, quirks included:
the silent 7-day default, time zones, 25-month retention errors, page caps, the hourly rate
limit, plan-gated caller ids and the type drift of call records.

- `server`: `CallRailSandbox`, keys, routing, rate limit, and the hooks tests change calls with.
- `world`, `generate`, `forms_and_texts`, `call_records`, `catalogue`: the data it holds.
- `listings`, `calls`, `summaries`: the endpoint families.
- `dates`, `paging`: windows, zones and time formats; pages, `fields` and `sort`.
"""

from sandbox.callrail.server import CallRailSandbox

__all__ = ["CallRailSandbox"]
