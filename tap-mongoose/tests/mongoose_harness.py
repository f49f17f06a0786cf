"""The tests' Mongoose sandbox, one for the whole session, and ways to run the tap against it."""

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
from tap_mongoose.tap import TapMongoose

from sandbox.mongoose import MongooseSandbox

USERNAME = "tap-tests"
#: A key distinctive enough that finding it anywhere in output proves a leak.
API_KEY = "mgv2-5e1f0c9a-SECRET-77d2"
SANDBOX = MongooseSandbox(
    username=USERNAME, api_key=API_KEY, calls_per_day=30, rate_limit_per_minute=100_000, seed=11
).start()


def tap_config(**overrides: Any) -> dict[str, Any]:
    """Settings for the shared sandbox."""
    return {
        "username": USERNAME,
        "api_key": API_KEY,
        "api_url": SANDBOX.api_url,
        "start_date": "today-20",
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


def api_records(report: str, first: str, last: str) -> list[dict]:
    """Every record of one report, asked directly: the truth a test compares with."""
    records: list[dict] = []
    page, total_pages = 1, 1
    while page <= total_pages:
        params: dict[str, Any] = {"start_date": first, "end_date": last, "page": page}
        answer = requests.get(
            f"{SANDBOX.api_url}/{report}",
            params={**params, "per_page": 1000},
            auth=(USERNAME, API_KEY),
            timeout=10,
        )
        answer.raise_for_status()
        body = answer.json()
        records += body["records"]
        page, total_pages = page + 1, body["total_pages"]
    return records


def parse_messages(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def sync(config: dict, state: dict | None = None, select: set[str] | None = None) -> SyncOutput:
    """Run the tap in this process, as `tap-mongoose --config … --state …` would."""
    tap = TapMongoose(config=config, state=state or {})
    if select is not None:
        for stream in tap.streams.values():
            stream.selected = stream.name in select
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    stderr = io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        tap.sync_all()
    stdout.seek(0)
    return SyncOutput(parse_messages(stdout.read()), stderr.getvalue())


def command(name: str) -> str:
    """An installed console script of this environment."""
    return str(Path(sys.executable).with_name(name))


def run_cli(tmp_path: Path, config: dict, state: dict | None = None, *args: str) -> SyncOutput:
    """Run the installed `tap-mongoose` command in a child process, with debug logging."""
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    arguments = [command("tap-mongoose"), "--config", str(config_file)]
    if state is not None:
        state_file = tmp_path / "state.json"
        state_file.write_text(json.dumps(state))
        arguments += ["--state", str(state_file)]
    env = {**os.environ, "TAP_MONGOOSE_LOGLEVEL": "DEBUG", "LOGLEVEL": "DEBUG"}
    done = subprocess.run([*arguments, *args], capture_output=True, text=True, env=env, check=False)
    messages = parse_messages(done.stdout) if done.returncode == 0 else []
    return SyncOutput(messages, done.stderr, done.returncode, done.stdout)
