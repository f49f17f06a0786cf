"""How LeadExec's legacy Data Interface reads a request: what it searches for and how much.

Traps reproduced: parameters come from the query string (the documented GET) or a form body
(what production clients POST), and their names are case-insensitive (`lid`/`LID`,
`StartDate`/`startdate`); dates arrive in many forms (`1/15/2024`, `01-15-2024 13:05:00`,
ISO); `take` above the cap is clamped, not refused; `query` is a Mongo-style JSON filter;
`sortfields` and `fields` are pipe-delimited.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from sandbox.core.http import ApiError, Request
from sandbox.leadexec.assumed import BAD_REQUEST_STATUS, DEFAULT_SORT_ORDER, MAX_TAKE, WINDOW_FIELD
from sandbox.leadexec.world import Record

Test = Callable[[Record], bool]

DATE_FORMATS = (
    "%m/%d/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p",
    "%m-%d-%Y", "%m-%d-%Y %H:%M:%S", "%m-%d-%Y %H:%M",
    "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
)  # fmt: skip


@dataclass(frozen=True)
class Search:
    """What one request asks for, once its key and lead type are known to be good."""

    #: Window bounds, naive Pacific time.
    start: datetime
    end: datetime
    skip: int
    take: int
    #: `ASC` or `DESC`.
    order: str
    sort_fields: list[str]
    tests: list[Test]
    #: The projection; empty means every field.
    fields: list[str]


def read_params(request: Request) -> dict[str, str]:
    """The request's parameters, query string and form body together, names lower-cased."""
    pairs = dict(request.query)
    if request.body:
        try:
            pairs.update(parse_qs(request.body.decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            raise ApiError(BAD_REQUEST_STATUS, "Unreadable form body") from None
    return {name.lower(): values[0] for name, values in pairs.items() if values}


def read_search(params: dict[str, str]) -> Search:
    """The search in `params`; the first bad parameter, in this order, answers 400."""
    start = _parse_date(params, "startdate")
    end = _parse_date(params, "enddate")
    skip = _count(params, "skip", 0)
    take = min(_count(params, "take", MAX_TAKE), MAX_TAKE)
    order = params.get("sortorder", DEFAULT_SORT_ORDER).upper()
    if order not in ("ASC", "DESC"):
        raise ApiError(BAD_REQUEST_STATUS, f"Invalid SortOrder: {order}")
    sort_fields = [f for f in params.get("sortfields", WINDOW_FIELD).split("|") if f]
    tests = _query(params.get("query"))
    fields = [f for f in params.get("fields", "").split("|") if f]
    return Search(start, end, skip, take, order, sort_fields, tests, fields)


def _parse_date(params: dict[str, str], name: str) -> datetime:
    text = params.get(name, "").strip()
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(text, form)
        except ValueError:
            continue
    label = {"startdate": "StartDate", "enddate": "EndDate"}[name]
    raise ApiError(BAD_REQUEST_STATUS, f"Invalid {label}: {text or '(none)'}")


def _count(params: dict[str, str], name: str, default: int) -> int:
    text = params.get(name, "")
    if not text:
        return default
    if not text.isdigit():
        raise ApiError(BAD_REQUEST_STATUS, f"Invalid {name}: {text}")
    return int(text)


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": lambda a, b: a == b,
    "$gt": lambda a, b: a > b,
    "$gte": lambda a, b: a >= b,
    "$lt": lambda a, b: a < b,
    "$lte": lambda a, b: a <= b,
    "$ne": lambda a, b: a != b,
    "$in": lambda a, b: a in b,
}


def _query(text: str | None) -> list[Test]:
    """A Mongo-style filter: `{"Field": value}` or `{"Field": {"$gte": a, "$lte": b}}`."""
    if not text:
        return []
    try:
        spec = json.loads(text)
    except ValueError:
        raise ApiError(BAD_REQUEST_STATUS, "Invalid query") from None
    if not isinstance(spec, dict):
        raise ApiError(BAD_REQUEST_STATUS, "Invalid query")
    tests: list[Test] = []
    for name, wanted in spec.items():
        conditions = wanted if isinstance(wanted, dict) else {"$eq": wanted}
        for operator, operand in conditions.items():
            if operator not in _OPERATORS:
                raise ApiError(BAD_REQUEST_STATUS, f"Invalid query operator: {operator}")
            tests.append(_condition(name, _OPERATORS[operator], operand))
    return tests


def _condition(name: str, compare: Callable[[Any, Any], bool], operand: Any) -> Test:
    """A missing or null field, or one whose type cannot be compared, never matches."""

    def test(record: Record) -> bool:
        try:
            return record.get(name) is not None and compare(record[name], operand)
        except TypeError:
            return False

    return test
