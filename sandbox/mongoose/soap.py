"""SOAP 1.1 envelopes of the SPC service: reading requests, writing answers and faults.

Requests are document/literal in the `urn:mongoosemetrics:spc:v1` namespace, credentials in
an `AuthHeader` SOAP header. Custom fields are checked as they are read: FieldNumber 1 to 10
and Value at most 255 characters, or INVALID_FIELD. A fault is `soap:Client` or
`soap:Server` with an `SpcFault` detail (ErrorCode, Message), always with HTTP 500.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from xml.sax.saxutils import escape

from defusedxml import ElementTree

from sandbox.core.http import Request, Response
from sandbox.mongoose.faults import Fault
from sandbox.mongoose.render import XML_TYPE

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SPC_NS = "urn:mongoosemetrics:spc:v1"


def read_envelope(request: Request) -> Any:
    if request.method != "POST":
        raise Fault(None, "SOAP requests are POSTed")
    try:
        envelope = ElementTree.fromstring(request.body)
    except ElementTree.ParseError as error:
        raise Fault(None, f"Not XML: {error}") from None
    if envelope.tag != f"{{{SOAP_NS}}}Envelope":
        raise Fault(None, "Not a SOAP 1.1 envelope")
    return envelope


def credentials(envelope: Any) -> list[tuple[str, str]]:
    """The AuthHeader's (Username, ApiKey), or none without the header."""
    header = find(envelope, f"{{{SOAP_NS}}}Header/{{{SPC_NS}}}AuthHeader")
    if header is None:
        return []
    return [(text(header, "Username") or "", text(header, "ApiKey") or "")]


def operation(envelope: Any) -> Any:
    """The body's first element: the operation asked for."""
    body = envelope.find(f"{{{SOAP_NS}}}Body")
    found = next(iter(body), None) if body is not None else None
    if found is None:
        raise Fault(None, "The SOAP body is empty")
    return found


def find(element: Any, path: str) -> Any:
    return None if element is None else element.find(path)


def text(element: Any, name: str) -> str | None:
    """The stripped text of the spc child `name`; None when there is no such child."""
    found = find(element, f"{{{SPC_NS}}}{name}")
    if found is None:
        return None
    return (found.text or "").strip()


def custom_fields(operation: Any) -> dict[int, str]:
    fields: dict[int, str] = {}
    for item in operation.findall(f"{{{SPC_NS}}}CustomFields/{{{SPC_NS}}}CustomField"):
        number, value = text(item, "FieldNumber") or "", text(item, "Value") or ""
        if not number.isdigit() or not 1 <= int(number) <= 10:
            raise Fault("INVALID_FIELD", f"FieldNumber must be 1 to 10, not {number!r}")
        if len(value) > 255:
            raise Fault("INVALID_FIELD", f"Custom field {number} is longer than 255 characters")
        fields[int(number)] = value
    return fields


def utc_z(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def element(name: str, **values: str | None) -> str:
    """`<spc:name>` with a child per value; None values are left out."""
    inner = "".join(
        f"<spc:{key}>{escape(value)}</spc:{key}>"
        for key, value in values.items()
        if value is not None
    )
    return f"<spc:{name}>{inner}</spc:{name}>"


def answer(body: str) -> Response:
    return Response(body=_envelope(body), content_type=XML_TYPE)


def fault_answer(fault: Fault) -> Response:
    faultcode = "soap:Server" if fault.server else "soap:Client"
    detail = ""
    if fault.code:
        detail = (
            "<detail>"
            + element("SpcFault", ErrorCode=fault.code, Message=fault.message)
            + "</detail>"
        )
    body = _envelope(
        f"<soap:Fault><faultcode>{faultcode}</faultcode>"
        f"<faultstring>{escape(fault.message)}</faultstring>{detail}</soap:Fault>"
    )
    return Response(500, body=body, content_type=XML_TYPE)


def _envelope(body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<soap:Envelope xmlns:soap="{SOAP_NS}" '
        f'xmlns:spc="{SPC_NS}"><soap:Body>{body}</soap:Body></soap:Envelope>'
    ).encode()
