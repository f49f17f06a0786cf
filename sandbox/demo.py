"""The demo: every finished tap, against its simulator, through `meltano run`, into JSONL.

    uv run python -m sandbox.demo [--output DIR]

Starts the simulators on free ports of 127.0.0.1, installs the meltano plugins, runs
`meltano --environment=sandbox run <tap> target-jsonl` for each tap and prints the rows
that landed per stream. Nothing leaves this machine but the package installs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from sandbox.callrail import CallRailSandbox
from sandbox.incontact import InContactSandbox
from sandbox.leadexec import LeadExecSandbox
from sandbox.mongoose import MongooseSandbox

ROOT = Path(__file__).resolve().parent.parent
SANDBOX_KEY = "sandbox-key"  # the key meltano.yml's sandbox environment uses

#: tap name -> (environment variable meltano.yml reads the URL from, simulator factory)
TAPS: dict[str, tuple[str, Callable[[], Any]]] = {
    "tap-callrail": ("CALLRAIL_SANDBOX_URL", lambda: CallRailSandbox(api_keys=(SANDBOX_KEY,))),
    "tap-incontact": ("INCONTACT_SANDBOX_URL", InContactSandbox),
    "tap-mongoose": ("MONGOOSE_SANDBOX_URL", lambda: MongooseSandbox(api_key=SANDBOX_KEY)),
    "tap-clickpoint": ("CLICKPOINT_SANDBOX_URL", lambda: LeadExecSandbox(api_keys=(SANDBOX_KEY,))),
}


def meltano(*args: str, env: dict[str, str]) -> None:
    command = [str(Path(sys.executable).with_name("meltano")), *args]
    print("+ meltano", " ".join(args), flush=True)
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def run_demo(output: Path, taps: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Land the streams of every tap (or of `taps`) in `output`; return rows per stream per tap."""
    chosen = taps or list(TAPS)
    landed: dict[str, dict[str, int]] = {}
    with ExitStack() as running:
        env = {**os.environ, "MELTANO_ENVIRONMENT": "sandbox", "NO_COLOR": "1"}
        for tap in chosen:
            url_variable, start = TAPS[tap]
            simulator = running.enter_context(start())
            env[url_variable] = simulator.api_url
            env.update(simulator.env())
        meltano("install", "extractor", *chosen, env=env)
        meltano("install", "loader", "target-jsonl", env=env)
        for tap in chosen:
            tap_output = output / tap
            shutil.rmtree(tap_output, ignore_errors=True)
            tap_output.mkdir(parents=True)
            env["TARGET_JSONL_DESTINATION_PATH"] = str(tap_output)
            meltano("--log-level=warning", "run", "--full-refresh", tap, "target-jsonl", env=env)
            landed[tap] = {
                path.stem: sum(1 for _ in path.open())
                for path in sorted(tap_output.glob("*.jsonl"))
            }
    return landed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "output", help="where rows land")
    landed = run_demo(parser.parse_args().output)
    for tap, streams in landed.items():
        print(f"\n{tap}: {sum(streams.values())} rows in {len(streams)} streams")
        for stream, rows in streams.items():
            print(f"  {stream:<20} {rows:>7}")


if __name__ == "__main__":
    main()
