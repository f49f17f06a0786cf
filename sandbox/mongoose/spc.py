"""The SPC operations and their WSDL: session numbers handed out and annotated.

GetSessionNumber hands out the first number of an SPC campaign's pool that no live session
holds, for `session_minutes` (NO_NUMBER_AVAILABLE when every number is held, INVALID_CAMPAIGN
for a campaign with fixed numbers). UpdateSessionData finds a session by SessionId or by
PhoneNumber (the number's latest session when none is live) and changes its keywords and
the custom fields it lists; an empty value clears a field, and an update never extends a
session (SESSION_EXPIRED once it has ended). The WSDL is the one tap-mongoose ships, with
`soap:address` pointing here.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from sandbox.mongoose import soap
from sandbox.mongoose.faults import Fault
from sandbox.mongoose.soap import SPC_NS
from sandbox.mongoose.world import Session, World

SPC_PATH = "/spc/SpcService"
WSDL_PATH = "/spc/SpcService.wsdl"


def wsdl(endpoint: str) -> bytes:
    text = resources.files("tap_mongoose").joinpath("wsdl/SpcService.wsdl").read_text("utf-8")
    address = f'<soap:address location="{endpoint}"/>'
    return re.sub(r"<soap:address\b[^>]*/>", address, text).encode()


def perform(world: World, operation: Any, session_minutes: int) -> str:
    """The answer element of an operation; the caller holds the world's lock."""
    if operation.tag == f"{{{SPC_NS}}}GetSessionNumber":
        return _get_session_number(world, operation, session_minutes)
    if operation.tag == f"{{{SPC_NS}}}UpdateSessionData":
        return _update_session_data(world, operation)
    raise Fault(None, f"Unknown operation {operation.tag}")


def _get_session_number(world: World, operation: Any, session_minutes: int) -> str:
    code = soap.text(operation, "CampaignCode") or ""
    campaign = world.campaigns.get(code)
    if campaign is None or not campaign.spc:
        raise Fault("INVALID_CAMPAIGN", f"{code or 'No campaign'} is not an SPC campaign")
    custom = soap.custom_fields(operation)
    now = world.now().replace(microsecond=0)
    held = {s.phone_number for s in world.sessions.values() if s.expires > now}
    free = [number for number in campaign.numbers if number not in held]
    if not free:
        raise Fault("NO_NUMBER_AVAILABLE", f"Every number of campaign {code} is in use")
    session = Session(
        id=f"{world.rng.getrandbits(128):032x}",
        campaign=campaign,
        phone_number=free[0],
        expires=now + timedelta(minutes=session_minutes),
        keywords=soap.text(operation, "Keywords") or None,
        custom={n: v for n, v in custom.items() if v},
        reference_id=soap.text(operation, "ReferenceId"),
    )
    world.sessions[session.id] = session
    return soap.element(
        "GetSessionNumberResponse",
        PhoneNumber=session.phone_number,
        SessionId=session.id,
        ExpirationTime=soap.utc_z(session.expires),
        CampaignCode=campaign.code,
        ReferenceId=session.reference_id,
    )


def _update_session_data(world: World, operation: Any) -> str:
    now = world.now()
    session = _session_to_update(world, operation, now)
    if session.expires <= now:
        raise Fault(
            "SESSION_EXPIRED", f"Session {session.id} expired at {soap.utc_z(session.expires)}"
        )
    custom = soap.custom_fields(operation)
    if soap.find(operation, f"{{{SPC_NS}}}Keywords") is not None:
        session.keywords = soap.text(operation, "Keywords") or None
    for number, value in custom.items():
        if value:
            session.custom[number] = value
        else:
            session.custom.pop(number, None)
    return soap.element(
        "UpdateSessionDataResponse",
        Success="true",
        SessionId=session.id,
        ExpirationTime=soap.utc_z(session.expires),
    )


def _session_to_update(world: World, operation: Any, now: datetime) -> Session:
    """By SessionId (and PhoneNumber, if given, must match), or by PhoneNumber alone."""
    session_id, number = soap.text(operation, "SessionId"), soap.text(operation, "PhoneNumber")
    if session_id:
        session = world.sessions.get(session_id)
        if session is None:
            raise Fault("SESSION_NOT_FOUND", f"No session {session_id}")
        if number and number != session.phone_number:
            raise Fault("SESSION_NOT_FOUND", f"{number} is not the number of {session_id}")
        return session
    if number:
        found = world.live_session(number, now) or world.last_session(number)
        if found is None:
            raise Fault("SESSION_NOT_FOUND", f"No session holds {number}")
        return found
    raise Fault("SESSION_NOT_FOUND", "SessionId or PhoneNumber is required")
