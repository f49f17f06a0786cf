"""`contacts/completed`: the contacts that have reached the warehouse, a page at a time.

A query gives startDate and endDate (at most 30 days) or updatedSince (at most 30 days
ago), or both, and orderBy `contactId`, `contactStartDate` or `lastUpdateTime`, each `asc` or
`desc`. A contact shows only once its lastUpdateTime has passed (the warehouse lag), and
shows again to updatedSince when it is updated later. Each record is drawn whole from its
own seed; with `legacy` it carries the field names of older API versions.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from typing import Any

from sandbox.core.fake import FIRST_NAMES, LAST_NAMES, phone
from sandbox.core.http import Request, Response
from sandbox.incontact.business_unit import DISPOSITIONS, MEDIA_TYPES
from sandbox.incontact.contact_data import Contacts, contact_id, drawn_notes, pre_queue
from sandbox.incontact.dates import MAX_WINDOW_MS, date_window, iso_z, parse_date, to_ms
from sandbox.incontact.faults import Refusal
from sandbox.incontact.paging import paged
from sandbox.incontact.world import World

Record = dict[str, Any]

#: Current contact field -> the older name served with `legacy_fields=True`.
LEGACY_CONTACT_FIELDS = {
    "contactStartDate": "contactStart", "fromAddress": "fromAddr", "toAddress": "toAddr",
    "conferenceSeconds": "confSeconds", "acwSeconds": "ACWSeconds", "mediaTypeId": "mediaType",
}  # fmt: skip
#: contactId and contactStartDate sort alike: ids ascend with the start.
ORDER_FIELDS = ("contactId", "contactStartDate", "lastUpdateTime")
TAGS = ("VIP", "Complaint", "Upsell", "Spanish", "Callback")
END_REASONS = ("Contact Hung Up", "Agent Disconnected", "Contact Hang Up via Script")


def completed(
    world: World, request: Request, *, base_url: str, bus_no: int, legacy: bool
) -> Response:
    data, now = world.contacts(), to_ms(world.clock())
    indices = _selected(data, request, now)
    envelope = {"businessUnitId": bus_no, "lastPollTime": iso_z(now)}
    return paged(base_url, request, "completedContacts", indices, envelope,
                 render=lambda i: contact_record(world, data, i, legacy=legacy))  # fmt: skip


def _selected(data: Contacts, request: Request, now: int) -> Sequence[int]:
    """The indices of the contacts the query asks for, in the order it asks for."""
    since, first = request.param("updatedSince"), request.param("startDate")
    if since is None and first is None:
        raise Refusal(400, "Invalid startDate: give startDate and endDate, or updatedSince")
    by_update, descending = _ordering(request.param("orderBy"))
    window = date_window(first, request.param("endDate"), now) if first is not None else None
    indices: Sequence[int]
    if since is not None:
        indices = _updated_since(data, parse_date(since, "updatedSince"), now, window)
        indices = indices if by_update else sorted(indices)
    else:
        assert window is not None
        lo, hi = (bisect.bisect_left(data.start, moment) for moment in window)
        indices = [i for i in range(lo, hi) if data.updated[i] <= now]
        indices = sorted(indices, key=data.updated.__getitem__) if by_update else indices
    return indices[::-1] if descending else indices


def _ordering(order_by: str | None) -> tuple[bool, bool]:
    """(by lastUpdateTime, descending)."""
    order = (order_by or "contactId").split()
    if order[0] not in ORDER_FIELDS or order[1:] not in ([], ["asc"], ["desc"]):
        raise Refusal(400, "Invalid orderBy")
    return order[0] == "lastUpdateTime", order[1:] == ["desc"]


def _updated_since(
    data: Contacts, since: int, now: int, window: tuple[int, int] | None
) -> Sequence[int]:
    """Contacts updated in [since, now], by lastUpdateTime; started in `window` if given."""
    if since < now - MAX_WINDOW_MS:
        raise Refusal(400, "Invalid updatedSince: must be within 30 days")
    updates, ranked = data.by_update
    indices: Sequence[int] = ranked[
        bisect.bisect_left(updates, since) : bisect.bisect_right(updates, now)
    ]
    if window:
        indices = [i for i in indices if window[0] <= data.start[i] < window[1]]
    return indices


def contact_record(world: World, data: Contacts, i: int, *, legacy: bool = False) -> Record:
    """Every field of one contact, drawn from its own seed."""
    rng = random.Random(world.seed * 1_000_003 + i)
    skill, abandoned = world.unit.skills[data.skill[i]], data.agent[i] < 0
    media, outbound = skill["mediaTypeId"], skill["isOutbound"]
    # Drawn first and in this order, then the parts in field order: the seed fixes each value.
    customer = _customer_address(rng, media)
    release = round(rng.uniform(0, 2), 3)
    refused = not abandoned and not outbound and rng.random() < 0.03
    analysed = media == 4 and not abandoned and rng.random() < 0.6
    disposition = None if abandoned else rng.choice(DISPOSITIONS)[0]
    record = {
        **_parties(world, data, i, customer),
        **_timing(rng, data, i, skill, release),
        **_outcome(rng, data, i, disposition, refused),
        **_warehousing(rng, data, i, media, analysed),
    }
    if legacy:
        return {LEGACY_CONTACT_FIELDS.get(k, k): v for k, v in record.items()}
    return record


def _parties(world: World, data: Contacts, i: int, customer: str) -> Record:
    """Who and where: agent, team, skill, campaign, point of contact and the two addresses."""
    skill, position = world.unit.skills[data.skill[i]], data.agent[i]
    nobody = dict.fromkeys(("firstName", "lastName", "teamName"))
    agent = world.unit.active[position] if position >= 0 else nobody
    poc = world.unit.points[data.skill[i]]
    media, outbound = skill["mediaTypeId"], skill["isOutbound"]
    return {
        "contactId": contact_id(i), "masterContactId": contact_id(i),
        "contactStartDate": iso_z(data.start[i]), "lastUpdateTime": iso_z(data.updated[i]),
        "agentId": agent.get("agentId", 0), "firstName": agent["firstName"],
        "lastName": agent["lastName"], "teamId": agent.get("teamId", 0),
        "teamName": agent["teamName"], "skillId": skill["skillId"],
        "skillName": skill["skillName"], "campaignId": skill["campaignId"],
        "campaignName": skill["campaignName"], "pointOfContactId": poc["id"],
        "pointOfContactName": poc["name"], "mediaTypeId": media,
        "mediaTypeName": MEDIA_TYPES[media], "mediaSubTypeId": media * 10,
        "mediaSubTypeName": f"{MEDIA_TYPES[media]} Standard",
        "fromAddress": poc["address"] if outbound else customer,
        "toAddress": customer if outbound else poc["address"], "isOutbound": outbound,
    }  # fmt: skip


def _timing(rng: random.Random, data: Contacts, i: int, skill: Record, release: float) -> Record:
    """Seconds in each stage; serviceLevelFlag is -1 where no service level applies."""
    pre, queue, talk, hold = pre_queue(i), data.queue[i], data.talk[i], data.hold[i]
    abandoned, media = data.agent[i] < 0, skill["mediaTypeId"]
    sla = int(queue <= skill["serviceLevelThreshold"]) if media in (3, 4) else -1
    return {
        "abandoned": abandoned, "abandonSeconds": queue if abandoned else 0,
        "isShortAbandon": abandoned and queue < 15, "preQueueSeconds": pre,
        "inQueueSeconds": queue, "agentSeconds": talk + hold, "holdSeconds": hold,
        "holdCount": rng.randint(1, 3) if hold else 0, "acwSeconds": data.acw[i],
        "conferenceSeconds": rng.randint(20, 200) if talk and rng.random() < 0.05 else 0,
        "postQueueSeconds": 0, "releaseSeconds": release,
        "totalDurationSeconds": round(pre + queue + talk + hold + release, 3),
        "routingTime": rng.randint(40, 2500),
        "serviceLevelFlag": -1 if skill["isOutbound"] else sla,
    }  # fmt: skip


def _outcome(rng: random.Random, data: Contacts, i: int, disposition: int | None,
             refused: bool) -> Record:  # fmt: skip
    refuse_time = data.start[i] + (pre_queue(i) + data.queue[i]) * 1000
    return {
        "callbackTime": 0, "primaryDispositionId": disposition,
        "secondaryDispositionId": rng.choice((None, None, 2)) if disposition else None,
        "dispositionNotes": data.notes.get(i, drawn_notes(i)),
        "transferIndicatorId": 0, "transferIndicatorName": "None",
        "isRefused": refused, "refuseReason": "Agent Refused" if refused else None,
        "refuseTime": iso_z(refuse_time) if refused else None,
    }  # fmt: skip


def _warehousing(rng: random.Random, data: Contacts, i: int, media: int,
                 analysed: bool) -> Record:  # fmt: skip
    """When the contact and its ACW reached the warehouse, and how it ended."""
    stages = pre_queue(i) + data.queue[i] + data.talk[i] + data.hold[i] + data.acw[i]
    ended, updated, abandoned = data.start[i] + stages * 1000, data.updated[i], data.agent[i] < 0
    return {
        "isTakeover": False, "isLogged": media in (4, 5), "isAnalyticsProcessed": analysed,
        "analyticsProcessedDate": iso_z(updated) if analysed else None,
        "dateContactWarehoused": iso_z(ended + (updated - ended) // 2),
        "dateACWWarehoused": iso_z(updated),
        "endReason": "Abandoned" if abandoned else rng.choice(END_REASONS),
        "divisionNo": 0, "routingAttribute": 0, "highProficiency": 1, "lowProficiency": 20,
        "targetAgentId": None, "isWarehoused": True,  # undeclared by the tap, kept all the same
        "tags": rng.sample(TAGS, rng.choice((0, 0, 0, 1, 2))),
    }  # fmt: skip


def _customer_address(rng: random.Random, media: int) -> str:
    if media == 1:
        return f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}@example.net".lower()
    return f"visitor-{rng.getrandbits(32):08x}" if media == 3 else phone(rng)
