"""Run every simulator on 127.0.0.1 until SIGTERM or SIGINT.

    python -m sandbox serve [--port N] [--calls-per-account N] [--seed N]
                            [--rate-limit-per-hour N] [--env-file PATH]

Prints one `NAME=value` line per setting (the simulator's URL and API key), so a shell or
the demo can point the taps at the simulators.
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Callable
from pathlib import Path

from sandbox.callrail import CallRailSandbox
from sandbox.core.server import SandboxServer
from sandbox.incontact import InContactSandbox
from sandbox.leadexec import LeadExecSandbox
from sandbox.mongoose import MongooseSandbox

#: Every simulator `serve` starts: a factory from the parsed options and a port (0 = any free).
SIMULATORS: list[Callable[[argparse.Namespace, int], SandboxServer]] = [
    lambda options, port: CallRailSandbox(
        port=port,
        calls_per_account=options.calls_per_account,
        seed=options.seed,
        rate_limit_per_hour=options.rate_limit_per_hour,
    ),
    lambda options, port: MongooseSandbox(port=port, seed=options.seed),
    lambda options, port: LeadExecSandbox(port=port, seed=options.seed),
    lambda options, port: InContactSandbox(
        port=port,
        seed=options.seed,
        contacts_per_day=options.contacts_per_day,
    ),
]


def serve(options: argparse.Namespace) -> None:
    stopping = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stopping.set())
    simulators: list[SandboxServer] = []
    try:
        for offset, make in enumerate(SIMULATORS):
            # A fixed --port is the first simulator's; the others take the ports after it.
            port = options.port + offset if options.port else 0
            simulators.append(make(options, port).start())
        lines = [f"{name}={value}" for s in simulators for name, value in s.env().items()]
        if options.env_file:
            # Written whole and then renamed, as readers poll for the file to appear.
            partial = Path(options.env_file + ".partial")
            partial.write_text("\n".join(lines) + "\n")
            partial.replace(options.env_file)
        print("\n".join(lines), flush=True)
        stopping.wait()
    finally:
        for simulator in simulators:
            simulator.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="start the simulators and wait")
    serve_parser.add_argument("--port", type=int, default=0, help="first port (default: any)")
    serve_parser.add_argument("--calls-per-account", type=int, default=1500)
    serve_parser.add_argument("--contacts-per-day", type=int, default=300)
    serve_parser.add_argument("--seed", type=int, default=7)
    serve_parser.add_argument("--rate-limit-per-hour", type=int, default=1000)
    serve_parser.add_argument("--env-file", help="also write the NAME=value lines to this file")
    options = parser.parse_args(argv)
    serve(options)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
