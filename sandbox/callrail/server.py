"""The CallRail simulator's front door: API keys, methods, the hourly rate limit, and routing
to the endpoint families, plus the hooks tests use to change calls after the fact.

Traps reproduced: both `Token token="KEY"` and the unquoted `Token token=KEY` are accepted,
anything else is 401; parameters anywhere but the query string are 406; an account is
addressed by its masked `ACC…` id or its numeric id; over 1,000 requests an hour per account
(per key for `/a.json`) every endpoint answers 429 until the window clears.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from functools import partial
from typing import Any

from sandbox.callrail import calls, summaries
from sandbox.callrail.call_records import CALL_FIELDS, CallFactory
from sandbox.callrail.dates import epoch_ms
from sandbox.callrail.generate import AccountBuilder
from sandbox.callrail.listings import ACCOUNTS, LISTINGS, Listing, list_page
from sandbox.callrail.world import Account, Record
from sandbox.core.http import ApiError, Request, Response
from sandbox.core.ratelimit import RateLimiter
from sandbox.core.router import Router
from sandbox.core.server import SandboxServer

_TOKEN = re.compile(r'^\s*Token\s+token="?([^"\s]+)"?\s*$')


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
        self._call_factory = CallFactory(seed)
        builder = AccountBuilder(seed, self.now)
        self._accounts = [
            builder.account(i, max(1, companies_per_account), calls_per_account)
            for i in range(accounts)
        ]
        self._account_records = [a.record for a in self._accounts]
        # Every call has the same fields, so one call tells which names `fields` may ask for.
        sample = self._call_factory.record(self._accounts[0], 0, 0) if self._accounts else {}
        self._call_fields = frozenset(sample) | set(CALL_FIELDS)
        self._by_path_id = {a.id: a for a in self._accounts}
        self._by_path_id.update((str(a.numeric_id), a) for a in self._accounts)
        self._routes: Router[Callable[[Request, Account], Record]] = Router()
        for path, listing in LISTINGS.items():
            self._routes.add(f"/v3/a/{{account_id}}/{path}", partial(self._list, listing))
        self._routes.add("/v3/a/{account_id}/calls.json", self._calls_page)
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
                account.remove_call(key)
                account.insert_call(key, epoch_ms(start))

    def add_call(self, account_id: str, start_time: datetime, **fields: Any) -> str:
        """Add a late-arriving call; returns its id."""
        account = self._by_path_id[account_id]
        with self._lock:
            key = account.next_key
            account.next_key += 1
            account.overrides[key] = dict(fields)
            account.insert_call(key, epoch_ms(start_time))
        return self._call_factory.call_id(account, key)

    def delete_call(self, call_id: str) -> None:
        account, key = self._locate(call_id)
        with self._lock:
            account.remove_call(key)
            account.overrides.pop(key, None)

    def _locate(self, call_id: str) -> tuple[Account, int]:
        index, key = self._call_factory.decode(call_id)
        if index >= len(self._accounts) or key not in self._accounts[index].calls[1]:
            raise KeyError(call_id)
        return self._accounts[index], key

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
            return Response(
                json=list_page(request, ACCOUNTS, self._account_records, None, self.now)
            )
        handler, params = route
        account = self._by_path_id.get(params["account_id"])
        if account is None:
            raise ApiError(404, "Not Found")
        self._spend(account.id)
        return Response(json=handler(request, account))

    def _spend(self, bucket: str) -> None:
        if not self.rate_limiter.allow(bucket):
            raise ApiError(429, "Rate limit exceeded")

    # Endpoints

    def _list(self, listing: Listing, request: Request, account: Account) -> Record:
        return list_page(request, listing, account.listed(listing.key), account, self.now)

    def _calls_page(self, request: Request, account: Account) -> Record:
        return calls.calls_page(
            request,
            account,
            factory=self._call_factory,
            nameable=self._call_fields,
            now=self.now,
            base_url=self.url,
        )

    def _summary(self, request: Request, account: Account) -> Record:
        return summaries.summary(request, account, factory=self._call_factory, now=self.now)

    def _timeseries(self, request: Request, account: Account) -> Record:
        return summaries.timeseries(request, account, factory=self._call_factory, now=self.now)
