"""Benchmark: tap-incontact's contacts stream against a floor, and its requests per stream.

    python3 tasks.py run python tap-incontact/bench/bench.py \\
        [--contacts 100000] [--memory-at 10000 100000]
    python3 tasks.py run python tap-incontact/bench/bench.py --quick   # every figure, small

The sandbox runs in its own process; the tap and the floor each run as a child process
writing Singer RECORD lines to a file, so their wall time and peak memory (max RSS) are
whole-process figures. The floor is plain `requests` + `json`: one sign-in, then the same
`updatedSince` query paged with skip/top, one JSON line per contact, with no SDK in between.

Requests: every stream over 25 months (and over an empty tenant), counted from the
sandbox's request log, against the minimum: lists need the pages their rows need at the
tap's `top` of 1,000 (the API's maximum is not documented), at least one; every window the
API forces counts one (contacts and skill summaries: 30 days; Data Download: 30 days within
the last two years); performance rows are totals per window of `performance_interval`
(1 day), so each day is one; a custom report is three (start, one poll, its file).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests

from sandbox.taprun import measure, report, served_sandbox, tap_command

DAYS = 28  # inside the 30 days one updatedSince query may reach back
APP = {"application_name": "DemoApp", "vendor_name": "DemoVendor", "business_unit": "4593101"}

FLOOR = r"""
import base64, json, sys
from datetime import datetime, timedelta, timezone
import requests

auth_url, app, since = sys.argv[1], sys.argv[2], sys.argv[3]
session = requests.Session()
token = session.post(
    auth_url,
    headers={"Authorization": "basic " + base64.b64encode(app.encode()).decode()},
    json={"grant_type": "password", "username": sys.argv[4], "password": sys.argv[5], "scope": ""},
).json()
session.headers["Authorization"] = "Bearer " + token["access_token"]
url = token["resource_server_base_uri"] + "services/v30.0/contacts/completed"
out, skip = sys.stdout, 0
while True:
    answer = session.get(url, params={"updatedSince": since, "orderBy": "lastUpdateTime asc",
                                      "skip": skip, "top": 1000})
    if answer.status_code == 204 or not answer.content:
        break
    body = answer.json()
    rows = body.get("completedContacts") or []
    for row in rows:
        line = {"type": "RECORD", "stream": "contacts", "record": row}
        out.write(json.dumps(line, separators=(",", ":")) + "\n")
    skip += len(rows)
    if not rows or not (body.get("_links") or {}).get("next") or skip >= body["totalRecords"]:
        break
"""


def bench(contacts: int, *, with_floor: bool) -> dict:
    options = ["--contacts-per-day", str(max(1, contacts // DAYS))]
    with tempfile.TemporaryDirectory() as tmp, served_sandbox(Path(tmp), *options) as sandbox:
        workdir = Path(tmp)
        config = {
            **APP,
            "auth_url": sandbox["INCONTACT_SANDBOX_AUTH_URL"],
            "username": sandbox["INCONTACT_SANDBOX_USERNAME"],
            "password": sandbox["INCONTACT_SANDBOX_PASSWORD"],
            "start_date": f"today-{DAYS}",
            "lookback_minutes": 0,
        }
        tap = tap_command("tap-incontact", workdir, config, select={"contacts"})
        result = {"tap": measure(tap, workdir / "tap.jsonl")}
        if with_floor:
            since = time.strftime("%Y-%m-%dT00:00:00.000Z", time.gmtime(time.time() - DAYS * 86400))
            key = "{application_name}@{vendor_name}:{business_unit}".format(**APP)
            credentials = [str(config["username"]), str(config["password"])]
            auth_url = str(config["auth_url"])
            floor = [sys.executable, "-c", FLOOR, auth_url, key, since, *credentials]
            result["floor"] = measure(floor, workdir / "floor.jsonl")
        return result


#: The stream each API path belongs to, by pattern under services/v30.0/.
PATHS = (
    (r"agents", "agents"),
    (r"teams", "teams"),
    (r"skills", "skills"),
    (r"campaigns", "campaigns"),
    (r"reports", "reports"),
    (r"contacts/completed", "contacts"),
    (r"agents/performance", "agent_performance"),
    (r"teams/performance-total", "team_performance"),
    (r"skills/summary", "skill_summaries"),
    (r"report-jobs/datadownload/\d+", "data_download_reports"),
    (r"report-jobs/\d+|files", "custom_reports"),
)
PAGE = 1000
LISTS = ("agents", "teams", "skills", "campaigns", "reports")


def stream_of(path: str) -> str:
    tail = path.split("/v30.0/", 1)[-1]
    return next((name for pattern, name in PATHS if re.fullmatch(pattern, tail)), "sign-in")


def minimum_requests(stream: str, rows: int, days: int, reports: int) -> int:
    """The fewest requests that can read `rows` of `stream` over `days`: see the docstring."""
    windows = math.ceil(days / 30)
    if stream in LISTS:
        return max(1, math.ceil(rows / PAGE))
    if stream == "contacts":
        return max(windows, math.ceil(rows / PAGE))
    if stream in ("agent_performance", "team_performance", "skill_summaries"):
        return days
    if stream == "data_download_reports":
        return reports * math.ceil(min(days, 730) / 30)
    if stream == "custom_reports":
        return 3 * reports
    return 1


def requests_per_stream(contacts_per_day: int, days: int) -> list[tuple]:
    """(stream, rows, requests, minimum) of every stream over `days`, one report of each kind."""
    options = ["--contacts-per-day", str(contacts_per_day)]
    with tempfile.TemporaryDirectory() as tmp, served_sandbox(Path(tmp), *options) as sandbox:
        workdir = Path(tmp)
        config = {
            **APP,
            "auth_url": sandbox["INCONTACT_SANDBOX_AUTH_URL"],
            "username": sandbox["INCONTACT_SANDBOX_USERNAME"],
            "password": sandbox["INCONTACT_SANDBOX_PASSWORD"],
            "start_date": f"today-{days}",
            "custom_report_ids": json.loads(sandbox["INCONTACT_SANDBOX_REPORT_IDS"])[:1],
            "data_download_report_ids": json.loads(
                sandbox["INCONTACT_SANDBOX_DATA_DOWNLOAD_REPORT_IDS"]
            )[:1],
            "report_poll_seconds": 0.05,
        }
        log_url = sandbox["INCONTACT_SANDBOX_URL"].rstrip("/") + "/_sandbox/requests"
        requests.delete(log_url, timeout=30)
        measure(tap_command("tap-incontact", workdir, config), workdir / "tap.jsonl")
        sent = Counter(
            stream_of(entry["path"]) for entry in requests.get(log_url, timeout=60).json()
        )
        rows: Counter[str] = Counter()
        with (workdir / "tap.jsonl").open() as lines:
            for line in lines:
                if line.startswith('{"type":"RECORD"'):
                    rows[json.loads(line)["stream"]] += 1
        names = [*LISTS, "contacts", "agent_performance", "team_performance", "skill_summaries"]
        names += ["custom_reports", "data_download_reports", "sign-in"]
        return [
            (name, rows[name], sent[name], minimum_requests(name, rows[name], days, reports=1))
            for name in names
        ]


def print_requests(title: str, rows: list[tuple]) -> None:
    print(title)
    columns = ("rows", "requests", "minimum", "÷ min")
    print(f"  {'stream':<22} " + " ".join(f"{name:>9}" for name in columns))
    for stream, count, sent, least in rows:
        ratio = sent / least if least else float("nan")
        print(f"  {stream:<22} {count:>9} {sent:>9} {least:>9} {ratio:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--memory-at", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--quick", action="store_true", help="a small run of every figure")
    args = parser.parse_args()
    contacts = 3_000 if args.quick else args.contacts
    memory_at = [1_000, 3_000] if args.quick else args.memory_at
    speed = bench(contacts, with_floor=True)
    memory = []
    for size in memory_at:
        _, peak, records = bench(size, with_floor=False)["tap"]
        memory.append((records, peak))
    report("contacts", "tap-incontact", speed, memory)

    days = 45 if args.quick else 760
    print_requests(f"requests over {days} days, 40 contacts a day", requests_per_stream(40, days))
    print_requests(f"requests over {days} days, an empty tenant", requests_per_stream(0, days))


if __name__ == "__main__":
    main()
