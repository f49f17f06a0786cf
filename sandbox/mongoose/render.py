"""JSON or XML answers of the REST API, errors included, as the client asked.

`format=json|xml`, or without it an `Accept` naming xml, picks the format. XML puts the
envelope in attributes of `<response>`, one element per field, an empty element for null and
every value as text; an empty page is `<records/>`. Errors take the same format:
`{"status": "error", "error": {code, message}}` or `<response status="error"><error code=..>`.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

from sandbox.core.http import Request, Response
from sandbox.mongoose.faults import Refusal

Record = dict[str, Any]

XML_TYPE = "application/xml; charset=utf-8"


def requested_format(request: Request) -> str:
    asked = request.param("format")
    if asked is None:
        return "xml" if "xml" in (request.header("Accept") or "") else "json"
    if asked not in ("json", "xml"):
        raise Refusal(400, "INVALID_PARAMETER", f"Invalid format: {asked}")
    return asked


def page_answer(envelope: Record, records: list[Record], fmt: str) -> Response:
    if fmt == "xml":
        return Response(body=_xml_page(envelope, records), content_type=XML_TYPE)
    return Response(json={**envelope, "records": records})


def refusal_answer(refusal: Refusal, fmt: str) -> Response:
    headers = {} if refusal.retry_after is None else {"Retry-After": str(refusal.retry_after)}
    if fmt == "xml":
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<response status="error">'
            f"<error code={quoteattr(refusal.code)}>{escape(refusal.message)}</error>"
            "</response>"
        )
        return Response(refusal.status, body=body.encode(), content_type=XML_TYPE, headers=headers)
    error = {"code": refusal.code, "message": refusal.message}
    return Response(refusal.status, json={"status": "error", "error": error}, headers=headers)


def _xml_value(name: str, value: Any) -> str:
    return f"<{name}/>" if value is None else f"<{name}>{escape(str(value))}</{name}>"


def _xml_page(envelope: Record, records: list[Record]) -> bytes:
    attributes = " ".join(f"{k}={quoteattr(str(v))}" for k, v in envelope.items())
    rows = "".join(
        "<record>" + "".join(_xml_value(k, v) for k, v in record.items()) + "</record>"
        for record in records
    )
    body = f"<records>{rows}</records>" if rows else "<records/>"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<response {attributes}>{body}</response>'.encode()
    )
