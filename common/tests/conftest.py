"""A sandbox of each tap's API, started once for the common tests that hold for every tap."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest

from sandbox.callrail import CallRailSandbox
from sandbox.incontact import InContactSandbox
from sandbox.leadexec import LeadExecSandbox
from sandbox.mongoose import MongooseSandbox

#: A key distinctive enough that finding it anywhere in output proves a leak.
KEY = "sbx-common-4d2e-SECRET"


@dataclass(frozen=True)
class TapSandbox:
    """One tap's sandbox, the settings that read it, and the tap's kinds of streams."""

    tap: str
    sandbox: Any
    settings: dict[str, Any]
    #: Streams without dates: they sync without start_date.
    dimensions: frozenset[str]
    #: One stream that reads by date.
    dated: str

    def config(self, **overrides: Any) -> dict[str, Any]:
        return {**self.settings, **overrides}


@pytest.fixture(scope="session")
def tap_sandboxes() -> Iterator[dict[str, TapSandbox]]:
    with ExitStack() as running:
        callrail = running.enter_context(CallRailSandbox(api_keys=(KEY,), calls_per_account=300))
        incontact = running.enter_context(InContactSandbox(password=KEY, contacts_per_day=40))
        leadexec = running.enter_context(LeadExecSandbox(api_keys=(KEY,)))
        mongoose = running.enter_context(
            MongooseSandbox(api_key=KEY, rate_limit_per_minute=100_000)
        )
        yield {
            "tap-callrail": TapSandbox(
                "tap-callrail",
                callrail,
                {
                    "api_key": KEY,
                    "api_url": callrail.api_url,
                    "start_date": "today-30",
                    "max_requests_per_hour": 100_000,
                },
                frozenset({"accounts", "companies", "users", "tags", "trackers"}),
                "calls",
            ),
            "tap-incontact": TapSandbox(
                "tap-incontact",
                incontact,
                {
                    "auth_method": "password",
                    "application_name": incontact.application_name,
                    "vendor_name": incontact.vendor_name,
                    "business_unit": incontact.business_unit,
                    "username": incontact.username,
                    "password": KEY,
                    "auth_url": incontact.auth_url,
                    "start_date": "today-3",
                },
                frozenset({"agents", "teams", "skills", "campaigns"}),
                "contacts",
            ),
            "tap-clickpoint": TapSandbox(
                "tap-clickpoint",
                leadexec,
                {
                    "api_key": KEY,
                    "api_url": leadexec.api_url,
                    "lead_type_ids": leadexec.lead_type_ids,
                    "start_date": "today-30",
                },
                frozenset(),
                "leads",
            ),
            "tap-mongoose": TapSandbox(
                "tap-mongoose",
                mongoose,
                {
                    "username": mongoose.username,
                    "api_key": KEY,
                    "api_url": mongoose.api_url,
                    "start_date": "today-20",
                },
                frozenset(),
                "fulfilled",
            ),
        }
