"""skip/top pages as inContact serves its lists, with the clamp that makes short pages lie.

A page is `{..., "totalRecords", "_links": {self, next, previous}, <key>: [...]}` with full
URLs in `_links`. `top` above 100 is clamped to 100 without a word (assumed from what
clients report), so a page shorter than the `top` asked for is not the end: only a missing
`next`, `totalRecords` or a 204 (when `skip` is past the end) say so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from sandbox.core.http import Request, Response
from sandbox.incontact.faults import Refusal

MAX_TOP = 100


def count_param(request: Request, name: str, default: int, minimum: int) -> int:
    text = request.param(name)
    if text is None:
        return default
    if not text.isdigit() or int(text) < minimum:
        raise Refusal(400, f"Invalid {name}")
    return int(text)


def paged(
    base_url: str,
    request: Request,
    key: str,
    items: Sequence[Any],
    envelope: dict[str, Any],
    *,
    render: Callable[[Any], dict[str, Any]] = lambda record: record,
) -> Response:
    """The page that skip/top ask for, under `key`, or a 204 when skip is past the end."""
    skip = count_param(request, "skip", 0, minimum=0)
    top = min(count_param(request, "top", MAX_TOP, minimum=1), MAX_TOP)
    if skip >= len(items):
        return Response(204)
    stop = min(skip + top, len(items))
    rows = [render(item) for item in items[skip:stop]]

    def link(offset: int) -> str:
        pairs = [(k, v) for k, vs in request.query.items() for v in vs if k != "skip"]
        return f"{base_url}{request.path}?{urlencode([*pairs, ('skip', offset)])}"

    links = {
        "self": base_url + (request.target or request.path),
        "next": link(stop) if stop < len(items) else None,
        "previous": link(max(0, skip - top)) if skip else None,
    }
    return Response(json={**envelope, "totalRecords": len(items), "_links": links, key: rows})
