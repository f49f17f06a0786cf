"""Benchmark: tap-incontact's contacts stream against a floor, over the same sandbox pages.

    uv run python tap-incontact/bench/bench.py [--contacts 100000] [--memory-at 10000 100000]

The sandbox runs in its own process; the tap and the floor each run as a child process
writing Singer RECORD lines to a file, so their wall time and peak memory (max RSS) are
whole-process figures. The floor is plain `requests` + `json`: one sign-in, then the same
`updatedSince` query paged with skip/top, one JSON line per contact, with no SDK in between.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

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
            credentials = [config["username"], config["password"]]
            floor = [sys.executable, "-c", FLOOR, config["auth_url"], key, since, *credentials]
            result["floor"] = measure(floor, workdir / "floor.jsonl")
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--memory-at", type=int, nargs="*", default=[10_000, 100_000])
    args = parser.parse_args()
    speed = bench(args.contacts, with_floor=True)
    memory = []
    for contacts in args.memory_at:
        _, peak, records = bench(contacts, with_floor=False)["tap"]
        memory.append((records, peak))
    report("contacts", "tap-incontact", speed, memory)


if __name__ == "__main__":
    main()
