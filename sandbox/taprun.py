"""Running a tap the way its users do, for the tests and benchmarks of every tap.

In this process (`sync`, as `tap --config … --state …` would) or as the installed command
in a child process (`run_command`, `run_until_killed`), with stdout read back as Singer
messages. Development tooling, like the simulators: no tap's package depends on it.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from collections import defaultdict
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from singer_sdk import Tap


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


def parse_messages(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def sync(
    tap_class: type[Tap], config: dict, state: dict | None = None, select: set[str] | None = None
) -> SyncOutput:
    """Run a tap in this process; `select` names the streams to sync (default: all)."""
    tap = tap_class(config=config, state=state or {})
    if select is not None:
        for stream in tap.streams.values():
            stream.selected = stream.name in select
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    stderr = io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        tap.sync_all()
    stdout.seek(0)
    return SyncOutput(parse_messages(stdout.read()), stderr.getvalue())


def executable(name: str) -> str:
    """A console script of this environment."""
    return str(Path(sys.executable).with_name(name))


def _command(
    tap: str, workdir: Path, config: dict, state: dict | None, select: set[str] | None
) -> list[str]:
    config_file = workdir / "config.json"
    config_file.write_text(json.dumps(config))
    command = [executable(tap), "--config", str(config_file)]
    if state is not None:
        (workdir / "state.json").write_text(json.dumps(state))
        command += ["--state", str(workdir / "state.json")]
    if select is not None:
        discovered = subprocess.run(
            [*command[:3], "--discover"], capture_output=True, check=True, text=True
        ).stdout
        catalog = json.loads(discovered)
        for stream in catalog["streams"]:
            for entry in stream["metadata"]:
                if not entry["breadcrumb"]:
                    entry["metadata"]["selected"] = stream["tap_stream_id"] in select
        (workdir / "catalog.json").write_text(json.dumps(catalog))
        command += ["--catalog", str(workdir / "catalog.json")]
    return command


def run_command(
    tap: str,
    workdir: Path,
    config: dict,
    state: dict | None = None,
    select: set[str] | None = None,
) -> SyncOutput:
    """Run the installed tap command in a child process, with debug logging on."""
    log_level = f"{tap.upper().replace('-', '_')}_LOGLEVEL"
    env = {**os.environ, log_level: "DEBUG", "LOGLEVEL": "DEBUG"}
    command = _command(tap, workdir, config, state, select)
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    messages = parse_messages(done.stdout) if done.returncode == 0 else []
    return SyncOutput(messages, done.stderr, done.returncode, done.stdout)


def run_until_killed(tap: str, workdir: Path, config: dict, kill_after_records: int) -> list[dict]:
    """Run the tap command, SIGKILL it after some records, return the messages it had written."""
    lines = []
    command = _command(tap, workdir, config, None, None)
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as child:
        assert child.stdout is not None
        records = 0
        for line in child.stdout:
            lines.append(line)
            records += line.startswith('{"type":"RECORD"')
            if records >= kill_after_records:
                child.send_signal(signal.SIGKILL)
                break
        child.wait()
    return parse_messages("".join(lines))


def record_keys(records: list[dict], primary_keys: Any) -> set[tuple]:
    """The primary-key tuples of some records."""
    return {tuple(record[key] for key in primary_keys) for record in records}
