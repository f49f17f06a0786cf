"""The tests' CallRail sandbox, one for the whole session, and ways to run the tap against it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections import defaultdict
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from tap_callrail.tap import TapCallRail

from sandbox.callrail import CallRailSandbox

#: A key distinctive enough that finding it anywhere in output proves a leak.
API_KEY = "sbx-7f3c9d2e-SECRET-a41b"
SANDBOX = CallRailSandbox(api_keys=(API_KEY,), calls_per_account=1500, seed=11).start()


def tap_config(**overrides: Any) -> dict[str, Any]:
    """Settings for the shared sandbox; the throttle is out of the way of the tests."""
    return {
        "api_key": API_KEY,
        "api_url": SANDBOX.api_url,
        "start_date": "today-30",
        "max_requests_per_hour": 100_000,
        **overrides,
    }


@dataclass
class SyncOutput:
    """What one run wrote: Singer messages by type, and the log."""

    messages: list[dict] = field(default_factory=list)
    log: str = ""
    exit_code: int = 0
    stdout: str = ""

    def records(self, stream: str) -> list[dict]:
        return [
            m["record"] for m in self.messages if m["type"] == "RECORD" and m["stream"] == stream
        ]

    def by_stream(self) -> dict[str, list[dict]]:
        grouped: dict[str, list[dict]] = defaultdict(list)
        for message in self.messages:
            if message["type"] == "RECORD":
                grouped[message["stream"]].append(message["record"])
        return grouped

    @property
    def states(self) -> list[dict]:
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    @property
    def final_state(self) -> dict:
        return self.states[-1]


def api_total(path: str, **params: str) -> int:
    """total_records of one sandbox list, asked directly: the truth a test compares with."""
    headers = {"Authorization": f'Token token="{API_KEY}"'}
    answer = requests.get(
        SANDBOX.api_url + path, params={**params, "per_page": 1}, headers=headers, timeout=10
    )
    answer.raise_for_status()
    return int(answer.json()["total_records"])


def parse_messages(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def sync(config: dict, state: dict | None = None, select: set[str] | None = None) -> SyncOutput:
    """Run the tap in this process, as `tap-callrail --config … --state …` would."""
    tap = TapCallRail(config=config, state=state or {})
    if select is not None:
        for stream in tap.streams.values():
            stream.selected = stream.name in select
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    stderr = io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        tap.sync_all()
    stdout.seek(0)
    return SyncOutput(parse_messages(stdout.read()), stderr.getvalue())


def run_cli(tmp_path: Path, config: dict, state: dict | None = None, *args: str) -> SyncOutput:
    """Run the installed `tap-callrail` command in a child process, with debug logging."""
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    command = [str(Path(sys.executable).with_name("tap-callrail")), "--config", str(config_file)]
    if state is not None:
        state_file = tmp_path / "state.json"
        state_file.write_text(json.dumps(state))
        command += ["--state", str(state_file)]
    env = {**os.environ, "TAP_CALLRAIL_LOGLEVEL": "DEBUG", "LOGLEVEL": "DEBUG"}
    done = subprocess.run([*command, *args], capture_output=True, text=True, env=env, check=False)
    messages = parse_messages(done.stdout) if done.returncode == 0 else []
    return SyncOutput(messages, done.stderr, done.returncode, done.stdout)
