"""A local CallRail API v3 that behaves as shared/api/callrail.md describes, quirks included.

Calls are cheap in memory: an account keeps only sorted start times and integer keys; every
other field comes from a random generator seeded by the call's key, when a page needs it.
"""

from __future__ import annotations

import bisect
import math
import random
import re
import string
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.core.fake import (
    CITIES,
    FIRST_NAMES,
    LAST_NAMES,
    full_name,
    masked_id,
    phone,
    pretty_phone,
)
from sandbox.core.http import ApiError, Request, Response
from sandbox.core.ratelimit import RateLimiter
from sandbox.core.router import Router
from sandbox.core.server import SandboxServer

Record = dict[str, Any]
Predicate = Callable[[Record], bool]

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MS = timedelta(milliseconds=1)
DAY_MS = 86_400_000
UTC = ZoneInfo("Etc/UTC")
MAX_PER_PAGE = 250
MAX_POINTS = 200
RETENTION_MONTHS = 25
HISTORY_DAYS = 730
RETENTION_ERROR = (
    "The requested date range is outside of the data retention period of 25 months. "
    "Please revise the date range."
)
TOO_MANY_POINTS = (
    "Too many data points requested, please shorten the date range or use a larger interval"
)
FORBIDDEN = "You do not have permission to perform the requested action"
OWNER_ZONES = ("America/New_York", "America/Los_Angeles", "Europe/London")
# "EST" is the legacy fixed-offset zone some old companies still carry.
COMPANY_ZONES = ("America/New_York", "EST", "America/Chicago", "America/Denver", "America/Phoenix")

CALL_FIELDS = (
    "id", "answered", "business_phone_number", "customer_city", "customer_country",
    "customer_name", "customer_phone_number", "customer_state", "direction", "duration",
    "recording", "recording_duration", "recording_player", "start_time",
    "tracking_phone_number", "voicemail",
)  # fmt: skip
# Call fields copied from the core fields that filters and summaries use.
CORE_FIELDS = (
    "answered", "direction", "duration", "voicemail", "campaign", "company_id", "company_name",
    "device_type", "keywords", "landing_page_url", "lead_status", "medium", "referrer_domain",
    "source", "tracker_id", "value", "first_call", "prior_calls",
)  # fmt: skip
# Null unless a condition fills them; the first seven need Premium Conversation Intelligence
# or Voice Assist, which the simulated accounts do not have.
NULL_CALL_FIELDS = (
    "sentiment", "transcription", "call_summary", "lead_score", "lead_explanation",
    "speaker_percent", "voice_assist_message", "recording", "recording_duration",
    "recording_player", "waveforms", "fbclid", "gclid", "msclkid", "ga", "session_uuid",
    "last_requested_url", "utm_campaign", "utm_content", "utm_medium", "utm_source", "utm_term",
    "good_lead_call_time", "good_lead_call_id", "keypad_entries", "zip_code", "referring_url",
)  # fmt: skip
FORM_OPTIONAL = (
    "company_name", "lead_status", "note", "utm_source", "utm_medium", "utm_campaign",
    "form_name", "timeline_url", "value", "tags", "milestones",
)  # fmt: skip
METRICS = (
    "total_calls", "missed_calls", "answered_calls", "first_time_callers", "average_duration",
    "formatted_average_duration", "leads",
)  # fmt: skip
GROUP_FIELDS = {
    "source": "source", "keywords": "keywords", "campaign": "campaign",
    "referrer": "referrer_domain", "landing_page": "landing_page_url",
    "company": "company_name", "company_id": "company_id",
}  # fmt: skip
INTERVALS = ("hour", "day", "week", "month", "year")

# Invented but plausible small-business data.
BUSINESSES = (
    "Peachtree Dental", "Summit Roofing", "Harbor Law Group", "Lakeside HVAC",
    "Blue Ridge Realty", "Northside Auto Care", "Evergreen Landscaping", "Coastal Plumbing",
)  # fmt: skip
LOCATIONS = ("Downtown", "Northside", "Westview", "Airport", "Midtown", "Eastlake", "Riverside")
SOURCES = {  # source: medium, referrer domain, paid
    "Google Paid": ("cpc", "google.com", True), "Google Organic": ("organic", "google.com", False),
    "Bing Paid": ("cpc", "bing.com", True), "Bing Organic": ("organic", "bing.com", False),
    "Facebook Paid": ("paid_social", "facebook.com", True),
    "Yelp": ("referral", "yelp.com", False), "Direct": (None, None, False),
    "Direct Mail": (None, None, False),
}  # fmt: skip
SESSION_SOURCES = ("Google Paid", "Google Organic", "Google Organic", "Bing Organic", "Direct")
TRACKER_KINDS = (  # name, source, source object: its shape varies by kind
    ("Google Ads", "Google Paid", {"type": "search", "search_engine": "google", "paid": True}),
    ("Google Business Profile", "Google Organic", {"type": "google_my_business"}),
    ("Bing Ads", "Bing Paid", {"type": "search", "search_engine": "bing", "paid": True}),
    ("Facebook Ads", "Facebook Paid", {"type": "social", "social_network": "facebook"}),
    ("Yelp Listing", "Yelp", {"type": "referral", "referrer": "yelp.com"}),
    ("Spring Mailer", "Direct Mail", {"type": "offline", "description": "Postcard campaign"}),
)  # fmt: skip
SESSION_SOURCE_OBJECT = {"google": ["paid", "organic"], "bing": ["organic"], "direct": True}
CALL_FLOWS = (  # shapes vary by flow type
    {"type": "basic", "recording_enabled": True, "greeting_text": "Calls are recorded."},
    {"type": "ivr", "recording_enabled": False, "menu": {"greeting": "Press 1", "options": ["1"]}},
    {"type": "round_robin", "recording_enabled": True, "ring_seconds": 20},
)  # fmt: skip
KEYWORDS = ("emergency plumber", "dentist near me", "roof repair cost", "ac repair", "brake repair")
CAMPAIGNS = ("Brand - Exact", "Spring Promo", "Local Services", "Retargeting", "Competitor Terms")
PAGES = ("/", "/contact", "/services", "/specials", "/blog/how-much-does-it-cost", "/book-online")
TAG_NAMES = (
    "New Patient", "Existing Customer", "Quote Requested", "Spam", "Wrong Number", "Booked",
    "Follow Up", "Emergency", "Price Shopper", "Insurance Question", "Referral", "VIP",
    "Callback Requested", "Complaint", "Sales", "Support", "Billing", "Cancelled",
    "Voicemail Left", "Hiring",
)  # fmt: skip
NOTES = ("Wants a quote by Friday", "Asked about weekend hours", "Called back, no answer")
TEXTS = ("Hi, are you open Saturday?", "Thanks, see you then!", "Can I get a quote?", "STOP")
LEAD_STATUSES = (None, "good_lead", "not_a_lead", "previously_marked_good_lead")
CALL_TYPE_LABELS = {
    "answered": "Answered Call", "missed": "Missed Call", "abandoned": "Abandoned Call",
    "voicemail": "Voicemail", "voicemail_transcription": "Voicemail", "outbound": "Outbound Call",
}  # fmt: skip
_TOKEN = re.compile(r'^\s*Token\s+token="?([^"\s]+)"?\s*$')
_TIME_PART = re.compile(r"[T ]\d{2}(:\d{2})?(:\d{2})?(\.\d+)?")
# Call ids encode (account, key) through an invertible multiplication, so ids look random
# yet a mutation finds its call without an index of every id.
_ID_SPACE = 1 << 128
_ID_MULTIPLIER = 0x2545F4914F6CDD1D9E3779B97F4A7C15
_ID_INVERSE = pow(_ID_MULTIPLIER, -1, _ID_SPACE)


@dataclass(frozen=True)
class _Listing:
    """A stored list endpoint: offset pages, `fields`, `sort` and equality filters."""

    key: str
    optional: tuple[str, ...] = ()
    #: `sort` value -> record field.
    sortable: dict[str, str] = field(default_factory=dict)
    #: query parameter -> record field path; a path through a list matches any item.
    filters: dict[str, str] = field(default_factory=dict)
    #: Filtered on the request's date window and answered newest first.
    dated: bool = False


ACCOUNTS = _Listing(
    "accounts", ("numeric_id",), {"name": "name"}, {"hipaa_account": "hipaa_account"}
)
LISTINGS = {
    "companies.json": _Listing(
        "companies", ("verified_caller_ids",), {"name": "name"}, {"status": "status"}
    ),
    "trackers.json": _Listing(
        "trackers", ("campaign_name", "swap_targets", "message_flow"), {"name": "name"},
        {"company_id": "company.id", "type": "type", "status": "status"},
    ),
    "users.json": _Listing(
        "users", (), {"email": "email", "created_at": "created_at"}, {"company_id": "companies.id"}
    ),
    "tags.json": _Listing(
        "tags", (), {"name": "name"},
        {"company_id": "company_id", "status": "status", "tag_level": "tag_level"},
    ),
    "notifications.json": _Listing(
        "notifications", filters={"user_id": "user_id", "email": "email"}
    ),
    "caller_ids.json": _Listing("caller_ids", filters={"company_id": "company_id"}),
    "summary_emails": _Listing(
        "summary_emails", filters={"frequency": "frequency", "user_id": "user.id", "email": "email"}
    ),
    "form_submissions.json": _Listing(
        "form_submissions", FORM_OPTIONAL,
        {"submitted_at": "submitted_at", "created_at": "submitted_at", "form_url": "form_url"},
        {"company_id": "company_id", "lead_status": "lead_status"}, dated=True,
    ),
    "text-messages.json": _Listing(
        "conversations", ("lead_status", "source"), filters={"company_id": "company_id"}, dated=True
    ),
}  # fmt: skip
LISTINGS["summary_emails.json"] = LISTINGS["summary_emails"]


@dataclass
class _Account:
    index: int
    id: str
    numeric_id: int
    name: str
    domain: str
    zone: ZoneInfo
    record: Record
    companies: list[Record] = field(default_factory=list)
    trackers: list[Record] = field(default_factory=list)
    users: list[Record] = field(default_factory=list)
    tags: list[Record] = field(default_factory=list)
    notifications: list[Record] = field(default_factory=list)
    caller_ids: list[Record] = field(default_factory=list)
    summary_emails: list[Record] = field(default_factory=list)
    form_submissions: list[tuple[int, Record]] = field(default_factory=list)
    conversations: list[tuple[int, Record]] = field(default_factory=list)
    #: (tracker, source or None for session trackers) that calls are drawn from.
    call_trackers: list[tuple[Record, str | None]] = field(default_factory=list)
    #: Start times (ms) and keys, sorted; replaced whole on change so readers need no lock.
    calls: tuple[list[int], list[int]] = ([], [])
    next_key: int = 0
    overrides: dict[int, Record] = field(default_factory=dict)


class CallRailSandbox(SandboxServer):
    """CallRail's API under `api_url`, with generated accounts, calls and settings."""

    def __init__(
        self,
        *,
        api_keys: Sequence[str] = ("sandbox-key",),
        accounts: int = 3,
        companies_per_account: int = 3,
        calls_per_account: int = 1500,
        seed: int = 7,
        port: int = 0,
        rate_limit_per_hour: int = 1000,
        now: datetime | None = None,
    ) -> None:
        super().__init__(port=port)
        self.api_keys = tuple(api_keys)
        self.seed = seed
        #: Per account, and per key for /a.json; tests may change its limit and window.
        self.rate_limiter = RateLimiter(rate_limit_per_hour)
        now = now or datetime.now(timezone.utc)
        self.now = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
        self._lock = threading.Lock()
        self._id_salt = random.Random(seed).getrandbits(128)
        self._serial = 7_000_000
        self._short_ids: set[str] = set()
        self._accounts = [
            self._make_account(i, max(1, companies_per_account), calls_per_account)
            for i in range(accounts)
        ]
        self._account_records = [a.record for a in self._accounts]
        # Every call has the same fields, so one call tells which names `fields` may ask for.
        sample = self._call_record(self._accounts[0], 0, 0) if self._accounts else {}
        self._call_fields = frozenset(sample) | set(CALL_FIELDS)
        self._by_path_id = {a.id: a for a in self._accounts}
        self._by_path_id.update((str(a.numeric_id), a) for a in self._accounts)
        self._routes: Router[Callable[[Request, _Account], Record]] = Router()
        for path, listing in LISTINGS.items():
            self._routes.add(f"/v3/a/{{account_id}}/{path}", self._lister(listing))
        self._routes.add("/v3/a/{account_id}/calls.json", self._calls)
        self._routes.add("/v3/a/{account_id}/calls/summary.json", self._summary)
        self._routes.add("/v3/a/{account_id}/calls/timeseries.json", self._timeseries)

    # Public interface for tests

    @property
    def api_url(self) -> str:
        return self.url + "/v3"

    @property
    def account_ids(self) -> list[str]:
        return [account.id for account in self._accounts]

    @property
    def gated_account_id(self) -> str:
        """The standard-plan account, whose caller_ids answer 403."""
        return self._accounts[0].id

    def env(self) -> dict[str, str]:
        return {"CALLRAIL_SANDBOX_URL": self.api_url, "CALLRAIL_SANDBOX_API_KEY": self.api_keys[0]}

    def update_call(self, call_id: str, **fields: Any) -> None:
        """Change fields of a call after the fact, as tags or lead status change in CallRail."""
        account, key = self._locate(call_id)
        start = fields.pop("start_time", None)
        with self._lock:
            account.overrides[key] = {**account.overrides.get(key, {}), **fields}
            if start is not None:
                self._remove(account, key)
                self._insert(account, key, _ms(start))

    def add_call(self, account_id: str, start_time: datetime, **fields: Any) -> str:
        """Add a late-arriving call; returns its id."""
        account = self._by_path_id[account_id]
        with self._lock:
            key = account.next_key
            account.next_key += 1
            account.overrides[key] = dict(fields)
            self._insert(account, key, _ms(start_time))
        return self._call_id(account, key)

    def delete_call(self, call_id: str) -> None:
        account, key = self._locate(call_id)
        with self._lock:
            self._remove(account, key)
            account.overrides.pop(key, None)

    # Dispatch

    def handle(self, request: Request) -> Response:
        route = self._routes.match(request.path)
        if route is None and request.path != "/v3/a.json":
            raise ApiError(404, "Not Found")
        if request.method != "GET":
            raise ApiError(405, "Method Not Allowed")
        match = _TOKEN.match(request.header("Authorization") or "")
        if not match or match.group(1) not in self.api_keys:
            raise ApiError(401, "Unauthorized")
        if request.body:
            raise ApiError(406, "Parameters must be sent in the query string")
        if route is None:
            self._spend("key:" + match.group(1))
            return Response(json=self._list(request, None, ACCOUNTS))
        handler, params = route
        account = self._by_path_id.get(params["account_id"])
        if account is None:
            raise ApiError(404, "Not Found")
        self._spend(account.id)
        return Response(json=handler(request, account))

    def _spend(self, bucket: str) -> None:
        if not self.rate_limiter.allow(bucket):
            raise ApiError(429, "Rate limit exceeded")

    def _zone(self, request: Request, account: _Account | None) -> ZoneInfo:
        name = request.param("time_zone")
        if not name or name == "user":
            return account.zone if account else UTC
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ApiError(400, f"Invalid time_zone: {name}") from None

    def _window(self, request: Request, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The inclusive [start, end] a date-filtered request covers."""
        today = self.now.astimezone(zone).date()
        first, last = request.param("start_date"), request.param("end_date")
        if first or last:
            if not first:
                raise ApiError(400, "start_date is required when end_date is given")
            start = _parse_bound(first, zone, end=False)
            tonight = _day_start(today + timedelta(days=1), zone) - MS
            end = _parse_bound(last, zone, end=True) if last else tonight
        else:
            first_day, last_day = _named_range(request.param("date_range") or "recent", today)
            start = _day_start(first_day, zone)
            end = _day_start(last_day + timedelta(days=1), zone) - MS
        if end < start:
            raise ApiError(400, "end_date must not be before start_date")
        earliest = _months_before(today, RETENTION_MONTHS) + timedelta(days=1)
        if start < _day_start(earliest, zone):
            raise ApiError(400, RETENTION_ERROR)
        return start, end

    # Endpoints

    def _lister(self, listing: _Listing) -> Callable[[Request, _Account], Record]:
        return lambda request, account: self._list(request, account, listing)

    def _list(self, request: Request, account: _Account | None, listing: _Listing) -> Record:
        zone = self._zone(request, account)
        stored: list[Any] = getattr(account, listing.key) if account else self._account_records
        records: list[Record] = stored
        if listing.dated:
            first, last = (_ms(moment) for moment in self._window(request, zone))
            records = [r for ms, r in reversed(stored) if first <= ms <= last]
        company_id = request.param("company_id")
        if listing.key == "caller_ids" and account and account.index == 0:
            raise ApiError(403, FORBIDDEN)
        if listing.key == "caller_ids" and not company_id:
            raise ApiError(400, "company_id is required")
        if listing.key == "tags" and company_id and request.param("tag_level") == "account":
            raise ApiError(400, "tag_level=account cannot be combined with company_id")
        if listing.key == "summary_emails" and account:
            # Without company_id only account-level subscriptions; with it, the company's too.
            scopes = (account.id, company_id)
            records = [r for r in records if r["scope"]["id"] in scopes]
        known = set(listing.optional).union(*(r.keys() for r in records[:1]))
        hidden = set(listing.optional) - set(_requested_fields(request, known))
        for param, path in listing.filters.items():
            if wanted := request.param(param):
                records = [r for r in records if _matches(r, path, wanted)]
        if order := _order(request, listing.sortable):
            name, descending = order
            records = sorted(records, key=lambda r: (r[name] is None, r[name]), reverse=descending)

        def fetch(first: int, stop: int) -> list[Record]:
            shown = [{k: v for k, v in r.items() if k not in hidden} for r in records[first:stop]]
            return _render(shown, zone)

        return _page(request, listing.key, len(records), fetch)

    def _calls(self, request: Request, account: _Account) -> Record:
        zone = self._zone(request, account)
        start, end = self._window(request, zone)
        shown = (*CALL_FIELDS, *_requested_fields(request, self._call_fields))
        order = _order(request, {"start_time": "start_time"})
        calls = self._selected(account, (start, end), request, need_core=False)
        if order is None or order[1]:
            calls.reverse()

        def fetch(first: int, stop: int) -> list[Record]:
            records = [self._call_record(account, key, ms) for ms, key, _ in calls[first:stop]]
            return [_render({name: r[name] for name in shown}, zone) for r in records]

        if request.param("relative_pagination") != "true":
            return _page(request, "calls", len(calls), fetch)
        per_page, offset = _per_page(request), request.int_param("offset", 0)
        first = offset * per_page
        more = first + per_page < len(calls)
        # next_page keeps every parameter the client sent, with the next offset.
        pairs = [(k, v) for k, values in request.query.items() for v in values if k != "offset"]
        next_page = f"{self.url}{request.path}?{urlencode([*pairs, ('offset', offset + 1)])}"
        return {
            "next_page": next_page if more else None,
            "has_next_page": more,
            "calls": fetch(first, first + per_page),
        }

    def _summary(self, request: Request, account: _Account) -> Record:
        zone = self._zone(request, account)
        start, end = self._window(request, zone)
        names = _metric_names(request)
        group = request.param("group_by")
        if group is not None and group not in GROUP_FIELDS:
            raise ApiError(400, f"Invalid group_by: {group}")
        need_core = bool(group) or names != ["total_calls"]
        calls = self._selected(account, (start, end), request, need_core)
        cores = [core for _, _, core in calls]
        body = _envelope(start, end, zone) | {"total_results": _metrics(cores, names)}
        if group:
            groups: dict[Any, list[Record]] = {}
            for core in cores:
                groups.setdefault(core[GROUP_FIELDS[group]], []).append(core)
            ranked = sorted(groups.items(), key=lambda g: (-len(g[1]), g[0] is None, str(g[0])))
            body["grouped_by"] = group
            body["grouped_results"] = [{"key": k, **_metrics(v, names)} for k, v in ranked]
        return body

    def _timeseries(self, request: Request, account: _Account) -> Record:
        zone = self._zone(request, account)
        start, end = self._window(request, zone)
        interval = request.param("interval") or "day"
        if interval not in INTERVALS:
            raise ApiError(400, f"Invalid interval: {interval}")
        periods = _periods(start, end, zone, interval)
        if len(periods) > MAX_POINTS:
            raise ApiError(400, TOO_MANY_POINTS)
        names = _metric_names(request)
        calls = self._selected(account, (start, end), request, names != ["total_calls"])
        cores, moments = [core for _, _, core in calls], [ms for ms, _, _ in calls]
        cuts = [0, *(bisect.bisect_left(moments, begin) for _, begin in periods[1:]), len(calls)]
        data = [
            {"date": label, **_metrics(cores[cuts[i] : cuts[i + 1]], names)}
            for i, (label, _) in enumerate(periods)
        ]
        return _envelope(start, end, zone) | {"total_results": _metrics(cores, names), "data": data}

    # Calls

    def _selected(
        self,
        account: _Account,
        window: tuple[datetime, datetime],
        request: Request,
        need_core: bool,
    ) -> list[tuple[int, int, Record]]:
        """(start ms, key, core fields) of the calls in the window that pass the filters.

        Oldest first. Core fields are only computed when a filter or the caller needs them.
        """
        times, keys = account.calls
        first, last = (_ms(moment) for moment in window)
        lo, hi = bisect.bisect_left(times, first), bisect.bisect_right(times, last)
        tests = _call_filters(request)
        need_core = need_core or bool(tests)
        selected = []
        for position in range(lo, hi):
            core = self._core(account, keys[position]) if need_core else {}
            if all(test(core) for test in tests):
                selected.append((times[position], keys[position], core))
        return selected

    def _call_seed(self, account: _Account, key: int) -> int:
        return (self.seed << 64) ^ (account.index << 40) ^ key

    def _call_id(self, account: _Account, key: int) -> str:
        number = (((account.index << 40) | key) ^ self._id_salt) * _ID_MULTIPLIER % _ID_SPACE
        return f"CAL{number:032x}"

    def _locate(self, call_id: str) -> tuple[_Account, int]:
        try:
            number = (int(call_id[3:], 16) * _ID_INVERSE % _ID_SPACE) ^ self._id_salt
        except ValueError:
            raise KeyError(call_id) from None
        index, key = number >> 40, number & ((1 << 40) - 1)
        if index >= len(self._accounts) or key not in self._accounts[index].calls[1]:
            raise KeyError(call_id)
        return self._accounts[index], key

    def _insert(self, account: _Account, key: int, ms: int) -> None:
        times, keys = account.calls
        at = bisect.bisect_right(times, ms)
        account.calls = ([*times[:at], ms, *times[at:]], [*keys[:at], key, *keys[at:]])

    def _remove(self, account: _Account, key: int) -> None:
        times, keys = account.calls
        at = keys.index(key)
        account.calls = (times[:at] + times[at + 1 :], keys[:at] + keys[at + 1 :])

    def _core(self, account: _Account, key: int) -> Record:
        """The fields that filters and summaries need, cheaper than the whole record."""
        rng = random.Random(self._call_seed(account, key) * 2)
        tracker, label = rng.choice(account.call_trackers)
        outbound = rng.random() < 0.08
        answered = rng.random() < (0.6 if outbound else 0.72)
        voicemail = not answered and not outbound and rng.random() < 0.45
        if answered:
            duration = min(3600, int(rng.lognormvariate(4.6, 0.9)) + 8)
        else:
            duration = rng.randint(8, 75) if voicemail else rng.randint(0, 30)
        prior_calls = 0 if rng.random() < 0.45 else rng.randint(1, 12)
        source = None if outbound else (label or rng.choice(SESSION_SOURCES))
        medium, referrer, paid = SOURCES.get(source or "", (None, None, False))
        web = tracker["type"] == "session" and source is not None
        lead_status = rng.choices(LEAD_STATUSES, weights=(52, 30, 15, 3))[0]
        core = {
            "tracker_id": tracker["id"], "company_id": tracker["company"]["id"],
            "company_name": tracker["company"]["name"],
            "direction": "outbound" if outbound else "inbound", "answered": answered,
            "voicemail": voicemail, "duration": duration, "prior_calls": prior_calls,
            "first_call": prior_calls == 0, "source": source, "medium": medium, "paid": paid,
            "web": web, "referrer_domain": referrer if web else None,
            "landing_page_url": f"https://www.{account.domain}{rng.choice(PAGES)}" if web else None,
            "keywords": rng.choice(KEYWORDS) if paid or (web and rng.random() < 0.5) else None,
            "campaign": rng.choice(CAMPAIGNS) if paid else None, "lead_status": lead_status,
            "value": rng.choice((75, 150, 400, 1200)) if lead_status == "good_lead" else None,
            "device_type": None if outbound else rng.choice(("desktop", "mobile", "mobile")),
            "agent_id": rng.choice(account.users)["id"] if answered else None,
        }  # fmt: skip
        return core | account.overrides.get(key, {})

    def _call_record(self, account: _Account, key: int, ms: int) -> Record:
        """Every field of a call; datetimes are rendered in the request's zone later."""
        core = self._core(account, key)
        rng = random.Random(self._call_seed(account, key) * 2 + 1)
        call_id, start = self._call_id(account, key), EPOCH + timedelta(milliseconds=ms)
        tracker = next(t for t, _ in account.call_trackers if t["id"] == core["tracker_id"])
        company = next(c for c in account.companies if c["id"] == tracker["company"]["id"])
        agent = next((u for u in account.users if u["id"] == core["agent_id"]), None)
        city, state, country, area, zip_code = rng.choice(CITIES)
        customer = phone(rng, area, country)
        name = None if rng.random() < 0.2 else full_name(rng)
        if name and rng.random() < 0.3:
            name = name.upper()  # caller-ID lookups often arrive upper-case
        if core["direction"] == "outbound":
            call_type = "outbound"
        elif core["answered"]:
            call_type = "answered"
        elif core["voicemail"]:
            call_type = rng.choice(("voicemail", "voicemail_transcription"))
        else:
            call_type = "abandoned" if core["duration"] < 3 else "missed"
        tags = [t for t in account.tags if t["status"] == "enabled"]
        tags = rng.sample(tags, min(len(tags), rng.choice((0, 0, 0, 1, 1, 2))))
        objects = rng.random() < 0.25  # both tag shapes occur in one account's history
        value, source = core["value"], core["source"]
        app = f"https://app.callrail.com/calls/{call_id}"
        record: Record = dict.fromkeys(NULL_CALL_FIELDS) | {k: core[k] for k in CORE_FIELDS}
        record |= {
            "id": call_id, "business_phone_number": tracker["destination_number"],
            "customer_city": city, "customer_country": country, "customer_name": name,
            "customer_phone_number": customer, "customer_state": state,
            "start_time": start, "created_at": start,
            "tracking_phone_number": rng.choice(tracker["tracking_numbers"]),
            "agent_email": agent["email"] if agent else None, "call_type": call_type,
            "formatted_call_type": CALL_TYPE_LABELS[call_type],
            "company_time_zone": company["time_zone"],
            "note": rng.choice(NOTES) if rng.random() < 0.15 else None,
            "person_id": masked_id(rng, "PER") if rng.random() < 0.9 else None,
            "source_name": tracker["name"],
            "timeline_url": f"https://app.callrail.com/a/{account.numeric_id}/timeline/{call_id}",
            "formatted_customer_location": f"{city}, {state or country}",
            "formatted_customer_name": name or pretty_phone(customer),
            "formatted_customer_name_or_phone_number": name or pretty_phone(customer),
            "formatted_duration": _duration_text(core["duration"]),
            "formatted_tracking_source": source or tracker["name"],
            "formatted_value": f"${value:,.2f}" if isinstance(value, int) else "--",
            "total_calls": core["prior_calls"] + 1,
            "custom": {"service_type": "repair"} if rng.random() < 0.2 else {},
            "milestones": _milestones(rng, core, start),
            "tags": [{"id": t["id"], "name": t["name"]} if objects else t["name"] for t in tags],
            "call_highlights": [], "keywords_spotted": [],
        }  # fmt: skip
        for number in ("business_phone_number", "customer_phone_number", "tracking_phone_number"):
            record[f"formatted_{number}"] = pretty_phone(record[number])
        if (core["answered"] or core["voicemail"]) and rng.random() < 0.9:
            record |= {
                "recording": f"https://api.callrail.com/v3/a/{account.id}/calls/{call_id}.mp3",
                "recording_duration": str(core["duration"]),
                "recording_player": f"{app}/recording?access_key={rng.getrandbits(64):016x}",
                "waveforms": [f"{app}/waveform/{side}.png" for side in ("agent", "customer")],
            }
        click_id = {"Google Paid": "gclid", "Bing Paid": "msclkid", "Facebook Paid": "fbclid"}
        if source in click_id:
            record[click_id[source]] = f"{rng.getrandbits(128):032x}"
        if core["web"]:
            record |= {
                "ga": f"GA1.2.{rng.randint(10**8, 10**9)}.{ms // 1000 - rng.randint(0, 10**6)}",
                "session_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "last_requested_url": f"https://www.{account.domain}{rng.choice(PAGES)}",
                "referring_url": f"https://www.{core['referrer_domain']}/",
                "utm_medium": core["medium"],
                "utm_source": (core["referrer_domain"] or "").split(".")[0] or None,
            }
            if core["paid"]:
                record |= {"utm_campaign": core["campaign"], "utm_term": core["keywords"]}
        if core["lead_status"] == "good_lead":
            record["good_lead_call_time"] = start
            record["good_lead_call_id"] = rng.randint(10**8, 10**9)
        if tracker["call_flow"]["type"] == "ivr":
            record["keypad_entries"] = {"Main Menu": str(rng.randint(1, 4))}
        record["zip_code"] = [zip_code] if zip_code else None
        return record | account.overrides.get(key, {})

    # Generated account data

    def _make_account(self, index: int, companies: int, calls: int) -> _Account:
        rng = random.Random(f"callrail:{self.seed}:{index}")
        name = BUSINESSES[index % len(BUSINESSES)]
        if index >= len(BUSINESSES):
            name += f" {index // len(BUSINESSES) + 1}"
        account_id, numeric_id = masked_id(rng, "ACC"), rng.randint(10**8, 10**9 - 1)
        record = {
            "id": account_id, "name": name, "outbound_recording_enabled": rng.random() < 0.5,
            "hipaa_account": index % 4 == 3, "numeric_id": numeric_id,
        }  # fmt: skip
        zone = ZoneInfo(OWNER_ZONES[index % len(OWNER_ZONES)])
        domain = re.sub(r"\W", "", name.lower()) + ".com"
        account = _Account(index, account_id, numeric_id, name, domain, zone, record)
        for j in range(companies):
            disabled = j >= 2 and j == companies - 1  # a soft delete, still listed
            script = f"{rng.randint(10**8, 10**9)}/{rng.getrandbits(80):020x}"
            account.companies.append({
                "id": masked_id(rng, "COM"), "name": f"{name} {LOCATIONS[j % len(LOCATIONS)]}",
                "status": "disabled" if disabled else "active",
                "time_zone": COMPANY_ZONES[(index + j) % len(COMPANY_ZONES)],
                "created_at": _utc_z(self._ago(rng, 760, 2500)),
                "disabled_at": _utc_z(self._ago(rng, 20, 300)) if disabled else None,
                "dni_active": not disabled and rng.random() < 0.8,
                "script_url": f"//cdn.callrail.com/companies/{script}/12/swap.js",
                "callscore_enabled": rng.random() < 0.3, "lead_scoring_enabled": rng.random() < 0.6,
                "callscribe_enabled": False, "swap_exclude_jquery": None,
                "swap_ppc_override": rng.random() < 0.5,
                "swap_landing_override": rng.choice((None, "utm_source")),
                "swap_cookie_duration": 6, "swap_cookie_duration_unit": "months",
                "keyword_spotting_enabled": None, "form_capture": rng.random() < 0.5,
                "verified_caller_ids": [],
            })  # fmt: skip
        self._make_users(rng, account)
        self._make_trackers(rng, account)
        self._make_settings(rng, account)
        end, span = _ms(self.now), HISTORY_DAYS * DAY_MS
        forms = sorted(end - int(rng.random() * span) for _ in range(rng.randint(250, 350)))
        account.form_submissions = [(ms, self._make_form(rng, account, ms)) for ms in forms]
        texts = sorted(end - int(rng.random() * span) for _ in range(rng.randint(180, 240)))
        account.conversations = [(ms, self._make_conversation(rng, account, ms)) for ms in texts]
        # A few calls in the last hour, so "today" and near-real-time windows have data.
        recent = min(calls, 3)
        times = [end - int(rng.random() * span) for _ in range(calls - recent)]
        times += [end - int(rng.random() * 3_600_000) for _ in range(recent)]
        account.calls = (sorted(times), list(range(calls)))
        account.next_key = calls
        return account

    def _ago(self, rng: random.Random, least_days: int, most_days: int) -> datetime:
        days = rng.uniform(least_days, most_days)
        return self.now - timedelta(days=days)

    def _next_serial(self, rng: random.Random) -> int:
        self._serial += rng.randint(1, 40)
        return self._serial

    def _make_users(self, rng: random.Random, account: _Account) -> None:
        integer_ids = account.index % 3 == 1  # as the older examples show
        for position in range(rng.randint(3, 8)):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            role = "admin" if position == 0 else rng.choice(("admin", "manager", "reporting"))
            companies = account.companies
            if role != "admin":
                companies = rng.sample(companies, rng.randint(1, len(companies)))
            account.users.append({
                "id": self._next_serial(rng) if integer_ids else masked_id(rng, "USR"),
                "email": f"{first}.{last}{position}@{account.domain}".lower(),
                "created_at": self._ago(rng, 30, 1500), "role": role,
                "first_name": first, "last_name": last, "name": f"{first} {last}",
                "accepted": position == 0 or rng.random() < 0.85,
                "companies": [{"id": c["id"], "name": c["name"]} for c in companies],
            })  # fmt: skip

    def _make_trackers(self, rng: random.Random, account: _Account) -> None:
        for position in range(rng.randint(3, 10)):
            company = account.companies[position % len(account.companies)]
            session = position == 0 or rng.random() < 0.2
            kind, source, source_object = rng.choice(TRACKER_KINDS)
            if session:  # a website's number pool: each visitor brings their own source
                kind, source, source_object = "Website Pool", "", SESSION_SOURCE_OBJECT
            area = phone(rng)[2:5]
            destination = phone(rng, area)
            disabled = company["status"] == "disabled" or rng.random() < 0.1
            numbers = [phone(rng, area) for _ in range(rng.randint(4, 8) if session else 1)]
            tracker = {
                "id": masked_id(rng, "TRK"), "name": f"{kind} - {company['name']}",
                "type": "session" if session else "source",
                "status": "disabled" if disabled else "active",
                "destination_number": destination, "tracking_numbers": numbers,
                "whisper_message": rng.choice((None, f"Call from {kind}")),
                "sms_enabled": rng.random() < 0.5, "sms_supported": True,
                "company": {"id": company["id"], "name": company["name"]},
                "call_flow": rng.choice(CALL_FLOWS) | {"destination_number": destination},
                "source": source_object,
                "message_flow": rng.choice((None, {"type": "forward", "number": destination})),
                "created_at": _utc_z(self._ago(rng, 740, 2000)),
                "disabled_at": _utc_z(self._ago(rng, 10, 200)) if disabled else None,
                "campaign_name": rng.choice(CAMPAIGNS) if source in ("Google Paid", "Bing Paid")
                                 else None,
                "swap_targets": [pretty_phone(destination)] if session else [],
            }  # fmt: skip
            account.trackers.append(tracker)
            if company["status"] == "active":
                account.call_trackers.append((tracker, source or None))

    def _make_settings(self, rng: random.Random, account: _Account) -> None:
        """Tags, notifications, caller ids and summary email subscriptions."""
        for name in TAG_NAMES[: rng.randint(5, len(TAG_NAMES))]:
            company = rng.choice((None, *account.companies))
            account.tags.append({
                "id": self._next_serial(rng), "name": name,
                "tag_level": "company" if company else "account",
                "color": rng.choice(("gray1", "blue1", "green1", "red1", "orange1")),
                "background_color": rng.choice(("gray1", "blue1", "green1")),
                "company_id": company["id"] if company else None,
                "status": "disabled" if rng.random() < 0.1 else "enabled",
                "created_at": self._ago(rng, 1, 700),
            })  # fmt: skip
        for _ in range(rng.randint(2, 5)):
            user = rng.choice(account.users)
            account.notifications.append({
                "id": self._next_serial(rng), "user_id": user["id"], "email": user["email"],
                "alert_type": rng.choice(("all", "first_call", "missed_and_vm", "vm_only")),
                "call_enabled": rng.random() < 0.8, "sms_enabled": rng.random() < 0.4,
                "company_id": rng.choice((None, account.companies[0]["id"])),
                "tracker_id": rng.choice((None, None, account.trackers[0]["id"])),
                "name": f"{user['name']} alerts",
                **{f"send_{way}": rng.random() < 0.5 for way in ("desktop", "email", "push")},
            })  # fmt: skip
        for company in account.companies:
            for label in rng.sample(("Front Desk", "Main Line", "Owner Cell"), rng.randint(1, 3)):
                verified, number = rng.random() < 0.7, phone(rng)
                account.caller_ids.append({
                    "id": self._next_serial(rng), "phone_number": number, "name": label,
                    "company_id": company["id"], "verified": verified,
                    "created_at": self._ago(rng, 1, 700),
                    "validation_code": None if verified else f"{rng.randint(0, 999999):06d}",
                })  # fmt: skip
                if verified:
                    company["verified_caller_ids"].append({"name": label, "phone_number": number})
        scopes = [{"id": account.id, "type": "Account", "name": account.name}] * rng.randint(1, 2)
        for company in account.companies:
            scope = {"id": company["id"], "type": "Company", "name": company["name"]}
            scopes += [scope] * rng.randint(0, 2)
        for scope in scopes:
            user = rng.choice(account.users)
            config = ("summary_statistics", "top_sources", "top_keywords", "call_log")
            account.summary_emails.append({
                "id": masked_id(rng, "CSS"), "scope": scope,
                "frequency": rng.choice((["daily"], ["weekly"], ["weekly", "monthly"])),
                "config": {name: rng.random() < 0.7 for name in config},
                "user": {"id": user["id"], "name": user["name"], "email": user["email"]},
                "email": user["email"],
                "filters": rng.choice((None, {"lead_status": "good_lead"})),
            })  # fmt: skip

    def _make_form(self, rng: random.Random, account: _Account, ms: int) -> Record:
        tracker, _ = rng.choice(account.call_trackers)
        source = rng.choice(SESSION_SOURCES)
        medium, referrer, paid = SOURCES[source]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        anonymous = rng.random() < 0.25
        name = None if anonymous and rng.random() < 0.5 else f"{first} {last}"
        email = f"{first}.{last}@example.com".lower()
        number = None if rng.random() < 0.3 else phone(rng)
        form_data = rng.choice((  # free-form: each site's form has its own fields
            {"name": name, "email": email, "phone": number, "message": rng.choice(TEXTS)},
            {"first_name": first, "last_name": last, "your-email": email, "services": ["Repair"]},
            {"email": email, "newsletter": "yes", "utm": {"source": referrer}},
        ))  # fmt: skip
        form_id, submitted = masked_id(rng, "FOR"), EPOCH + timedelta(milliseconds=ms)
        core = {
            "source": source, "medium": medium, "paid": paid, "web": True,
            "keywords": rng.choice(KEYWORDS) if paid else None,
            "campaign": rng.choice(CAMPAIGNS) if paid else None,
            "referrer_domain": referrer, "device_type": rng.choice(("desktop", "mobile")),
            "landing_page_url": f"https://www.{account.domain}{rng.choice(PAGES)}",
            "first_call": rng.random() < 0.6, "lead_status": rng.choice(LEAD_STATUSES),
        }  # fmt: skip
        return {
            "id": form_id, "company_id": tracker["company"]["id"],
            "person_id": "anonymous" if anonymous else masked_id(rng, "PER"),
            "form_data": form_data,
            "form_url": f"https://www.{account.domain}{rng.choice(('/contact', '/book-online'))}",
            "landing_page_url": core["landing_page_url"], "referrer": referrer or "direct",
            "referring_url": f"https://www.{referrer}/" if referrer else None,
            "submitted_at": _utc_z(submitted), "first_form": core["first_call"],
            "customer_phone_number": number, "customer_name": name, "customer_email": email,
            "formatted_customer_phone_number": pretty_phone(number) if number else None,
            "formatted_customer_name": name or email, "source": source,
            "keywords": core["keywords"], "campaign": core["campaign"], "medium": medium,
            "company_name": tracker["company"]["name"], "lead_status": core["lead_status"],
            "note": rng.choice((None, None, *NOTES)),
            "utm_source": (referrer or "").split(".")[0] or None, "utm_medium": medium,
            "utm_campaign": core["campaign"],
            "form_name": rng.choice(("Contact Us", "Book Online", "Free Estimate")),
            "timeline_url": f"https://app.callrail.com/a/{account.numeric_id}/timeline/{form_id}",
            "value": rng.choice((None, None, 100, 250)),
            "tags": [t["name"] for t in rng.sample(account.tags, rng.choice((0, 0, 1)))],
            "milestones": _milestones(rng, core, submitted),
        }  # fmt: skip

    def _make_conversation(self, rng: random.Random, account: _Account, ms: int) -> Record:
        tracker, source = rng.choice(account.call_trackers)
        siblings = [t for t, _ in account.call_trackers if t["company"] == tracker["company"]]
        current = rng.choice(siblings)
        company = next(c for c in account.companies if c["id"] == tracker["company"]["id"])
        while (short_id := "".join(rng.choices(string.ascii_letters, k=5))) in self._short_ids:
            pass
        self._short_ids.add(short_id)
        customer = phone(rng)
        name = None if rng.random() < 0.3 else full_name(rng)
        last = EPOCH + timedelta(milliseconds=ms)
        messages = []  # newest first, at most two
        for age in sorted(rng.sample(range(600), rng.randint(1, 2))):
            media = []
            if rng.random() < 0.1:
                media.append(f"https://app.callrail.com/mms/{rng.getrandbits(64):x}.jpg")
            messages.append({
                "direction": rng.choice(("incoming", "outgoing")), "content": rng.choice(TEXTS),
                "created_at": _utc_z(last - timedelta(minutes=age)),
                "type": "mms" if media else "sms", "media_urls": media,
            })  # fmt: skip
        initial, latest = tracker["tracking_numbers"][0], current["tracking_numbers"][0]
        stale = _ms(self.now) - ms > 90 * DAY_MS
        return {
            "id": short_id, "company_id": company["id"], "initial_tracker_id": tracker["id"],
            "current_tracker_id": current["id"], "customer_name": name,
            "customer_phone_number": customer, "initial_tracking_number": initial,
            "current_tracking_number": latest, "last_message_at": _utc_z(last),
            "state": "archived" if stale and rng.random() < 0.7 else "active",
            "company_time_zone": company["time_zone"],
            "formatted_customer_phone_number": pretty_phone(customer),
            "formatted_initial_tracking_number": pretty_phone(initial),
            "formatted_current_tracking_number": pretty_phone(latest),
            "formatted_customer_name": name or pretty_phone(customer), "recent_messages": messages,
            "lead_status": rng.choice(LEAD_STATUSES),
            "source": source or rng.choice(SESSION_SOURCES),
        }  # fmt: skip


# Values


def _ms(moment: datetime) -> int:
    """Milliseconds since the epoch, exactly (float timestamps can be off by one)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (moment - EPOCH) // MS


def _utc_z(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _compact(moment: datetime, zone: ZoneInfo) -> str:
    """The summary envelopes' form: an offset without a colon, `-0000` for UTC."""
    text = moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S%z")
    return text[:-5] + "-0000" if text.endswith("+0000") else text


def _render(value: Any, zone: ZoneInfo) -> Any:
    """Datetimes as CallRail's offset form in the request zone, with milliseconds."""
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat(timespec="milliseconds")
    if isinstance(value, dict):
        return {k: _render(v, zone) for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v, zone) for v in value]
    return value


def _duration_text(seconds: int) -> str:
    return f"{seconds // 60}m {seconds % 60}s"


def _milestones(rng: random.Random, core: Record, moment: datetime) -> Record:
    def touch(when: datetime) -> Record:
        paid = core["paid"]
        return {
            "event_date": when, "ad_position": rng.choice(("1t1", "1t2")) if paid else None,
            "campaign": core["campaign"], "device": core["device_type"],
            "keywords": core["keywords"], "landing": core["landing_page_url"],
            "landing_page_url_params": {"gclid": "Cj0KCQ"} if paid else {},
            "match_type": rng.choice(("e", "p", "b")) if paid else None,
            "medium": core["medium"], "referrer": core["referrer_domain"],
            "referrer_url_params": {},
            "session_browser": rng.choice(("Chrome", "Safari", "Edge")) if core["web"] else None,
            "url_utm_params": {"utm_medium": core["medium"]} if paid else {},
            "source": core["source"],
        }  # fmt: skip

    if not core["web"]:
        unknown = dict.fromkeys(("first_touch", "qualified", "last_touch"))
        return unknown | {"lead_created": touch(moment)}
    first = moment - timedelta(days=rng.randint(0, 30), minutes=rng.randint(1, 600))
    return {
        "first_touch": touch(first),
        "lead_created": touch(moment if core["first_call"] else first),
        "qualified": touch(moment) if core["lead_status"] == "good_lead" else None,
        "last_touch": touch(moment - timedelta(minutes=rng.randint(1, 30))),
    }


def _matches(record: Record, path: str, wanted: str) -> bool:
    """Whether the value at a dotted path (any item, through lists) reads as `wanted`."""
    values: list[Any] = [record]
    for part in [*path.split("."), ""]:
        values = [v for value in values for v in (value if isinstance(value, list) else [value])]
        if part:
            values = [value.get(part) if isinstance(value, dict) else None for value in values]
    return wanted in (str(v).lower() if isinstance(v, bool) else str(v) for v in values)


# Dates


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock(), zone)


def _months_before(day: date, months: int) -> date:
    """The same day `months` earlier (later when negative), clamped to the month's end."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    first = date(year, month + 1, 1)
    following = date(year + (month == 11), (month + 1) % 12 + 1, 1)
    return min(first + timedelta(days=day.day - 1), following - timedelta(days=1))


def _parse_bound(text: str, zone: ZoneInfo, *, end: bool) -> datetime:
    """A start_date or end_date; an end covers the whole last unit it names (day, minute, ...)."""
    text = text.strip()
    try:
        if len(text) == 10:
            start = _day_start(date.fromisoformat(text), zone)
            return start + timedelta(days=1) - MS if end else start
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text)
    except ValueError:
        raise ApiError(400, f"Invalid date: {text}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    time_part = _TIME_PART.search(text)
    if end and time_part and not time_part.group(3):
        # Through 14:00:59.999 for "14:00", through 14:00:00.999 for "14:00:00".
        parsed += timedelta(seconds=1 if time_part.group(2) else 60) - MS
    return parsed


def _named_range(name: str, today: date) -> tuple[date, date]:
    day = timedelta(days=1)
    month_start = today.replace(day=1)
    last_month_end = month_start - day
    ranges = {
        "recent": (today - 6 * day, today),
        "today": (today, today),
        "yesterday": (today - day, today - day),
        "last_7_days": (today - 7 * day, today - day),
        "last_30_days": (today - 30 * day, today - day),
        "this_month": (month_start, today),
        "last_month": (last_month_end.replace(day=1), last_month_end),
        "this_year": (today.replace(month=1, day=1), today),
        "last_year": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    }
    if name == "all_time":
        raise ApiError(400, RETENTION_ERROR)
    if name not in ranges:
        raise ApiError(400, f"Invalid date_range: {name}")
    return ranges[name]


def _periods(
    start: datetime, end: datetime, zone: ZoneInfo, interval: str
) -> list[tuple[str, int]]:
    """(label, start ms) of each period touching [start, end]; stops past MAX_POINTS."""
    periods: list[tuple[str, int]] = []
    local = start.astimezone(zone)
    if interval == "hour":
        # Step in UTC so that DST days have 23 or 25 hours, labelled in the request zone.
        cursor = local.replace(minute=0, second=0, microsecond=0).astimezone(timezone.utc)
        while cursor <= end and len(periods) <= MAX_POINTS:
            periods.append((_compact(cursor, zone), _ms(cursor)))
            cursor += timedelta(hours=1)
        return periods
    day = local.date()
    day = {
        "day": day,
        "week": day - timedelta(days=day.weekday()),  # weeks start on Monday
        "month": day.replace(day=1),
        "year": day.replace(month=1, day=1),
    }[interval]
    while (begin := _day_start(day, zone)) <= end and len(periods) <= MAX_POINTS:
        periods.append((day.isoformat(), _ms(begin)))
        steps = {"day": day + timedelta(days=1), "week": day + timedelta(days=7)}
        day = steps.get(interval) or _months_before(day, -1 if interval == "month" else -12)
    return periods


# Summaries and filters


def _envelope(start: datetime, end: datetime, zone: ZoneInfo) -> Record:
    return {
        "start_date": _compact(start, zone),
        "end_date": _compact(end, zone),
        "time_zone": zone.key,
    }


def _metric_names(request: Request) -> list[str]:
    # fields adds to the default total_calls; it never removes it.
    return list(dict.fromkeys(["total_calls", *_requested_fields(request, METRICS)]))


def _metrics(cores: Sequence[Record], names: Sequence[str]) -> Record:
    values: Record = {"total_calls": len(cores)}
    if set(names) - {"total_calls"}:
        average = round(sum(c["duration"] for c in cores) / len(cores)) if cores else 0
        values |= {
            "missed_calls": sum(not c["answered"] for c in cores),
            "answered_calls": sum(c["answered"] for c in cores),
            "first_time_callers": sum(c["first_call"] for c in cores),
            "average_duration": average,
            "formatted_average_duration": _duration_text(average),
            "leads": sum(c["lead_status"] == "good_lead" for c in cores),
        }
    return {name: values[name] for name in names}


def _call_filters(request: Request) -> list[Predicate]:
    """The equality filters of calls, summary and timeseries that the simulator honours."""
    tests: list[Predicate] = []
    for param, name in (
        ("company_id", "company_id"), ("tracker_id", "tracker_id"), ("direction", "direction"),
        ("device", "device_type"), ("agent", "agent_id"), ("lead_status", "lead_status"),
    ):  # fmt: skip
        value = request.param(param)
        if value and value != "all":
            tests.append(_equals(name, "None" if value == "not_scored" else value))
    return tests


def _equals(name: str, wanted: str) -> Predicate:
    return lambda core: str(core[name]) == wanted


# Paging, fields and sorting


def _per_page(request: Request) -> int:
    per_page = request.int_param("per_page", 100, minimum=1)
    if per_page > MAX_PER_PAGE:
        raise ApiError(400, "per_page must be less than or equal to 250")
    return per_page


def _page(
    request: Request, key: str, total: int, fetch: Callable[[int, int], list[Record]]
) -> Record:
    page, per_page = request.int_param("page", 1, minimum=1), _per_page(request)
    first = (page - 1) * per_page
    return {
        "page": page,
        "per_page": per_page,
        "total_pages": math.ceil(total / per_page),
        "total_records": total,
        key: fetch(first, min(first + per_page, total)) if first < total else [],
    }


def _requested_fields(
    request: Request, allowed: Sequence[str] | set[str] | frozenset[str]
) -> list[str]:
    names = [n.strip() for v in request.query.get("fields", []) for n in v.split(",") if n.strip()]
    for name in names:
        if name not in allowed:
            raise ApiError(400, f"Invalid field: {name}")
    return list(dict.fromkeys(names))


def _order(request: Request, sortable: dict[str, str]) -> tuple[str, bool] | None:
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
