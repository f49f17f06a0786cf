"""The tests' LeadExec sandbox, one for the whole session, and ways to run the tap against it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections import defaultdict
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
from tap_clickpoint.tap import TapClickPoint

from sandbox.leadexec import LeadExecSandbox, Query

#: A key distinctive enough that finding it anywhere in output proves a leak.
API_KEY = "sbx-5e1d7c0a-SECRET-c3f9"
SANDBOX = LeadExecSandbox(api_keys=(API_KEY,), leads_per_day=40, seed=11).start()
PACIFIC_FORMAT = "%m/%d/%Y %H:%M:%S"


def tap_config(**overrides: Any) -> dict[str, Any]:
    """Settings for the shared sandbox: every lead type, the last 30 days."""
    return {
        "api_key": API_KEY,
        "api_url": SANDBOX.api_url,
        "lead_type_ids": SANDBOX.lead_type_ids,
        "start_date": "today-30",
        **overrides,
    }


@dataclass
class SyncOutput:
    """What one run wrote: Singer messages by type, and the log."""

    messages: list[dict] = field(default_factory=list)
    log: str = ""
    exit_code: int = 0
    stdout: str = ""

    def records(self, stream: str = "leads") -> list[dict]:
        return [
            m["record"] for m in self.messages if m["type"] == "RECORD" and m["stream"] == stream
        ]

    def by_lead_type(self) -> dict[int, list[dict]]:
        grouped: dict[int, list[dict]] = defaultdict(list)
        for record in self.records():
            grouped[record["lead_type_id"]].append(record)
        return grouped

    @property
    def schema(self) -> dict:
        return next(m["schema"] for m in self.messages if m["type"] == "SCHEMA")

    @property
    def states(self) -> list[dict]:
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    @property
    def final_state(self) -> dict:
        return self.states[-1]


def api_total(lead_type_id: int, start: datetime, end: datetime) -> int:
    """QueryTotal for a window of naive Pacific times, asked directly: the truth to compare with."""
    answer = requests.post(
        SANDBOX.api_url,
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


def parse_messages(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def sync(config: dict, state: dict | None = None, catalog: dict | None = None) -> SyncOutput:
    """Run the tap in this process, as `tap-clickpoint --config … --state …` would."""
    tap = TapClickPoint(config=config, state=state or {}, catalog=catalog)
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    stderr = io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        tap.sync_all()
    stdout.seek(0)
    return SyncOutput(parse_messages(stdout.read()), stderr.getvalue())


def tap_command() -> str:
    return str(Path(sys.executable).with_name("tap-clickpoint"))


def run_cli(tmp_path: Path, config: dict, state: dict | None = None, *args: str) -> SyncOutput:
    """Run the installed `tap-clickpoint` command in a child process, with debug logging."""
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    command = [tap_command(), "--config", str(config_file)]
    if state is not None:
        state_file = tmp_path / "state.json"
        state_file.write_text(json.dumps(state))
        command += ["--state", str(state_file)]
    env = {**os.environ, "TAP_CLICKPOINT_LOGLEVEL": "DEBUG", "LOGLEVEL": "DEBUG"}
    done = subprocess.run([*command, *args], capture_output=True, text=True, env=env, check=False)
    messages = (
        parse_messages(done.stdout) if done.returncode == 0 and done.stdout[:1] == "{" else []
    )
    return SyncOutput(messages, done.stderr, done.returncode, done.stdout)
