"""Benchmark: tap-callrail's calls stream against a floor, over the same sandbox pages.

    uv run python tap-callrail/bench/bench.py [--calls 100000] [--memory-at 10000 100000]

The sandbox runs in its own process; the tap and the floor each run as a child process
writing Singer RECORD lines to a file, so their wall time and peak memory (max RSS) are
whole-process figures. The floor is plain `requests` + `json`: the same relative pages of
the same date windows, one JSON line per call, with no SDK in between.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

from tap_callrail.streams import DEFAULT_CALL_FIELDS

from sandbox.taprun import measure, report, served_sandbox, tap_command

ACCOUNTS = 3  # the sandbox's accounts
DAYS = 720

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


def bench(calls: int, *, with_floor: bool) -> dict:
    options = ["--calls-per-account", str(math.ceil(calls / ACCOUNTS))]
    options += ["--rate-limit-per-hour", "1000000"]
    with tempfile.TemporaryDirectory() as tmp, served_sandbox(Path(tmp), *options) as sandbox:
        workdir = Path(tmp)
        config = {
            "api_key": sandbox["CALLRAIL_SANDBOX_API_KEY"],
            "api_url": sandbox["CALLRAIL_SANDBOX_URL"],
            "start_date": f"today-{DAYS}",
            "max_requests_per_hour": 1_000_000,
        }
        tap = tap_command("tap-callrail", workdir, config, select={"calls"})
        result = {"tap": measure(tap, workdir / "tap.jsonl")}
        if with_floor:
            start = time.strftime(
                "%Y-%m-%dT00:00:00+00:00", time.gmtime(time.time() - DAYS * 86400)
            )
            fields = ",".join((*DEFAULT_CALL_FIELDS, "company_id"))
            floor = [
                sys.executable,
                "-c",
                FLOOR,
                config["api_url"],
                config["api_key"],
                start,
                fields,
            ]
            result["floor"] = measure(floor, workdir / "floor.jsonl")
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--memory-at", type=int, nargs="*", default=[10_000, 100_000])
    args = parser.parse_args()
    speed = bench(args.calls, with_floor=True)
    memory = []
    for calls in args.memory_at:
        _, peak, records = bench(calls, with_floor=False)["tap"]
        memory.append((records, peak))
    report("calls", "tap-callrail", speed, memory)


if __name__ == "__main__":
    main()
