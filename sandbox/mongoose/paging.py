"""page/per_page pages of the REST reports, as the assumed contract pages them.

`page` is 1-based (default 1); `per_page` defaults to 100 and is clamped to 1000 without a
word, the clamped value echoed in the envelope; `total_pages` says where to stop, and a page
past the end is empty, not an error.
"""

from __future__ import annotations

import math
from typing import Any

from sandbox.core.http import Request
from sandbox.mongoose.faults import Refusal

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000


def page_params(request: Request) -> tuple[int, int]:
    """(page, per_page), per_page clamped."""
    page = _positive(request, "page", 1)
    per_page = min(_positive(request, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
    return page, per_page


def page_of(records: list[Any], page: int, per_page: int) -> tuple[list[Any], int]:
    """The records of one page, and the number of pages."""
    start = (page - 1) * per_page
    return records[start : start + per_page], math.ceil(len(records) / per_page)


def _positive(request: Request, name: str, default: int) -> int:
    text = request.param(name)
    if text is None or text == "":
        return default
    if not text.isdigit() or int(text) < 1:
        raise Refusal(400, "INVALID_PARAMETER", f"Invalid {name}: {text}")
    return int(text)
