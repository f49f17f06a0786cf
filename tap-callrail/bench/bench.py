"""Benchmark: tap-callrail's calls stream against a floor, over the same sandbox pages.

    uv run python tap-callrail/bench/bench.py [--calls 100000] [--memory-at 10000 100000]

The sandbox runs in its own process; the tap and the floor each run as a child process
writing Singer RECORD lines to a file, so their wall time and peak memory (max RSS) are
whole-process figures. The floor is plain `requests` + `json`: the same relative pages of
the same date windows, one JSON line per call, with no SDK in between.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
KEY = "sandbox-key"  # the key `python -m sandbox serve` accepts
ACCOUNTS = 3  # the sandbox's accounts
START_DATE = "today-720"

FLOOR = r"""
import json, sys
from datetime import datetime, timedelta, timezone
import requests

api_url, key, start = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])
session = requests.Session()
session.headers["Authorization"] = f'Token token="{key}"'
end = datetime.now(timezone.utc)
out = sys.stdout
accounts = session.get(f"{api_url}/a.json", params={"per_page": 250}).json()["accounts"]
for account in accounts:
    cursor = start
    while cursor < end:
        midnight = datetime.combine(cursor.date(), datetime.min.time(), timezone.utc)
        boundary = midnight + timedelta(days=7)
        last = min(boundary, end)
        params = {
            "per_page": 250, "relative_pagination": "true", "sort": "start_time", "order": "asc",
            "start_date": cursor.strftime("%Y-%m-%dT%H:%M:%S"), "time_zone": "Etc/UTC",
            "end_date": (last - timedelta(days=1)).strftime("%Y-%m-%d") if last == boundary
            else (last - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S"),
            "fields": sys.argv[4],
        }
        url = f"{api_url}/a/{account['id']}/calls.json"
        while url:
            body = session.get(url, params=params).json()
            for call in body["calls"]:
                call["account_id"] = account["id"]
                line = {"type": "RECORD", "stream": "calls", "record": call}
                out.write(json.dumps(line, separators=(",", ":")) + "\n")
            url, params = (body["next_page"], None) if body["has_next_page"] else (None, None)
        cursor = boundary
"""


def start_sandbox(calls: int, workdir: Path) -> tuple[subprocess.Popen, str]:
    env_file = workdir / "sandbox.env"
    server = subprocess.Popen(
        [
            str(BIN / "python"), "-m", "sandbox", "serve",
            "--calls-per-account", str(math.ceil(calls / ACCOUNTS)),
            "--env-file", str(env_file), "--rate-limit-per-hour", "1000000",
        ],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(300):
        if env_file.exists() and "CALLRAIL_SANDBOX_URL" in env_file.read_text():
            break
        time.sleep(0.1)
    values = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    return server, values["CALLRAIL_SANDBOX_URL"]


def measure(command: list[str], output: Path) -> tuple[float, float, int]:
    """Run one child; return its wall seconds, its peak RSS in MB and the records it wrote."""
    started = time.perf_counter()
    with output.open("w") as sink:
        child = subprocess.Popen(command, stdout=sink, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage, nobody else's
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if child.returncode:
        raise SystemExit(f"{command[0]} failed with exit code {child.returncode}")
    peak = usage.ru_maxrss
    records = sum(1 for line in output.open() if line.startswith('{"type":"RECORD"'))
    return wall, peak / 1024, records


def bench(calls: int, workdir: Path, *, with_floor: bool) -> dict:
    server, api_url = start_sandbox(calls, workdir)
    try:
        from tap_callrail.streams import DEFAULT_CALL_FIELDS

        config = {"api_key": KEY, "api_url": api_url, "start_date": START_DATE,
                  "max_requests_per_hour": 1_000_000}  # fmt: skip
        (workdir / "config.json").write_text(json.dumps(config))
        catalog = json.loads(
            subprocess.run(
                [str(BIN / "tap-callrail"), "--config", str(workdir / "config.json"), "--discover"],
                capture_output=True, check=True, text=True,
            ).stdout
        )  # fmt: skip
        for stream in catalog["streams"]:
            for entry in stream["metadata"]:
                if not entry["breadcrumb"]:
                    entry["metadata"]["selected"] = stream["tap_stream_id"] == "calls"
        (workdir / "catalog.json").write_text(json.dumps(catalog))
        tap = [str(BIN / "tap-callrail"), "--config", str(workdir / "config.json"),
               "--catalog", str(workdir / "catalog.json")]  # fmt: skip
        result = {"calls": calls, "tap": measure(tap, workdir / "tap.jsonl")}
        if with_floor:
            start = time.time() - 720 * 86400
            start_iso = time.strftime("%Y-%m-%dT00:00:00+00:00", time.gmtime(start))
            floor = [str(BIN / "python"), "-c", FLOOR, api_url, KEY, start_iso,
                     ",".join((*DEFAULT_CALL_FIELDS, "company_id"))]  # fmt: skip
            result["floor"] = measure(floor, workdir / "floor.jsonl")
        return result
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--memory-at", type=int, nargs="*", default=[10_000, 100_000])
    args = parser.parse_args()
    os.chdir(HERE.parent.parent)
    with tempfile.TemporaryDirectory() as tmp:
        speed = bench(args.calls, Path(tmp), with_floor=True)
        tap_wall, _, tap_records = speed["tap"]
        floor_wall, _, floor_records = speed["floor"]
        print(f"calls stream, {tap_records} records (floor wrote {floor_records})")
        print(f"  tap-callrail : {tap_records / tap_wall:8.0f} records/s  {tap_wall:6.1f} s")
        print(f"  floor        : {floor_records / floor_wall:8.0f} records/s  {floor_wall:6.1f} s")
        print(f"  tap / floor  : {(tap_records / tap_wall) / (floor_records / floor_wall):8.2f}")
        for calls in args.memory_at:
            with tempfile.TemporaryDirectory() as mem_tmp:
                _, peak, records = bench(calls, Path(mem_tmp), with_floor=False)["tap"]
            print(f"  peak memory at {records:>7} calls: {peak:6.1f} MB")


if __name__ == "__main__":
    main()
