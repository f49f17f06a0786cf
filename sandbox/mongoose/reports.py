"""The REST v2 reports under /api/v2: get_fulfilled and customer_report.

`start_date` and `end_date` are calendar days in the account's zone, both included, at most
31 apart (400 DATE_RANGE_TOO_LARGE) and in YYYY-MM-DD (400 INVALID_DATE). get_fulfilled
lists the calls whose local start falls on those days, optionally of one campaign or status,
ordered by the naive local time and then the key: in the repeated hour of a fall-back
night, calls of both hours interleave. customer_report has a row per account and day, from
the account's creation day to today, with that day's call totals, and a column the contract
does not list (`billing_plan`), as an API grows fields without notice.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from sandbox.core.http import Request, Response
from sandbox.mongoose.calls import STATUSES
from sandbox.mongoose.faults import Refusal
from sandbox.mongoose.paging import page_of, page_params
from sandbox.mongoose.render import page_answer
from sandbox.mongoose.world import Account, World

Record = dict[str, Any]

API_PREFIX = "/api/v2"
REPORTS = ("get_fulfilled", "customer_report")
MAX_DAYS = 31
CUSTOMER_FIELDS = (
    "account_code", "report_date", "customer_name", "parent_account_code", "status",
    "created_date", "timezone", "campaign_count", "tracking_number_count", "total_calls",
    "answered_calls", "unique_callers", "total_duration", "total_minutes", "charges_call",
    "charges_addresslookup", "total_charges",
)  # fmt: skip
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HEX32 = re.compile(r"^[0-9a-f]{32}$")


def report_name(request: Request) -> str:
    """The report a request names; NOT_FOUND for any other path or method."""
    report = request.path.removeprefix(API_PREFIX + "/")
    if not request.path.startswith(API_PREFIX + "/") or report not in REPORTS:
        raise Refusal(404, "NOT_FOUND", f"Unknown path: {request.path}")
    if request.method != "GET":
        raise Refusal(404, "NOT_FOUND", f"{request.method} is not supported on {request.path}")
    return report


def report_page(world: World, request: Request, report: str, fmt: str) -> Response:
    first, last = _days(request)
    page, per_page = page_params(request)
    if report == "get_fulfilled":
        records = _fulfilled(world, request, first, last)
    else:
        records = _customer_report(world, first, last)
    shown, total_pages = page_of(records, page, per_page)
    envelope = {
        "status": "success",
        "report": report,
        "start_date": first.isoformat(),
        "end_date": last.isoformat(),
        "timezone": world.zone.key,
        "page": page,
        "per_page": per_page,
        "total_pages": total_pages,
        "total_records": len(records),
    }
    return page_answer(envelope, shown, fmt)


def _days(request: Request) -> tuple[date, date]:
    days = []
    for name in ("start_date", "end_date"):
        text = request.param(name)
        if not text:
            raise Refusal(400, "INVALID_DATE", f"{name} is required (YYYY-MM-DD)")
        try:
            if not _DAY.match(text):
                raise ValueError(text)
            days.append(date.fromisoformat(text))
        except ValueError:
            raise Refusal(400, "INVALID_DATE", f"Invalid {name}: {text}") from None
    first, last = days
    if last < first:
        raise Refusal(400, "INVALID_DATE", "end_date is before start_date")
    if (last - first).days + 1 > MAX_DAYS:
        raise Refusal(400, "DATE_RANGE_TOO_LARGE", f"The date range is longer than {MAX_DAYS} days")
    return first, last


def _fulfilled(world: World, request: Request, first: date, last: date) -> list[Record]:
    records = world.between(first, last)
    campaign, status = request.param("campaign_code"), request.param("status")
    if campaign is not None:
        if not _HEX32.match(campaign):
            raise Refusal(400, "INVALID_PARAMETER", f"Invalid campaign_code: {campaign}")
        records = [r for r in records if r["campaign_code"] == campaign]
    if status is not None:
        if status not in STATUSES:
            raise Refusal(400, "INVALID_PARAMETER", f"Invalid status: {status}")
        records = [r for r in records if r["status"] == status]
    # Ordered by the naive local time, as the API sorts on it, then by key.
    return sorted(records, key=lambda r: (r["call_date"], r["cdr_rated_code"]))


def _customer_report(world: World, first: date, last: date) -> list[Record]:
    calls = world.between(first, last)
    today = world.now().astimezone(world.zone).date()
    totals: dict[tuple[str, str], list[Record]] = {}
    for call in calls:
        totals.setdefault((call["account_code"], call["call_date"][:10]), []).append(call)
    rows = []
    day = first
    while day <= min(last, today):
        for account in sorted(world.accounts, key=lambda a: a.code):
            if account.created.astimezone(world.zone).date() <= day:
                calls_of_day = totals.get((account.code, str(day)), [])
                rows.append(_customer_row(world, account, day, calls_of_day))
        day += timedelta(days=1)
    return rows


def _customer_row(world: World, account: Account, day: date, calls: list[Record]) -> Record:
    charges_call = round(float(sum(c["charges_call"] or 0 for c in calls)), 2)
    lookups = round(float(sum(c["charges_addresslookup"] or 0 for c in calls)), 2)
    return {
        "account_code": account.code,
        "report_date": day.isoformat(),
        "customer_name": account.name,
        "parent_account_code": account.parent,
        "status": account.status,
        "created_date": world.local_time(account.created),
        "timezone": account.timezone,
        "campaign_count": len(account.campaigns),
        "tracking_number_count": sum(len(c.numbers) for c in account.campaigns),
        "total_calls": len(calls),
        "answered_calls": sum(c["status"] == "ANSWERED" for c in calls),
        "unique_callers": len({c["incoming_number"] for c in calls}),
        "total_duration": sum(c["call_duration"] for c in calls),
        "total_minutes": float(sum(c["duration_in_mins"] for c in calls)),
        "charges_call": charges_call,
        "charges_addresslookup": lookups,
        "total_charges": round(charges_call + lookups, 2),
        "billing_plan": "agency" if account.parent is None else "sub-account",
    }
