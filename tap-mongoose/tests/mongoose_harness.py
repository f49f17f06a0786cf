"""The tests' Mongoose sandbox, one for the whole session, and ways to run the tap against it.

Nothing starts when this module is imported: conftest.py's session fixture starts the shared
sandbox with `shared_sandbox()`, and `tap_config` and `api_records` point at it meanwhile.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from tap_mongoose.tap import TapMongoose

from sandbox import taprun
from sandbox.mongoose import MongooseSandbox
from sandbox.taprun import SyncOutput

USERNAME = "tap-tests"
#: A key distinctive enough that finding it anywhere in output proves a leak.
API_KEY = "mgv2-5e1f0c9a-SECRET-77d2"
#: The key as an HTTP Basic header carries it.
BASIC_KEY = base64.b64encode(f"{USERNAME}:{API_KEY}".encode()).decode()
#: The shared sandbox while `shared_sandbox()` runs it.
_running: list[MongooseSandbox] = []


@contextmanager
def shared_sandbox() -> Iterator[MongooseSandbox]:
    """Run the sandbox the tests share; `tap_config` and `api_records` point at it meanwhile."""
    with MongooseSandbox(
        username=USERNAME, api_key=API_KEY, calls_per_day=30, rate_limit_per_minute=100_000, seed=11
    ) as running:
        _running.append(running)
        try:
            yield running
        finally:
            _running.remove(running)


def running_sandbox() -> MongooseSandbox:
    """The shared sandbox; only while conftest.py's session fixture runs it."""
    if not _running:
        raise RuntimeError("the shared sandbox runs only within the session fixture shared")
    return _running[-1]


def tap_config(**overrides: Any) -> dict[str, Any]:
    """Settings for the shared sandbox."""
    return {
        "username": USERNAME,
        "api_key": API_KEY,
        "api_url": running_sandbox().api_url,
        "start_date": "today-20",
        **overrides,
    }


def api_records(report: str, first: str, last: str) -> list[dict]:
    """Every record of one report, asked directly: the truth a test compares with."""
    records: list[dict] = []
    page, total_pages = 1, 1
    while page <= total_pages:
        params: dict[str, Any] = {"start_date": first, "end_date": last, "page": page}
        answer = requests.get(
            f"{running_sandbox().api_url}/{report}",
            params={**params, "per_page": 1000},
            auth=(USERNAME, API_KEY),
            timeout=10,
        )
        answer.raise_for_status()
        body = answer.json()
        records += body["records"]
        page, total_pages = page + 1, body["total_pages"]
    return records


def sync(config: dict, state: dict | None = None, select: set[str] | None = None) -> SyncOutput:
    """Run the tap in this process, as `tap-mongoose --config … --state …` would."""
    return taprun.sync(TapMongoose, config, state, select)


def run_cli(
    tmp_path: Path, config: dict, state: dict | None = None, select: set[str] | None = None
) -> SyncOutput:
    """Run the installed `tap-mongoose` command in a child process, with debug logging."""
    return taprun.run_command("tap-mongoose", tmp_path, config, state, select=select)
