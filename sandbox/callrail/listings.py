"""CallRail's stored list endpoints: accounts (`/a.json`), companies, trackers, users, tags,
notifications, caller ids, summary email subscriptions, form submissions and conversations
(`text-messages.json`, record key `conversations`).

Each endpoint's own trap is a named rule on its listing: caller ids are refused on the
standard plan and need `company_id`; account-level tags cannot be asked for together with
`company_id`; summary emails without `company_id` are account-level only. Form submissions
and conversations are dated, so without dates they cover only the last 7 days, newest first.
Filters compare text as it arrives in a query string.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.callrail.dates import UTC, epoch_ms, render, request_window, request_zone
from sandbox.callrail.paging import offset_page, requested_fields, sort_order
from sandbox.callrail.world import Account, Record
from sandbox.core.http import ApiError, Request

FORBIDDEN = "You do not have permission to perform the requested action"
FORM_OPTIONAL = (
    "company_name", "lead_status", "note", "utm_source", "utm_medium", "utm_campaign",
    "form_name", "timeline_url", "value", "tags", "milestones",
)  # fmt: skip

#: An endpoint's own rule: raises its error, or narrows the records it answers from.
Rule = Callable[[Request, Account, list[Record]], list[Record]]


def _caller_ids_rule(request: Request, account: Account, records: list[Record]) -> list[Record]:
    """Caller ids are refused (403) without the plan, then need `company_id` (400)."""
    if account.standard_plan:
        raise ApiError(403, FORBIDDEN)
    if not request.param("company_id"):
        raise ApiError(400, "company_id is required")
    return records


def _tags_rule(request: Request, account: Account, records: list[Record]) -> list[Record]:
    if request.param("company_id") and request.param("tag_level") == "account":
        raise ApiError(400, "tag_level=account cannot be combined with company_id")
    return records


def _summary_emails_rule(request: Request, account: Account, records: list[Record]) -> list[Record]:
    """Without company_id only account-level subscriptions; with it, the company's too."""
    scopes = (account.id, request.param("company_id"))
    return [r for r in records if r["scope"]["id"] in scopes]


@dataclass(frozen=True)
class Listing:
    """A stored list endpoint: offset pages, `fields`, `sort` and equality filters."""

    #: The envelope key, which also names the `Account` attribute holding the records.
    key: str
    optional: tuple[str, ...] = ()
    #: `sort` value -> record field.
    sortable: dict[str, str] = field(default_factory=dict)
    #: query parameter -> record field path; a path through a list matches any item.
    filters: dict[str, str] = field(default_factory=dict)
    #: Filtered on the request's date window and answered newest first.
    dated: bool = False
    rule: Rule | None = None


ACCOUNTS = Listing(
    "accounts", ("numeric_id",), {"name": "name"}, {"hipaa_account": "hipaa_account"}
)
LISTINGS = {
    "companies.json": Listing(
        "companies", ("verified_caller_ids",), {"name": "name"}, {"status": "status"}
    ),
    "trackers.json": Listing(
        "trackers", ("campaign_name", "swap_targets", "message_flow"), {"name": "name"},
        {"company_id": "company.id", "type": "type", "status": "status"},
    ),
    "users.json": Listing(
        "users", (), {"email": "email", "created_at": "created_at"}, {"company_id": "companies.id"}
    ),
    "tags.json": Listing(
        "tags", (), {"name": "name"},
        {"company_id": "company_id", "status": "status", "tag_level": "tag_level"},
        rule=_tags_rule,
    ),
    "notifications.json": Listing(
        "notifications", filters={"user_id": "user_id", "email": "email"}
    ),
    "caller_ids.json": Listing(
        "caller_ids", filters={"company_id": "company_id"}, rule=_caller_ids_rule
    ),
    "summary_emails": Listing(
        "summary_emails",
        filters={"frequency": "frequency", "user_id": "user.id", "email": "email"},
        rule=_summary_emails_rule,
    ),
    "form_submissions.json": Listing(
        "form_submissions", FORM_OPTIONAL,
        {"submitted_at": "submitted_at", "created_at": "submitted_at", "form_url": "form_url"},
        {"company_id": "company_id", "lead_status": "lead_status"}, dated=True,
    ),
    "text-messages.json": Listing(
        "conversations", ("lead_status", "source"), filters={"company_id": "company_id"}, dated=True
    ),
}  # fmt: skip
# The list path has no `.json`; the single-item form is accepted too.
LISTINGS["summary_emails.json"] = LISTINGS["summary_emails"]


def list_page(
    request: Request, listing: Listing, stored: list[Any], account: Account | None, now: datetime
) -> Record:
    """One page of `stored`, the listing's records; `account` is None for `/a.json`."""
    zone = request_zone(request, account.zone if account else UTC)
    records: list[Record] = stored
    if listing.dated:
        first, last = (epoch_ms(moment) for moment in request_window(request, zone, now))
        records = [r for ms, r in reversed(stored) if first <= ms <= last]
    if listing.rule is not None and account is not None:
        records = listing.rule(request, account, records)
    hidden = set(listing.optional) - set(requested_fields(request, _nameable(listing, records)))
    for param, path in listing.filters.items():
        if wanted := request.param(param):
            records = [r for r in records if _matches(r, path, wanted)]
    if order := sort_order(request, listing.sortable):
        name, descending = order
        records = sorted(records, key=_nulls_after(name), reverse=descending)

    def fetch(first: int, stop: int) -> list[Record]:
        shown = [{k: v for k, v in r.items() if k not in hidden} for r in records[first:stop]]
        return render(shown, zone)

    return offset_page(request, listing.key, len(records), fetch)


def _nameable(listing: Listing, records: list[Record]) -> set[str]:
    """The names `fields` may give: the optional ones, and the defaults as the first record
    shows them, so that with no record in range a default name answers 400."""
    return set(listing.optional).union(*(r.keys() for r in records[:1]))


def _nulls_after(name: str) -> Callable[[Record], tuple[bool, Any]]:
    """A sort key that puts nulls after values, so before them in descending order."""
    return lambda record: (record[name] is None, record[name])


def _matches(record: Record, path: str, wanted: str) -> bool:
    """Whether the value at a dotted path (any item, through lists) reads as `wanted`."""
    values: list[Any] = [record]
    for part in [*path.split("."), ""]:
        values = [v for value in values for v in (value if isinstance(value, list) else [value])]
        if part:
            values = [value.get(part) if isinstance(value, dict) else None for value in values]
    return wanted in (_query_text(v) for v in values)


def _query_text(value: Any) -> str:
    """A stored value as a query string would spell it: booleans as `true`/`false`, numbers in
    decimal, and null as Python's `None`, which no client sends but which does match."""
    return str(value).lower() if isinstance(value, bool) else str(value)
