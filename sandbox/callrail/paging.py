"""CallRail's paging, `fields` and sorting, shared by every list endpoint.

Traps reproduced: offset pages say where the data ends only through `total_pages` (no `Link`
header), and a page past the last is an empty list; `per_page` above 250 answers 400;
relative pagination (calls only) gives a `next_page` URL that keeps every parameter sent,
and null on the last page; `fields` adds optional fields and never removes defaults;
`order` without `sort` is an error.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from urllib.parse import urlencode

from sandbox.callrail.world import Record
from sandbox.core.http import ApiError, Request

#: The records of positions [first, stop), rendered for the answer.
Fetch = Callable[[int, int], list[Record]]

MAX_PER_PAGE = 250


def offset_page(request: Request, key: str, total: int, fetch: Fetch) -> Record:
    page, per_page = request.int_param("page", 1, minimum=1), _per_page(request)
    first = (page - 1) * per_page
    return {
        "page": page,
        "per_page": per_page,
        "total_pages": math.ceil(total / per_page),
        "total_records": total,
        key: fetch(first, min(first + per_page, total)) if first < total else [],
    }


def relative_page(request: Request, key: str, total: int, fetch: Fetch, base_url: str) -> Record:
    """`offset` is a 0-based page number; the answer has no page counts or totals."""
    per_page, offset = _per_page(request), request.int_param("offset", 0)
    first = offset * per_page
    more = first + per_page < total
    pairs = [(k, v) for k, values in request.query.items() for v in values if k != "offset"]
    next_page = f"{base_url}{request.path}?{urlencode([*pairs, ('offset', offset + 1)])}"
    return {
        "next_page": next_page if more else None,
        "has_next_page": more,
        key: fetch(first, first + per_page),
    }


def _per_page(request: Request) -> int:
    per_page = request.int_param("per_page", 100, minimum=1)
    if per_page > MAX_PER_PAGE:
        raise ApiError(400, "per_page must be less than or equal to 250")
    return per_page


def requested_fields(
    request: Request, allowed: Sequence[str] | set[str] | frozenset[str]
) -> list[str]:
    """The names `fields` asks for, in order and once each; an unknown name answers 400."""
    names = [n.strip() for v in request.query.get("fields", []) for n in v.split(",") if n.strip()]
    for name in names:
        if name not in allowed:
            raise ApiError(400, f"Invalid field: {name}")
    return list(dict.fromkeys(names))


def sort_order(request: Request, sortable: dict[str, str]) -> tuple[str, bool] | None:
    """(record field, descending) from `sort`/`order`; `order` alone is an error."""
    sort, order = request.param("sort"), request.param("order")
    if not sort:
        if order:
            raise ApiError(400, "order requires sort")
        return None
    if sort not in sortable:
        raise ApiError(400, f"Invalid sort: {sort}")
    if order not in (None, "asc", "desc"):
        raise ApiError(400, f"Invalid order: {order}")
    return sortable[sort], order == "desc"
