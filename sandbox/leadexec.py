"""A local ClickPoint LeadExec legacy Data Interface that behaves as shared/api/clickpoint.md says.

`POST /` with a form body (or `GET /` with the same query string) answers the leads of one
lead type (`lid`) added in a window, paged with skip/take: XML by default, JSON when the
request has `Accept: application/json`, with the casing and value differences of the real
formats. Each lead type has fields of its own, some empty, one of them mostly numbers but
sometimes "N/A". Dates are naive Pacific wall-clock times, as LeadExec stores them.

Leads are cheap in memory: a lead type keeps its sorted (DateAdded, UID) pairs; every other
field comes from a random generator seeded by the lead's UID, when a page needs it.
"""

from __future__ import annotations

import bisect
import json
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

from sandbox.core.fake import CITIES, FIRST_NAMES, LAST_NAMES
from sandbox.core.http import ApiError, Request, Response
from sandbox.core.server import SandboxServer

Record = dict[str, Any]

# Assumed ---------------------------------------------------------------------------------
# Everything shared/api/clickpoint.md marks **Assumed** is decided here, and only here.

#: Filter bounds and returned dates are America/Los_Angeles wall-clock time, DST-aware.
SOURCE_ZONE = ZoneInfo("America/Los_Angeles")
#: Larger `take` values are clamped to this.
MAX_TAKE = 1000
#: `SortOrder` when the request names none.
DEFAULT_SORT_ORDER = "ASC"
#: The window filters on DateAdded: StartDate inclusive, EndDate exclusive; a date-only
#: bound is midnight at the start of that day.
WINDOW_FIELD = "DateAdded"
#: JSON envelope keys besides the documented QueryTotal and Leads; `SentCount` is the
#: number of leads in this answer, `TakeCount` the requested take.
JSON_TAKE_COUNT, JSON_SENT_COUNT = "TakeCount", "SentCount"
#: A lead's sends: XML `<Sends><Send>…</Send></Sends>`, JSON `"Sends": [...]`.
SENDS_KEY, SEND_ELEMENT = "Sends", "Send"
#: JSON timestamps are naive ISO 8601 (XML's are `1/5/2014 10:50:54 AM`).
JSON_TIMESTAMP = "%Y-%m-%dT%H:%M:%S"
#: Errors: a bad or missing key is 401; an unknown lid or an unparseable date is 400; the
#: body is `<Error>message</Error>` (XML) or `{"Error": "message"}` (JSON).
BAD_KEY_STATUS, BAD_REQUEST_STATUS, ERROR_KEY = 401, 400, "Error"
# -----------------------------------------------------------------------------------------

#: How long a lead added with `add_lead` stays invisible to queries by default: LeadExec
#: clients poll 10-12 times, 1.5-2 s apart, before a new lead shows.
LATE_VISIBILITY_SECONDS = 3.0
HISTORY_DAYS = 90
FIRST_UID = 22_000_000
DATE_FORMATS = (
    "%m/%d/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p",
    "%m-%d-%Y", "%m-%d-%Y %H:%M:%S", "%m-%d-%Y %H:%M",
    "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
)  # fmt: skip

LEAD_SOURCES = ("Bills wholesale leads", "SunPower Affiliates", "QuoteWizard", "Web Form", "Import")
CAMPAIGNS = ("Default MLM", "Spring Refi", "Summer Solar", "Auto Q3", "Retargeting")
BUYERS = ((501, "Acme Lending"), (502, "Bluebird Insurance"), (503, "Sunny Day Solar"),
          (504, "Keystone Mortgage"), (505, "Lakeside Agency"))  # fmt: skip
SEND_STATUSES = ("Accepted", "Accepted", "Accepted", "Rejected", "Pending", "Returned")
STATES = ("GA", "TX", "CO", "IL", "AZ", "MA", "NJ", "CA")
ZIPS = ("30303", "78701", "80202", "60601", "85004", "02134", "07030", "94107")
MAKES = ("Toyota", "Ford", "Honda", "Tesla")
MODELS = ("Camry", "F-150", "Civic", "RAV4", "Escape", "Model 3")
INSURERS = ("GEICO", "Progressive", "State Farm", "Allstate")
ROOFS = ("Asphalt Shingle", "Metal", "Tile", "Flat")
UTILITIES = ("Georgia Power", "Austin Energy", "Xcel Energy", "ComEd", "APS")
SUB_CATEGORIES = ("Refinance", "Purchase", "Home Equity", "Reverse Mortgage")


Generator = Callable[[random.Random, datetime], Any]


@dataclass(frozen=True)
class LeadType:
    """A lead vertical: its id (the `lid`), name and the fields its leads carry."""

    lid: int
    name: str
    #: Field name -> value from (the lead's generator, its DateAdded as naive Pacific time).
    fields: tuple[tuple[str, Generator], ...]


def _name(rng: random.Random, _: datetime) -> str:
    return rng.choice(FIRST_NAMES)


def _surname(rng: random.Random, _: datetime) -> str:
    return rng.choice(LAST_NAMES)


def _email(rng: random.Random, _: datetime) -> str | None:
    if rng.random() < 0.05:
        return None
    return f"{rng.choice(FIRST_NAMES).lower()}.{rng.randint(10, 9999)}@example.com"


def _phone(rng: random.Random, _: datetime) -> str:
    return (
        f"({rng.choice(CITIES)[3] if rng.random() < 0.5 else '404'}) 555-{rng.randint(0, 9999):04d}"
    )


def _sometimes(value: Any, chance: float, rng: random.Random, empty: Any = None) -> Any:
    """`value`, or `empty` with probability `chance`."""
    return empty if rng.random() < chance else value


def _consent(rng: random.Random, added: datetime) -> datetime:
    return added - timedelta(seconds=rng.randint(5, 600))


MORTGAGE = LeadType(
    1841,
    "Mortgage",
    (
        ("FirstName", _name),
        ("LastName", _surname),
        ("Email", _email),
        ("Phone", _phone),
        ("LoanAmount", lambda rng, _: round(rng.randint(60_000, 900_000) + rng.random(), 2)),
        ("CreditScore", lambda rng, _: _sometimes(rng.randint(520, 840), 0.12, rng)),
        ("IsVeteran", lambda rng, _: rng.random() < 0.15),
        ("PropertyState", lambda rng, _: rng.choice(STATES)),
        # Some ZIP codes start with 0: the field must stay a string.
        ("PropertyZip", lambda rng, _: rng.choice(ZIPS)),
        ("IndustrySub-Category", lambda rng, _: rng.choice(SUB_CATEGORIES)),
        ("ConsentDate", _consent),
    ),
)
AUTO_INSURANCE = LeadType(
    2207,
    "Auto Insurance",
    (
        ("FirstName", _name),
        ("LastName", _surname),
        ("Email", _email),
        ("VehicleYear", lambda rng, _: rng.randint(2004, 2026)),
        ("Make", lambda rng, _: rng.choice(MAKES)),
        ("Model", lambda rng, _: rng.choice(MODELS)),
        ("HasAccidents", lambda rng, _: rng.random() < 0.2),
        ("CurrentInsurer", lambda rng, _: _sometimes(rng.choice(INSURERS), 0.2, rng, "")),
        ("MonthlyPremium", lambda rng, _: _sometimes(round(rng.uniform(60, 400), 2), 0.1, rng)),
        ("Drivers", lambda rng, _: rng.randint(1, 4)),
    ),
)
SOLAR = LeadType(
    3115,
    "Solar",
    (
        ("FirstName", _name),
        ("LastName", _surname),
        ("Email", _email),
        ("MonthlyBill", lambda rng, _: round(rng.uniform(40, 600), 2)),
        ("RoofType", lambda rng, _: rng.choice(ROOFS)),
        ("HomeOwner", lambda rng, _: rng.random() < 0.9),
        ("Utility", lambda rng, _: rng.choice(UTILITIES)),
        # Mostly numbers, sometimes "N/A": the values do not agree on a type.
        ("AnnualUsageKwh", lambda rng, _: _sometimes(rng.randint(3000, 25000), 0.1, rng, "N/A")),
        ("RoofAgeYears", lambda rng, _: _sometimes(rng.randint(0, 40), 0.15, rng)),
    ),
)
LEAD_TYPES = (MORTGAGE, AUTO_INSURANCE, SOLAR)


def _lead_types(wanted: int | Sequence[LeadType | int]) -> list[LeadType]:
    """Lead types from specs, from lids (known ones, else the catalogue's fields in turn under
    that lid) or from a count (the catalogue's first, then copies under new lids)."""
    if isinstance(wanted, int):
        wanted = [spec.lid for spec in LEAD_TYPES[:wanted]] + [
            9000 + n for n in range(max(0, wanted - len(LEAD_TYPES)))
        ]
    known = {spec.lid: spec for spec in LEAD_TYPES}
    chosen = []
    for index, item in enumerate(wanted):
        if isinstance(item, LeadType):
            chosen.append(item)
        elif item in known:
            chosen.append(known[item])
        else:
            template = LEAD_TYPES[index % len(LEAD_TYPES)]
            chosen.append(LeadType(int(item), f"{template.name} {item}", template.fields))
    return chosen


@dataclass(frozen=True)
class Query:
    """One request the handler answered (faults never get this far), as the server read it."""

    method: str
    #: Path and query string as the client sent them.
    target: str
    #: Query string and form body together; names lower-cased as LeadExec treats them.
    params: dict[str, str]
    accept: str
    status: int


@dataclass
class _Type:
    """One lead type's leads: sorted (DateAdded as naive Pacific time, UID) keys."""

    spec: LeadType
    keys: list[tuple[datetime, int]] = field(default_factory=list)
    #: UID -> fields that replace the generated ones (late changes, added leads).
    overrides: dict[int, Record] = field(default_factory=dict)
    #: UID -> extra sends attached after the lead arrived.
    late_sends: dict[int, list[Record]] = field(default_factory=dict)
    #: UID -> time.monotonic() from which the lead is visible to queries.
    visible_at: dict[int, float] = field(default_factory=dict)


class LeadExecSandbox(SandboxServer):
    """LeadExec's legacy Data Interface at `api_url`, with generated leads per lead type."""

    def __init__(
        self,
        *,
        api_keys: Sequence[str] = ("sandbox-key",),
        lead_types: int | Sequence[LeadType | int] = LEAD_TYPES,
        leads_per_day: int = 40,
        history_days: int = HISTORY_DAYS,
        seed: int = 7,
        port: int = 0,
        now: datetime | None = None,
    ) -> None:
        super().__init__(port=port)
        self.api_keys = tuple(api_keys)
        self.seed = seed
        now = now or datetime.now(timezone.utc)
        self.now = (now if now.tzinfo else now.replace(tzinfo=timezone.utc)).replace(microsecond=0)
        #: False answers XML whatever the request's Accept header says.
        self.json_on_request = True
        self._lock = threading.Lock()
        self._queries: list[Query] = []
        self._next_uid = FIRST_UID
        self._types = {spec.lid: _Type(spec) for spec in _lead_types(lead_types)}
        self._generate(leads_per_day, history_days)

    # Public interface for tests

    @property
    def api_url(self) -> str:
        return self.url + "/"

    @property
    def lead_type_ids(self) -> list[int]:
        return list(self._types)

    @property
    def queries(self) -> list[Query]:
        """The parameters of every answered request since the log was last cleared."""
        with self._lock:
            return list(self._queries)

    def clear_log(self) -> None:
        super().clear_log()
        with self._lock:
            self._queries.clear()

    def env(self) -> dict[str, str]:
        return {
            "CLICKPOINT_SANDBOX_URL": self.api_url,
            "CLICKPOINT_SANDBOX_API_KEY": self.api_keys[0],
            "CLICKPOINT_SANDBOX_LEAD_TYPE_IDS": json.dumps(
                self.lead_type_ids, separators=(",", ":")
            ),
        }

    def add_lead(
        self,
        lid: int,
        date_added: datetime,
        *,
        visible_after: float = LATE_VISIBILITY_SECONDS,
        **fields: Any,
    ) -> int:
        """Insert a lead; it answers queries only `visible_after` seconds from now.

        `date_added` is an instant (aware) or a naive Pacific wall-clock time.
        """
        kind = self._types[lid]
        added = _to_source(date_added)
        with self._lock:
            uid = self._next_uid
            self._next_uid += 1
            kind.overrides[uid] = {"LastUpdated": added, **fields}
            bisect.insort(kind.keys, (added, uid))
            if visible_after > 0:
                kind.visible_at[uid] = time.monotonic() + visible_after
        return uid

    def update_lead(self, lid: int, uid: int, **fields: Any) -> None:
        """Change fields of a lead after the fact; LastUpdated moves to now."""
        kind = self._types[lid]
        with self._lock:
            kind.overrides[uid] = {
                **kind.overrides.get(uid, {}),
                "LastUpdated": _to_source(datetime.now(timezone.utc)).replace(microsecond=0),
                **fields,
            }

    def add_send(self, lid: int, uid: int, *, client: int = 0, status: str = "Accepted") -> Record:
        """Deliver a lead to a buyer later, as LeadExec attaches sends after the lead arrives."""
        kind = self._types[lid]
        client_uid, client_name = BUYERS[client % len(BUYERS)]
        with self._lock:
            sends = kind.late_sends.setdefault(uid, [])
            send = {
                "SendUID": uid * 100 + 50 + len(sends),
                "ClientUID": client_uid,
                "ClientName": client_name,
                "DateSent": _to_source(datetime.now(timezone.utc)).replace(microsecond=0),
                "Price": 31.5,
                "Status": status,
            }
            sends.append(send)
            kind.overrides[uid] = {
                **kind.overrides.get(uid, {}),
                "LastUpdated": send["DateSent"],
            }
        return send

    def delete_lead(self, lid: int, uid: int) -> None:
        kind = self._types[lid]
        with self._lock:
            kind.keys = [key for key in kind.keys if key[1] != uid]
            kind.overrides.pop(uid, None)
            kind.late_sends.pop(uid, None)
            kind.visible_at.pop(uid, None)

    def lead(self, lid: int, uid: int) -> Record:
        """One lead as the simulator holds it: typed values, DateAdded naive Pacific."""
        kind = self._types[lid]
        with self._lock:
            added = next(key[0] for key in kind.keys if key[1] == uid)
            return self._record(kind, uid, added)

    def leads(self, lid: int, start: datetime | None = None, end: datetime | None = None) -> list:
        """Every visible lead of a lead type added in [start, end), oldest first."""
        kind = self._types[lid]
        with self._lock:
            keys = self._window_keys(
                kind, _to_source(start) if start else None, _to_source(end) if end else None
            )
            return [self._record(kind, uid, added) for added, uid in keys]

    # Dispatch

    def handle(self, request: Request) -> Response:
        wants_json = self.json_on_request and "application/json" in (request.header("Accept") or "")
        params: dict[str, str] = {}
        try:
            if request.path not in ("", "/"):
                raise ApiError(404, "Not Found")
            if request.method not in ("GET", "POST"):
                raise ApiError(405, "Method Not Allowed")
            params = _params(request)
            response = self._answer(params, wants_json)
        except ApiError as error:
            response = _error(error.status, error.message, wants_json)
        query = Query(
            request.method, request.target, params, request.header("Accept") or "", response.status
        )
        with self._lock:
            self._queries.append(query)
        return response

    def _answer(self, params: dict[str, str], wants_json: bool) -> Response:
        if params.get("key") not in self.api_keys:
            raise ApiError(BAD_KEY_STATUS, "Invalid API key")
        lid_text = params.get("lid", "")
        kind = self._types.get(int(lid_text)) if lid_text.isdigit() else None
        if kind is None:
            raise ApiError(BAD_REQUEST_STATUS, f"Unknown lead type: {lid_text or '(none)'}")
        start = _parse_date(params, "startdate")
        end = _parse_date(params, "enddate")
        skip = _count(params, "skip", 0)
        take = min(_count(params, "take", MAX_TAKE), MAX_TAKE)
        order = params.get("sortorder", DEFAULT_SORT_ORDER).upper()
        if order not in ("ASC", "DESC"):
            raise ApiError(BAD_REQUEST_STATUS, f"Invalid SortOrder: {order}")
        sort_fields = [f for f in params.get("sortfields", WINDOW_FIELD).split("|") if f]
        query = _query(params.get("query"))
        wanted = [f for f in params.get("fields", "").split("|") if f]
        with self._lock:
            keys = self._window_keys(kind, start, end)
            if sort_fields == [WINDOW_FIELD] and not query:
                ordered = keys[::-1] if order == "DESC" else keys
                total = len(ordered)
                page = [
                    self._record(kind, uid, added) for added, uid in ordered[skip : skip + take]
                ]
            else:
                records = [self._record(kind, uid, added) for added, uid in keys]
                records = [r for r in records if all(test(r) for test in query)]
                records.sort(key=lambda r: _sort_key(r, sort_fields), reverse=order == "DESC")
                total = len(records)
                page = records[skip : skip + take]
        if wanted:
            page = [{k: v for k, v in r.items() if k in wanted or k == "UID"} for r in page]
        if wants_json:
            return Response(json=_json_envelope(total, take, page))
        return Response(body=_xml_envelope(total, take, page), content_type=XML_CONTENT_TYPE)

    # Leads

    def _window_keys(
        self, kind: _Type, start: datetime | None, end: datetime | None
    ) -> list[tuple[datetime, int]]:
        first = 0 if start is None else bisect.bisect_left(kind.keys, (start, 0))
        stop = len(kind.keys) if end is None else bisect.bisect_left(kind.keys, (end, 0))
        keys = kind.keys[first:stop]
        if kind.visible_at:
            clock = time.monotonic()
            keys = [k for k in keys if kind.visible_at.get(k[1], 0.0) <= clock]
        return keys

    def _generate(self, leads_per_day: int, history_days: int) -> None:
        """Leads at random instants over the history, numbered in the order they arrived."""
        span = history_days * 86_400
        arrivals: list[tuple[float, int]] = []
        for lid in self._types:
            rng = random.Random(f"{self.seed}:{lid}")
            arrivals += [(rng.uniform(0, span), lid) for _ in range(leads_per_day * history_days)]
        start = self.now - timedelta(seconds=span)
        for offset, lid in sorted(arrivals):
            moment = start + timedelta(seconds=int(offset))
            self._types[lid].keys.append((_to_source(moment), self._next_uid))
            self._next_uid += 1
        for kind in self._types.values():
            kind.keys.sort()

    def _record(self, kind: _Type, uid: int, added: datetime) -> Record:
        rng = random.Random(self.seed * 1_000_003 + uid)
        latest = _to_source(self.now)
        record: Record = {
            "UID": uid,
            "LeadSource": rng.choice(LEAD_SOURCES),
            WINDOW_FIELD: added,
            "LastUpdated": min(added + timedelta(minutes=rng.randint(0, 720)), latest),
            "FileUID": 0 if rng.random() < 0.7 else rng.randint(4000, 4999),
            "Campaign": rng.choice(CAMPAIGNS),
            "IsValid": rng.random() > 0.08,
            "MaxSell": rng.choice((1, 3, 5, 10)),
            "Price": round(rng.uniform(5, 60), 2),
        }
        for name, make in kind.spec.fields:
            record[name] = make(rng, added)
        sends = []
        for number in range(min(rng.choice((0, 1, 1, 2, 3)), record["MaxSell"])):
            client_uid, client_name = rng.choice(BUYERS)
            sent = added + timedelta(seconds=rng.randint(1, 900))
            if sent <= latest:
                sends.append(
                    {
                        "SendUID": uid * 100 + number,
                        "ClientUID": client_uid,
                        "ClientName": client_name,
                        "DateSent": sent,
                        "Price": round(rng.uniform(5, 40), 2),
                        "Status": rng.choice(SEND_STATUSES),
                    }
                )
        record.update(kind.overrides.get(uid, {}))
        record[SENDS_KEY] = sends + kind.late_sends.get(uid, [])
        return record


# Request parameters


def _params(request: Request) -> dict[str, str]:
    """The request's parameters, query string and form body together, names lower-cased."""
    pairs = dict(request.query)
    if request.body:
        try:
            pairs.update(parse_qs(request.body.decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            raise ApiError(BAD_REQUEST_STATUS, "Unreadable form body") from None
    return {name.lower(): values[0] for name, values in pairs.items() if values}


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


def _query(text: str | None) -> list[Callable[[Record], bool]]:
    """A Mongo-style filter: `{"Field": value}` or `{"Field": {"$gte": a, "$lte": b}}`."""
    if not text:
        return []
    try:
        spec = json.loads(text)
    except ValueError:
        raise ApiError(BAD_REQUEST_STATUS, "Invalid query") from None
    if not isinstance(spec, dict):
        raise ApiError(BAD_REQUEST_STATUS, "Invalid query")
    tests: list[Callable[[Record], bool]] = []
    for name, wanted in spec.items():
        conditions = wanted if isinstance(wanted, dict) else {"$eq": wanted}
        for operator, operand in conditions.items():
            if operator not in _OPERATORS:
                raise ApiError(BAD_REQUEST_STATUS, f"Invalid query operator: {operator}")
            tests.append(_condition(name, _OPERATORS[operator], operand))
    return tests


def _condition(name: str, compare: Callable[[Any, Any], bool], operand: Any) -> Callable:
    def test(record: Record) -> bool:
        try:
            return record.get(name) is not None and compare(record[name], operand)
        except TypeError:
            return False

    return test


def _sort_key(record: Record, names: list[str]) -> tuple:
    """Nulls last; numbers by value, everything else by its text."""
    key: list[tuple] = []
    for name in names:
        value = record.get(name)
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        key.append((value is None, not numeric, value if numeric else str(value)))
    return (*key, record["UID"])


# Answers

XML_CONTENT_TYPE = "text/xml; charset=utf-8"


def _to_source(moment: datetime) -> datetime:
    """An instant as LeadExec stores it: naive Pacific wall-clock time; naive stays as is."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(SOURCE_ZONE).replace(tzinfo=None)


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


def _json_envelope(total: int, take: int, leads: list[Record]) -> Record:
    rendered = []
    for lead in leads:
        item = {name: _json_value(value) for name, value in lead.items()}
        if lead["UID"] % 4 == 0:
            item["UID"] = str(lead["UID"])  # seen in production: UID sometimes a string
        rendered.append(item)
    if not total:
        return {"QueryTotal": 0, "Leads": []}
    return {
        "QueryTotal": total,
        JSON_TAKE_COUNT: take,
        JSON_SENT_COUNT: len(leads),
        "Leads": rendered,
    }


def _error(status: int, message: str, wants_json: bool) -> Response:
    if wants_json:
        return Response(status=status, json={ERROR_KEY: message})
    element = ET.Element(ERROR_KEY)
    element.text = message
    return Response(status=status, body=ET.tostring(element), content_type=XML_CONTENT_TYPE)
