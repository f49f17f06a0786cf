"""LeadExec's two answer formats, XML and JSON, read into one shape.

XML values are all text; JSON values are typed, with `UID` sometimes a string and dates in
another format. Both are read into the same "canonical" lead: every scalar is its text
(`true`/`false` for booleans, naive ISO 8601 for dates) or None when empty, and nested
lists (the sends) are lists of such objects. `fields.py` then gives each value its type.
"""

from __future__ import annotations

import json
import re
import typing as t
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from tap_clickpoint import assumed
from tap_clickpoint.common.answers import AnswerProblem, cached_answer, repaired_utf8

if t.TYPE_CHECKING:
    import requests

Canonical = t.Union[str, None, list["CanonicalObject"], "CanonicalObject"]
CanonicalObject = dict[str, Canonical]

_XML_TIMESTAMP = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([AaPp][Mm]))?)?$"
)
_JSON_TIMESTAMP = re.compile(f"^{assumed.JSON_TIMESTAMP_PATTERN}$")


@dataclass(frozen=True)
class LeadsPage:
    """One answer: the leads matching the query and window, and this page of them."""

    query_total: int
    leads: list[CanonicalObject]


def read_page(response: requests.Response) -> LeadsPage:
    """The page of leads one answer holds, read once per answer.

    Raises AnswerProblem when the answer is empty, neither XML nor JSON, or has no Leads:
    LeadExec has been seen to answer errors with a 200.
    """
    return cached_answer(response, _read)


def error_message(response: requests.Response) -> str | None:
    """LeadExec's own message in an error answer (`<Error>`, `{"Error": …}`), if it has one."""
    try:
        return _error_in(_document(response))
    except AnswerProblem:
        return None


def is_json(response: requests.Response) -> bool:
    content_type = response.headers.get("Content-Type", "").lower()
    if "json" in content_type:
        return True
    if "xml" in content_type:
        return False
    return response.content.lstrip()[:1] in (b"{", b"[")


def _document(response: requests.Response) -> dict[str, t.Any] | Element:
    """The answer as a JSON object or an XML root element.

    A byte that is not UTF-8 becomes U+FFFD (the stream counts the leads it touched).
    """
    body = repaired_utf8(response)
    if not body.strip():
        raise AnswerProblem("is empty")
    if is_json(response):
        try:
            document = json.loads(body, parse_float=Decimal)
        except ValueError:
            raise AnswerProblem("is not JSON") from None
        if not isinstance(document, dict):
            raise AnswerProblem("is not a JSON object")
        return document
    try:
        return t.cast("Element", ElementTree.fromstring(body))
    except (ElementTree.ParseError, DefusedXmlException):
        raise AnswerProblem("is neither XML nor JSON") from None


def _read(response: requests.Response) -> LeadsPage:
    document = _document(response)
    return _read_json(document) if isinstance(document, dict) else _read_xml(document)


def _error_in(document: dict[str, t.Any] | Element) -> str | None:
    if isinstance(document, dict):
        keys = {key.lower(): key for key in document}
        message = document.get(keys.get(assumed.ERROR_KEY, ""))
    else:
        message = document.text if _name(document).lower() == assumed.ERROR_KEY else None
    text = "" if message is None else " ".join(str(message).split())[:200]
    return text or None


def _no_leads(document: dict[str, t.Any] | Element) -> AnswerProblem:
    message = _error_in(document)
    return AnswerProblem(
        f"has no Leads, only LeadExec's error: {message}" if message else "has no Leads"
    )


def _read_json(document: dict[str, t.Any]) -> LeadsPage:
    keys = {key.lower(): key for key in document}
    if assumed.LEADS_KEY not in keys:
        raise _no_leads(document)
    leads = document[keys[assumed.LEADS_KEY]]
    if not isinstance(leads, list) or not all(isinstance(lead, dict) for lead in leads):
        raise AnswerProblem("has Leads that are not a list of objects")
    total = _total(document.get(keys.get(assumed.QUERY_TOTAL_KEY, "")), len(leads))
    return LeadsPage(total, [_json_object(lead) for lead in leads])


def _read_xml(root: Element) -> LeadsPage:
    if _name(root).lower() != assumed.LEADS_KEY:
        raise _no_leads(root)
    attributes = {name.lower(): value for name, value in root.attrib.items()}
    leads = [_xml_object(lead) for lead in root]
    return LeadsPage(_total(attributes.get(assumed.QUERY_TOTAL_KEY), len(leads)), leads)


def _total(value: t.Any, page_length: int) -> int:
    text = _text(value)
    if text is None or not text.isdigit():
        raise AnswerProblem(f"has no usable QueryTotal ({str(value)[:40]!r})")
    total = int(text)
    return max(total, page_length)


def _name(element: Element) -> str:
    """An element's name without its namespace, should LeadExec ever add one."""
    return element.tag.rpartition("}")[2]


def _xml_object(element: Element) -> CanonicalObject:
    return {_name(child): _xml_value(child) for child in element}


def _xml_value(element: Element) -> Canonical:
    if _name(element) == assumed.SENDS_KEY:
        return [_xml_object(send) for send in element]
    if len(element):
        if all(len(child) for child in element):
            return [_xml_object(child) for child in element]
        return _xml_object(element)
    return canonical(element.text)


def _json_object(value: dict) -> CanonicalObject:
    return {str(name): _json_value(item) for name, item in value.items()}


def _json_value(value: t.Any) -> Canonical:
    if isinstance(value, dict):
        return _json_object(value)
    if isinstance(value, list):
        return [_json_object(item) for item in value if isinstance(item, dict)]
    return canonical(value)


def _text(value: t.Any) -> str | None:
    return None if value is None else str(value)


def canonical(value: t.Any) -> str | None:
    """A scalar as the text both formats agree on; None for null and empty values."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if not text.strip():
        return None
    timestamp = parse_naive_timestamp(text)
    return text if timestamp is None else timestamp.isoformat()


def parse_naive_timestamp(text: str) -> datetime | None:
    """A wall-clock time in XML's (`1/5/2014 10:50:54 AM`) or JSON's form, else None."""
    text = text.strip()
    if _JSON_TIMESTAMP.match(text):
        whole, _, fraction = text.partition(".")
        # Python 3.10 reads only 3 or 6 fraction digits.
        return datetime.fromisoformat(f"{whole}.{fraction[:6]:0<6}" if fraction else whole)
    found = _XML_TIMESTAMP.match(text)
    if not found:
        return None
    month, day, year, hour, minute, second, noon = found.groups()
    hours = int(hour or 0)
    if noon:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if noon.upper() == "PM" else 0)
    try:
        return datetime(int(year), int(month), int(day), hours, int(minute or 0), int(second or 0))
    except ValueError:
        return None
