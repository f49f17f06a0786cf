"""The tests' LeadExec sandbox, one for the whole session, and ways to run the tap against it.

Nothing starts when this module is imported: conftest.py's session fixture starts the shared
sandbox with `shared_sandbox()`, and `tap_config` and `api_total` point at it meanwhile.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import requests
from tap_clickpoint.tap import TapClickPoint

from sandbox import taprun
from sandbox.core.server import SandboxServer
from sandbox.leadexec import LeadExecSandbox, Query
from sandbox.taprun import SyncOutput, parse_messages

#: A key distinctive enough that finding it anywhere in output proves a leak.
API_KEY = "sbx-5e1d7c0a-SECRET-c3f9"
PACIFIC_FORMAT = "%m/%d/%Y %H:%M:%S"
#: The shared sandbox while `shared_sandbox()` runs it.
_running: list[LeadExecSandbox] = []


@contextmanager
def shared_sandbox() -> Iterator[LeadExecSandbox]:
    """Run the sandbox the tests share; `tap_config` and `api_total` point at it meanwhile."""
    with LeadExecSandbox(api_keys=(API_KEY,), leads_per_day=40, seed=11) as running:
        _running.append(running)
        try:
            yield running
        finally:
            _running.remove(running)


def running_sandbox() -> LeadExecSandbox:
    """The shared sandbox; only while conftest.py's session fixture runs it."""
    if not _running:
        raise RuntimeError("the shared sandbox runs only within the session fixture shared")
    return _running[-1]


def tap_config(**overrides: Any) -> dict[str, Any]:
    """Settings for the shared sandbox: every lead type, the last 30 days."""
    sandbox = running_sandbox()
    return {
        "api_key": API_KEY,
        "api_url": sandbox.api_url,
        "lead_type_ids": sandbox.lead_type_ids,
        "start_date": "today-30",
        **overrides,
    }


class LeadsOutput(SyncOutput):
    """What one run wrote, with the leads stream as the default and grouped by lead type."""

    def records(self, stream: str = "leads") -> list[dict]:
        return super().records(stream)

    def by_lead_type(self) -> dict[int, list[dict]]:
        grouped: dict[int, list[dict]] = defaultdict(list)
        for record in self.records():
            grouped[record["lead_type_id"]].append(record)
        return grouped

    @property
    def schema(self) -> dict:
        return next(m["schema"] for m in self.messages if m["type"] == "SCHEMA")


def api_total(lead_type_id: int, start: datetime, end: datetime) -> int:
    """QueryTotal for a window of naive Pacific times, asked directly: the truth to compare with."""
    answer = requests.post(
        running_sandbox().api_url,
        data={
            "key": API_KEY,
            "lid": lead_type_id,
            "StartDate": start.strftime(PACIFIC_FORMAT),
            "EndDate": end.strftime(PACIFIC_FORMAT),
            "take": 0,
        },
        headers={"Accept": "application/json"},
        timeout=10,
    )
    answer.raise_for_status()
    return int(answer.json()["QueryTotal"])


def lead_queries(sandbox: LeadExecSandbox) -> list[Query]:
    """The answered requests that read leads, leaving out the schema sample (newest first)."""
    return [q for q in sandbox.queries if q.params.get("sortorder") != "DESC"]


def sync(config: dict, state: dict | None = None, catalog: dict | None = None) -> LeadsOutput:
    """Run the tap in this process, as `tap-clickpoint --config … --state …` would."""
    return LeadsOutput(**vars(taprun.sync(TapClickPoint, config, state, catalog=catalog)))


def run_cli(
    tmp_path: Path,
    config: dict,
    state: dict | None = None,
    *args: str,
    catalog: dict | None = None,
) -> LeadsOutput:
    """Run the installed `tap-clickpoint` command in a child process, with debug logging.

    With a `catalog` the tap does not sample lead types first, so the first request it
    sends reads leads. What a failed run wrote before it failed is kept too.
    """
    if catalog is not None:
        (tmp_path / "catalog.json").write_text(json.dumps(catalog))
        args = (*args, "--catalog", str(tmp_path / "catalog.json"))
    output = taprun.run_command("tap-clickpoint", tmp_path, config, state, extra_args=args)
    if "--discover" not in args:
        output.messages = parse_messages(output.stdout)
    return LeadsOutput(**vars(output))


@cache
def discovered_catalog() -> dict:
    """The catalog discovery gives for the shared sandbox's lead types."""
    return TapClickPoint(config=tap_config()).catalog_dict


def error_line(output: SyncOutput) -> str:
    """The one error line of a run that failed cleanly: exit 1, no traceback."""
    errors = [line for line in output.log.splitlines() if "| ERROR " in line]
    assert output.exit_code == 1, output.log[-2000:]
    assert "Traceback" not in output.log
    assert len(errors) == 1, errors
    return errors[0]


def assert_key_kept(output: SyncOutput, *elsewhere: SandboxServer) -> None:
    """The key reached no other host, and is in none of the run's output, state included."""
    assert API_KEY not in output.stdout
    assert API_KEY not in output.log
    for server in elsewhere:
        assert not any(logged.carries(API_KEY) for logged in server.requests)


def pass_through(sandbox: LeadExecSandbox, count: int) -> None:
    """Let the next `count` requests have their real answers, so that a fault injected next
    hits the one after them."""
    sandbox.inject(headers={"X-Passed-Through": "1"}, count=count)
