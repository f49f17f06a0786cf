"""The admin lists (agents, teams, skills, campaigns), the business unit and server-time.

The business unit names its time zone the Windows way ("Central Standard Time"), as inContact
does; a unit created without one answers without `timeZone`, so a client has to fall back.

A list takes updatedSince (on the list's own update field; skills have none), isActive,
searchString (over the names), equality filters (skills: mediaTypeId, isOutbound,
outboundStrategy) and orderBy, then pages with skip/top. Trap reproduced: from v33 the
campaigns carry `id`/`name` instead of `campaignId`/`campaignName`.
"""

from __future__ import annotations

from typing import Any

from sandbox.core.http import Request, Response
from sandbox.incontact.dates import iso_z, parse_date, to_ms
from sandbox.incontact.faults import Refusal
from sandbox.incontact.paging import paged
from sandbox.incontact.world import World

Record = dict[str, Any]

#: list name -> (update-time field for updatedSince, searchString fields, equality filters)
ADMIN_LISTS = {
    "agents": ("lastUpdated", ("firstName", "lastName", "userName"), ()),
    "teams": ("lastUpdateTime", ("teamName",), ()),
    "skills": (None, ("skillName",), ("mediaTypeId", "isOutbound", "outboundStrategy")),
    "campaigns": ("lastUpdateTime", ("campaignName", "name"), ()),
}
CAMPAIGN_RENAME_VERSION = 33


def server_time(world: World) -> Response:
    return Response(json={"ServerTime": iso_z(to_ms(world.clock()))})


def business_unit(world: World, *, bus_no: int, vendor_name: str, zone: str | None) -> Response:
    unit: Record = {
        "businessUnitId": bus_no, "businessUnitName": f"{vendor_name} Contact Center",
        "isActive": True, "agentCount": len(world.unit.agents), "country": "US",
    }  # fmt: skip
    if zone is not None:
        unit["timeZone"] = zone
    return Response(json={"businessUnits": [unit]})


def admin_list(
    world: World, name: str, request: Request, version: int, *, base_url: str, bus_no: int
) -> Response:
    records = world.unit.records(name)
    if name == "campaigns" and version >= CAMPAIGN_RENAME_VERSION:
        renamed = {"campaignId": "id", "campaignName": "name"}
        records = [{renamed.get(k, k): v for k, v in r.items()} for r in records]
    records = _ordered(_filtered(records, name, request), request.param("orderBy"))
    envelope: Record = {"businessUnitId": bus_no, "lastPollTime": iso_z(to_ms(world.clock()))}
    if name == "agents":
        envelope["hiddenAgents"] = 0
    return paged(base_url, request, name, records, envelope)


def _filtered(records: list[Record], name: str, request: Request) -> list[Record]:
    updated, searched, filters = ADMIN_LISTS[name]
    if updated and (since := request.param("updatedSince")):
        since_text = iso_z(parse_date(since, "updatedSince"))
        records = [r for r in records if r[updated] >= since_text]
    for param in ("isActive", *filters):
        if wanted := request.param(param):
            records = [r for r in records if str(r[param]).lower() == wanted.lower()]
    if text := (request.param("searchString") or "").lower():
        records = [r for r in records if any(text in str(r.get(f)).lower() for f in searched)]
    return records


def _ordered(records: list[Record], order: str | None) -> list[Record]:
    """`orderBy` as `field [asc|desc]`; nulls last. A field is checked against the first row."""
    if not order:
        return records
    key, _, direction = order.partition(" ")
    if (records and key not in records[0]) or direction not in ("", "asc", "desc"):
        raise Refusal(400, "Invalid orderBy")
    return sorted(records, key=lambda r: (r[key] is None, r[key] or 0),
                  reverse=direction == "desc")  # fmt: skip
