"""The LeadExec simulator's front door: `POST /` with a form body (or `GET /` with the same query
string) answers the leads of one lead type (`lid`) added in a window, with the hooks tests use
to add, change and deliver leads while a tap reads.

Traps reproduced: the API key is a parameter, not a header, so a GET puts it in the URL; a
bad key answers 401 and an unknown lead type 400, in the format the request asked for;
`json_on_request = False` answers XML whatever the `Accept` header says.
"""

from __future__ import annotations

import bisect
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from typing import Any

from sandbox.core.http import ApiError, Request, Response
from sandbox.core.server import SandboxServer
from sandbox.leadexec import formats
from sandbox.leadexec.assumed import BAD_KEY_STATUS, BAD_REQUEST_STATUS
from sandbox.leadexec.lead_types import LEAD_TYPES, LeadType, resolve_lead_types
from sandbox.leadexec.paging import page
from sandbox.leadexec.params import read_params, read_search
from sandbox.leadexec.world import (
    BUYERS,
    FIRST_UID,
    HISTORY_DAYS,
    LATE_VISIBILITY_SECONDS,
    Leads,
    Record,
    buyer_reference,
    generate,
    make_lead,
    to_source,
)


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
        self._types = {spec.lid: Leads(spec) for spec in resolve_lead_types(lead_types)}
        self._next_uid = generate(
            self._types,
            seed=seed,
            now=self.now,
            leads_per_day=leads_per_day,
            history_days=history_days,
            first_uid=FIRST_UID,
        )

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
        added = to_source(date_added)
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
                "LastUpdated": to_source(datetime.now(timezone.utc)).replace(microsecond=0),
                **fields,
            }

    def add_send(self, lid: int, uid: int, *, client: int = 0, status: str = "Accepted") -> Record:
        """Deliver a lead to a buyer later, as LeadExec attaches sends after the lead arrives."""
        kind = self._types[lid]
        client_uid, client_name = BUYERS[client % len(BUYERS)]
        with self._lock:
            sends = kind.late_sends.setdefault(uid, [])
            send_uid = uid * 100 + 50 + len(sends)
            send = {
                "SendUID": send_uid,
                "ClientUID": client_uid,
                "ClientName": client_name,
                "DateSent": to_source(datetime.now(timezone.utc)).replace(microsecond=0),
                "Price": 31.5,
                "Status": status,
                "BuyerReference": buyer_reference(client_uid, send_uid),
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
            return self._make(kind, uid, added)

    def leads(self, lid: int, start: datetime | None = None, end: datetime | None = None) -> list:
        """Every visible lead of a lead type added in [start, end), oldest first."""
        kind = self._types[lid]
        with self._lock:
            keys = kind.visible(
                to_source(start) if start else None, to_source(end) if end else None
            )
            return [self._make(kind, uid, added) for added, uid in keys]

    # Dispatch

    def handle(self, request: Request) -> Response:
        wants_json = self.json_on_request and "application/json" in (request.header("Accept") or "")
        params: dict[str, str] = {}
        try:
            if request.path not in ("", "/"):
                raise ApiError(404, "Not Found")
            if request.method not in ("GET", "POST"):
                raise ApiError(405, "Method Not Allowed")
            params = read_params(request)
            response = self._answer(params, wants_json)
        except ApiError as failure:
            response = formats.error(failure.status, failure.message, wants_json)
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
        search = read_search(params)
        with self._lock:
            keys = kind.visible(search.start, search.end)
            total, leads = page(keys, search, partial(self._make, kind))
        if search.fields:
            leads = [
                {k: v for k, v in r.items() if k in search.fields or k == "UID"} for r in leads
            ]
        return formats.answer(total, search.take, leads, wants_json)

    def _make(self, kind: Leads, uid: int, added: datetime) -> Record:
        return make_lead(kind, uid, added, seed=self.seed, now=self.now)


def _projected(lead: Record, fields: list[str]) -> Record:
    """The `fields` a request asked for; UID comes along whether asked for or not."""
    return {k: v for k, v in lead.items() if k in fields or k == "UID"}
