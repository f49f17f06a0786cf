"""LeadExec's two answer formats: XML unless the request has `Accept: application/json`.

Traps reproduced: the formats differ in casing (`querytotal` vs `QueryTotal`), values (XML is
all text, `true`/`false`) and dates (`1/5/2014 10:50:54 AM` vs naive ISO); JSON sometimes
carries `UID` as a string; an empty window has its own short envelope; errors are
`<Error>message</Error>` or `{"Error": "message"}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from sandbox.core.http import Response
from sandbox.leadexec.assumed import (
    ERROR_KEY,
    JSON_SENT_COUNT,
    JSON_TAKE_COUNT,
    JSON_TIMESTAMP,
    SEND_ELEMENT,
    SENDS_KEY,
)
from sandbox.leadexec.world import Record

XML_CONTENT_TYPE = "text/xml; charset=utf-8"


def answer(total: int, take: int, leads: list[Record], wants_json: bool) -> Response:
    if wants_json:
        return Response(json=_json_envelope(total, take, leads))
    return Response(body=_xml_envelope(total, take, leads), content_type=XML_CONTENT_TYPE)


def error(status: int, message: str, wants_json: bool) -> Response:
    if wants_json:
        return Response(status=status, json={ERROR_KEY: message})
    element = ET.Element(ERROR_KEY)
    element.text = message
    return Response(status=status, body=ET.tostring(element), content_type=XML_CONTENT_TYPE)


def _xml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        hour = value.hour % 12 or 12
        noon = "PM" if value.hour >= 12 else "AM"
        return f"{value.month}/{value.day}/{value.year} {hour}:{value:%M:%S} {noon}"
    return str(value)


def _xml_envelope(total: int, take: int, leads: list[Record]) -> bytes:
    root = ET.Element(
        "Leads", querytotal=str(total), takecount=str(take), sentcount=str(len(leads))
    )
    for lead in leads:
        element = ET.SubElement(root, "Lead")
        for name, value in lead.items():
            child = ET.SubElement(element, name)
            if name == SENDS_KEY:
                for send in value:
                    send_element = ET.SubElement(child, SEND_ELEMENT)
                    for send_field, send_value in send.items():
                        ET.SubElement(send_element, send_field).text = _xml_text(send_value)
            elif value is not None:
                child.text = _xml_text(value)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime(JSON_TIMESTAMP)
    if isinstance(value, list):
        return [{k: _json_value(v) for k, v in item.items()} for item in value]
    return value


def _json_uid(uid: int) -> int | str:
    """Every fourth UID as a string, as production answers sometimes carry it."""
    return str(uid) if uid % 4 == 0 else uid


def _json_envelope(total: int, take: int, leads: list[Record]) -> Record:
    rendered = []
    for lead in leads:
        item = {name: _json_value(value) for name, value in lead.items()}
        item["UID"] = _json_uid(lead["UID"])
        rendered.append(item)
    if not total:
        return {"QueryTotal": 0, "Leads": []}
    return {
        "QueryTotal": total,
        JSON_TAKE_COUNT: take,
        JSON_SENT_COUNT: len(leads),
        "Leads": rendered,
    }
