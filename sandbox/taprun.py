"""Running a tap the way its users do, for the tests and benchmarks of every tap.

In this process (`sync`, as `tap --config … --state …` would) or as the installed command
in a child process (`run_command`, `run_until_killed`, `measure`), with stdout read back as
Singer messages. Development tooling, like the simulators: no tap's package depends on it.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
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
    tap_class: type[Tap],
    config: dict,
    state: dict | None = None,
    select: set[str] | None = None,
    catalog: dict | None = None,
) -> SyncOutput:
    """Run a tap in this process; `select` names the streams to sync (default: all)."""
    tap = tap_class(config=config, state=state or {}, catalog=catalog)
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


def tap_command(
    tap: str,
    workdir: Path,
    config: dict,
    state: dict | None = None,
    select: set[str] | None = None,
) -> list[str]:
    """The command line of a run: config, state and a catalog selecting `select` in `workdir`."""
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
    *,
    select: set[str] | None = None,
    extra_args: tuple[str, ...] = (),
) -> SyncOutput:
    """Run the installed tap command in a child process, with debug logging on.

    With `extra_args` (`--discover`, say) stdout is not read as Singer messages. A run that
    failed keeps the messages it wrote before failing.
    """
    log_level = f"{tap.upper().replace('-', '_')}_LOGLEVEL"
    env = {**os.environ, log_level: "DEBUG", "LOGLEVEL": "DEBUG"}
    command = [*tap_command(tap, workdir, config, state, select), *extra_args]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    messages = [] if extra_args else parse_messages(done.stdout)
    return SyncOutput(messages, done.stderr, done.returncode, done.stdout)


def run_shards(
    tap: str, workdir: Path, configs: list[dict], select: set[str] | None = None
) -> list[SyncOutput]:
    """Run the tap command once per config, all at once (shards of one sync, as parallel
    `meltano run`s would), each in its own directory; the outputs in the order of `configs`."""
    children = []
    for number, config in enumerate(configs, 1):
        shard_dir = workdir / f"shard-{number}"
        shard_dir.mkdir(parents=True, exist_ok=True)
        command = tap_command(tap, shard_dir, config, select=select)
        children.append(
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        )
    outputs = []
    for child in children:
        stdout, stderr = child.communicate()
        outputs.append(SyncOutput(parse_messages(stdout), stderr, child.returncode, stdout))
    return outputs


def records_by_stream(outputs: list[SyncOutput], leave_out: tuple[str, ...] = ()) -> dict:
    """Every record of some runs by stream, sorted, without the fields in `leave_out` (a
    value each run makes anew): what the runs emitted together, whichever emitted what."""
    merged: dict[str, list[str]] = defaultdict(list)
    for output in outputs:
        for stream, records in output.by_stream().items():
            for record in records:
                kept = {k: v for k, v in record.items() if k not in leave_out}
                merged[stream].append(json.dumps(kept, sort_keys=True))
    return {stream: sorted(records) for stream, records in merged.items()}


def run_until_killed(tap: str, workdir: Path, config: dict, kill_after_records: int) -> list[dict]:
    """Run the tap command, SIGKILL it after some records, return the messages it had written."""
    lines = []
    command = tap_command(tap, workdir, config)
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


def keys_lost_by_a_kill(
    tap: str, workdir: Path, config: dict, kill_at: float, *, sync: Any, streams: Any
) -> dict[str, set[tuple]]:
    """Kill the tap command after `kill_at` of a full run's records, resume from the last
    STATE it wrote (with `sync`), and return per stream the keys that neither run emitted."""
    full = sync(config)
    total = sum(len(records) for records in full.by_stream().values())
    first = run_until_killed(tap, workdir, config, int(total * kill_at))
    states = [m["value"] for m in first if m["type"] == "STATE"]
    second = sync(config, state=states[-1] if states else None)
    lost = {}
    for stream in streams:
        seen = [m["record"] for m in first if m["type"] == "RECORD" and m["stream"] == stream.name]
        seen += second.records(stream.name)
        expected = record_keys(full.records(stream.name), stream.primary_keys)
        if missing := expected - record_keys(seen, stream.primary_keys):
            lost[stream.name] = missing
    return lost


def record_keys(records: list[dict], primary_keys: Any) -> set[tuple]:
    """The primary-key tuples of some records."""
    return {tuple(record[key] for key in primary_keys) for record in records}


@contextmanager
def served_sandbox(workdir: Path, *options: str) -> Iterator[dict[str, str]]:
    """`python -m sandbox serve` in its own process; yields the NAME=value lines it wrote."""
    env_file = workdir / "sandbox.env"
    command = [sys.executable, "-m", "sandbox", "serve", "--env-file", str(env_file), *options]
    with serving(command, env_file) as settings:
        yield settings


@contextmanager
def serving(command: list[str], env_file: Path) -> Iterator[dict[str, str]]:
    """Run a simulator `command` that writes its NAME=value lines to `env_file` once it
    listens; yield them, and stop it afterwards."""
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if env_file.exists() or server.poll() is not None:
                break
            time.sleep(0.1)
        lines = env_file.read_text().splitlines()
        yield dict(line.split("=", 1) for line in lines if "=" in line)
    finally:
        server.terminate()
        server.wait()


def measure(command: list[str], output: Path) -> tuple[float, float, int]:
    """Run one command as a whole process writing to `output`.

    Returns its wall seconds, its own peak memory (max RSS, MB) and the records it wrote.
    """
    started = time.perf_counter()
    with output.open("w") as sink:
        child = subprocess.Popen(command, stdout=sink, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)  # this child's rusage, nobody else's
    wall = time.perf_counter() - started
    if code := os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{command[0]} failed with exit code {code}")
    with output.open() as written:
        records = sum(1 for line in written if line.startswith('{"type":"RECORD"'))
    return wall, usage.ru_maxrss / 1024, records


def report(stream: str, tap: str, speed: dict, memory: list[tuple[int, float]]) -> None:
    """Print a benchmark's figures: rates beside the floor's, and peak memory per size."""
    tap_wall, _, tap_records = speed["tap"]
    floor_wall, _, floor_records = speed["floor"]
    tap_rate, floor_rate = tap_records / tap_wall, floor_records / floor_wall
    print(f"{stream} stream, {tap_records} records (floor wrote {floor_records})")
    print(f"  {tap:<14}: {tap_rate:8.0f} records/s  {tap_wall:6.1f} s")
    print(f"  {'floor':<14}: {floor_rate:8.0f} records/s  {floor_wall:6.1f} s")
    print(f"  {'tap / floor':<14}: {tap_rate / floor_rate:8.2f}")
    for records, peak in memory:
        print(f"  peak memory at {records:>7} records: {peak:6.1f} MB")
