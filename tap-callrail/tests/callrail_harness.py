"""The tests' CallRail sandbox, one for the whole session, and ways to run the tap against it.

Nothing starts at import: the sandbox's port is only reserved here, so that settings can name
`API_URL` while tests are collected; the `shared_sandbox` fixture in conftest.py starts it.
"""

from __future__ import annotations

import socket
from functools import cache
from pathlib import Path
from typing import Any

import requests
from tap_callrail.tap import TapCallRail

from sandbox import taprun
from sandbox.callrail import CallRailSandbox
from sandbox.taprun import SyncOutput

#: A key distinctive enough that finding it anywhere in output proves a leak.
API_KEY = "sbx-7f3c9d2e-SECRET-a41b"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


PORT = _free_port()
API_URL = f"http://127.0.0.1:{PORT}/v3"


@cache
def shared_sandbox() -> CallRailSandbox:
    """The session's sandbox on `PORT`, built on first use; the conftest fixture starts it.

    The session runs the tap dozens of times within the hour, far past CallRail's 1,000
    requests an hour per account; test_faults.py drives 429s on purpose instead.
    """
    return CallRailSandbox(
        api_keys=(API_KEY,), calls_per_account=1500, seed=11, port=PORT, rate_limit_per_hour=10**6
    )


def tap_config(**overrides: Any) -> dict[str, Any]:
    """Settings for the shared sandbox; the throttle is out of the way of the tests."""
    return {
        "api_key": API_KEY,
        "api_url": API_URL,
        "start_date": "today-30",
        "max_requests_per_hour": 100_000,
        **overrides,
    }


def api_total(path: str, **params: str) -> int:
    """total_records of one sandbox list, asked directly: the truth a test compares with."""
    headers = {"Authorization": f'Token token="{API_KEY}"'}
    answer = requests.get(
        API_URL + path, params={**params, "per_page": 1}, headers=headers, timeout=10
    )
    answer.raise_for_status()
    return int(answer.json()["total_records"])


def sync(config: dict, state: dict | None = None, select: set[str] | None = None) -> SyncOutput:
    """Run the tap in this process, as `tap-callrail --config … --state …` would."""
    return taprun.sync(TapCallRail, config, state, select)


def run_cli(
    tmp_path: Path, config: dict, state: dict | None = None, select: set[str] | None = None
) -> SyncOutput:
    """Run the installed `tap-callrail` command in a child process, with debug logging."""
    return taprun.run_command("tap-callrail", tmp_path, config, state, select=select)
