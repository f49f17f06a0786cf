"""Benchmark: tap-callrail's records/s against a floor, its requests against the minimum, and
the wall time of 50 accounts against one.

    python3 tasks.py run python tap-callrail/bench/bench.py \\
        [--calls 100000] [--memory-at 10000 100000]
    python3 tasks.py run python tap-callrail/bench/bench.py --quick   # every figure, small

The sandbox runs in its own process; the tap and the floor each run as a child process
writing Singer lines to a file, so their wall time and peak memory (max RSS) are
whole-process figures.

- Speed: the calls stream against a floor, plain `requests` + `json` over the same relative
  pages of one window per account (the whole range, as the tap reads it), one JSON line per
  call, with no SDK in between.
- Requests: every stream over 25 months, 3,000 calls per account, counted from the sandbox's
  request log, against the minimum: per account (per company for caller_ids) the pages its
  records need at 250 a page, at least one; one request per account and grouping for the
  reports. CallRail forces no window, so none is added.
- Empty backfill: the same, for accounts without calls.
- Scale: every stream for 50 small accounts against one, with 150 ms on every answer and
  CallRail's per-account limit of 1,000 requests an hour, at `max_parallel` 16.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from tap_callrail.client import PAGE_SIZE
from tap_callrail.streams import DEFAULT_CALL_FIELDS, STREAMS

from sandbox.taprun import measure, report, served_sandbox, serving, tap_command

ACCOUNTS = 3  # the sandbox's accounts
DAYS = 720
BACKFILL_DAYS = 760  # 25 months
REPORTS = {"calls_summary", "calls_timeseries"}
SUMMARY_GROUPINGS = ["source"]  # summary_group_by: its default

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
    params = {
        "per_page": 250, "relative_pagination": "true", "sort": "start_time", "order": "asc",
        "start_date": start.strftime("%Y-%m-%dT%H:%M:%S"), "time_zone": "Etc/UTC",
        "end_date": (end - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S"),
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
"""

#: A CallRail sandbox of `accounts` accounts, with a latency and CallRail's hourly limit.
SERVE = r"""
import pathlib, signal, sys, threading
from sandbox.callrail import CallRailSandbox

accounts, calls, latency, limit, env_file = sys.argv[1:6]
server = CallRailSandbox(api_keys=("bench-key",), accounts=int(accounts),
                         calls_per_account=int(calls), rate_limit_per_hour=int(limit))
server.latency = float(latency)
stopping = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stopping.set())
with server:
    partial = pathlib.Path(env_file + ".partial")
    partial.write_text(f"CALLRAIL_SANDBOX_URL={server.api_url}\nCALLRAIL_SANDBOX_API_KEY=bench-key\n")
    partial.replace(env_file)
    stopping.wait()
"""


@contextmanager
def served_callrail(
    workdir: Path, accounts: int, calls: int, latency: float = 0.0, limit: int = 1000
) -> Iterator[dict[str, str]]:
    """A CallRail sandbox in its own process; yields its NAME=value settings."""
    env_file = workdir / "callrail.env"
    arguments = [str(accounts), str(calls), str(latency), str(limit), str(env_file)]
    with serving([sys.executable, "-c", SERVE, *arguments], env_file) as settings:
        yield settings


def config_for(sandbox: dict[str, str], days: int, **overrides: object) -> dict:
    return {
        "api_key": sandbox["CALLRAIL_SANDBOX_API_KEY"],
        "api_url": sandbox["CALLRAIL_SANDBOX_URL"],
        "start_date": f"today-{days}",
        "max_requests_per_hour": 1_000_000,
        **overrides,
    }


# Speed


def bench(calls: int, *, with_floor: bool) -> dict:
    options = ["--calls-per-account", str(math.ceil(calls / ACCOUNTS))]
    options += ["--rate-limit-per-hour", "1000000"]
    with tempfile.TemporaryDirectory() as tmp, served_sandbox(Path(tmp), *options) as sandbox:
        workdir = Path(tmp)
        config = config_for(sandbox, DAYS)
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


# Requests


def stream_of(path: str) -> str:
    """The stream whose endpoint `path` is."""
    for stream in STREAMS:
        template = "/v3" + stream.path.split("?")[0]
        if re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", template), path):
            return stream.name
    return path


def minimum_requests(stream: str, records: dict[str, list[dict]], groupings: int) -> int:
    """The fewest requests that can read `records[stream]`: see the module's docstring."""
    if stream == "accounts":
        return max(1, math.ceil(len(records["accounts"]) / PAGE_SIZE))
    if stream == "caller_ids":  # one listing per company
        partitions = [(c["account_id"], c["id"]) for c in records["companies"]]
    else:
        partitions = [(a["id"], None) for a in records["accounts"]]
    if stream in REPORTS:
        return len(partitions) * (groupings if stream == "calls_summary" else 1)
    per_partition = Counter(
        (r.get("account_id"), r.get("company_id") if stream == "caller_ids" else None)
        for r in records[stream]
    )
    return sum(max(1, math.ceil(per_partition[p] / PAGE_SIZE)) for p in partitions)


def requests_per_stream(calls_per_account: int, accounts: int, days: int) -> list[tuple]:
    """(stream, records, requests, minimum) for every stream of one run over `days`."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        served_callrail(Path(tmp), accounts, calls_per_account, limit=10**9) as sandbox,
    ):
        workdir = Path(tmp)
        config = config_for(sandbox, days)
        root = sandbox["CALLRAIL_SANDBOX_URL"].rsplit("/v3", 1)[0]
        requests.delete(f"{root}/_sandbox/requests", timeout=30)
        measure(tap_command("tap-callrail", workdir, config), workdir / "tap.jsonl")
        log = requests.get(f"{root}/_sandbox/requests", timeout=60).json()
        sent = Counter(stream_of(entry["path"]) for entry in log)
        records: dict[str, list[dict]] = defaultdict(list)
        with (workdir / "tap.jsonl").open() as lines:
            for line in lines:
                message = json.loads(line)
                if message["type"] == "RECORD":
                    records[message["stream"]].append(message["record"])
        rows = []
        for stream in (s.name for s in STREAMS):
            least = minimum_requests(stream, records, groupings=len(SUMMARY_GROUPINGS))
            rows.append((stream, len(records[stream]), sent[stream], least))
        return rows


def print_requests(title: str, rows: list[tuple], accounts: int) -> None:
    print(title)
    columns = ("records", "requests", "minimum", "÷ min", "/account")
    print(f"  {'stream':<18} " + " ".join(f"{name:>9}" for name in columns))
    for stream, records, sent, least in rows:
        ratio = sent / least if least else float("nan")
        figures = (f"{records:>9}", f"{sent:>9}", f"{least:>9}", f"{ratio:>9.2f}")
        print(f"  {stream:<18} " + " ".join(figures) + f" {sent / accounts:>9.1f}")


# Scale


def wall_time(accounts: int, calls: int, days: int, latency: float, max_parallel: int) -> float:
    with (
        tempfile.TemporaryDirectory() as tmp,
        served_callrail(Path(tmp), accounts, calls, latency=latency) as sandbox,
    ):
        workdir = Path(tmp)
        config = config_for(sandbox, days, max_parallel=max_parallel, max_requests_per_hour=900)
        wall, _, _ = measure(tap_command("tap-callrail", workdir, config), workdir / "tap.jsonl")
        return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--memory-at", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--quick", action="store_true", help="a small run of every figure")
    parser.add_argument("--sequential", action="store_true", help="also time max_parallel 1")
    args = parser.parse_args()
    quick = args.quick
    calls = 3_000 if quick else args.calls
    memory_at = [1_000, 3_000] if quick else args.memory_at

    speed = bench(calls, with_floor=True)
    memory = []
    for size in memory_at:
        _, peak, records = bench(size, with_floor=False)["tap"]
        memory.append((records, peak))
    report("calls", "tap-callrail", speed, memory)

    days = 60 if quick else BACKFILL_DAYS
    accounts = 2 if quick else ACCOUNTS
    per_account = 300 if quick else 3_000
    rows = requests_per_stream(per_account, accounts, days)
    print_requests(f"requests over {days} days, {per_account} calls per account", rows, accounts)
    empty = requests_per_stream(0, accounts, days)
    print_requests(f"requests over {days} days, accounts without calls", empty, accounts)

    many, scale_days, latency = (10, 7, 0.05) if quick else (50, 30, 0.15)
    one = wall_time(1, 100, scale_days, latency, max_parallel=16)
    all_of_them = wall_time(many, 100, scale_days, latency, max_parallel=16)
    print(f"every stream, {scale_days} days, ~100 calls per account, {latency * 1000:.0f} ms each")
    print(f"  {'1 account':<26}: {one:6.1f} s")
    walls = [(f"{many} accounts, parallel 16", all_of_them)]
    if quick or args.sequential:  # minutes at full size: 50 accounts one after another
        walls.append((f"{many} accounts, parallel 1", wall_time(many, 100, scale_days, latency, 1)))
    for label, wall in walls:
        print(f"  {label:<26}: {wall:6.1f} s  ({wall / one:.2f}x one account)")


if __name__ == "__main__":
    main()
