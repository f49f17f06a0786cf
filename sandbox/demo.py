"""The demo: every tap, against its simulator, through `meltano run`, into a typed database.

    uv run python -m sandbox.demo [--loader target-postgres|target-jsonl] [--output DIR]
    uv run python -m sandbox.demo psql [psql options]

Starts the simulators on free ports of 127.0.0.1 (fresh ones each time, so a demo never meets
the rate limits of an earlier one), installs the meltano plugins, and runs
`meltano --environment=sandbox run <tap> <loader>` for each tap, logging as `LOGGING` says:
each tap's progress and summary lines, and only the loader's warnings. By default the rows land in
PostgreSQL 16 (from the pgserver wheel, started without root or a system service), one schema
per tap, with date-times as `timestamptz` and days as `date`; the database stays in
`.demo/postgres/` for `psql` to query. With `--loader target-jsonl` they land as JSON lines in
`--output`. Nothing leaves this machine but the package installs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from sandbox.callrail import CallRailSandbox
from sandbox.incontact import InContactSandbox
from sandbox.leadexec import LeadExecSandbox
from sandbox.mongoose import MongooseSandbox

ROOT = Path(__file__).resolve().parent.parent
SANDBOX_KEY = "sandbox-key"  # the key meltano.yml's sandbox environment uses
DATABASE = ROOT / ".demo" / "postgres"
#: Taps log at INFO (progress and a summary per stream), loaders at WARNING.
LOGGING = Path(__file__).with_name("demo_logging.yaml")
LOADERS = ("target-postgres", "target-jsonl")
#: What the demo shows after loading: calls per day, across every CallRail account.
SAMPLE_QUERY = (
    "select date, sum(total_calls) as calls, sum(answered_calls) as answered "
    "from tap_callrail.calls_summary where group_by = 'source' "
    "group by date order by date desc limit 5"
)

#: psql runs each query the first one writes: one count per table, names quoted by the server.
ROW_COUNTS = """
select format('select %L, count(*) from %I.%I', table_name, table_schema, table_name)
from information_schema.tables where table_schema = :'schema' order by table_name \\gexec
"""

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


def schema_of(tap: str) -> str:
    """The database schema a tap's tables land in: tap-callrail -> tap_callrail."""
    return tap.replace("-", "_")


class Database:
    """The demo's PostgreSQL, in `DATABASE`, reached over its unix socket."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.uri = str(server.get_uri())
        self.socket_dir = self.uri.split("host=", 1)[1]

    @property
    def sqlalchemy_url(self) -> str:
        return f"postgresql+psycopg://postgres@/postgres?host={self.socket_dir}"

    def psql(self, *args: str, capture: bool = True, input: str | None = None) -> str:
        import pgserver

        binary = Path(pgserver.__file__).parent / "pginstall" / "bin" / "psql"
        command = [str(binary), self.uri, "-X", *args]
        done = subprocess.run(command, check=True, text=True, capture_output=capture, input=input)
        return done.stdout

    def rows(self, query: str) -> list[list[str]]:
        """The rows of a query, each a list of column texts."""
        text = self.psql("-tA", "-F", "\t", "-c", query)
        return [line.split("\t") for line in text.splitlines() if line]

    def row_counts(self, schema: str) -> dict[str, int]:
        """Rows per table of `schema`, counted by the server (names quoted there, by %I)."""
        options = ("-tA", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-v", f"schema={schema}")
        text = self.psql(*options, input=ROW_COUNTS)
        return {
            name: int(count) for name, count in (line.split("\t") for line in text.splitlines())
        }


@contextmanager
def database(where: Path = DATABASE) -> Iterator[Database]:
    """The demo's database, started (and created on first use), stopped afterwards."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import pgserver

        where.parent.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(where, cleanup_mode="stop")
    try:
        yield Database(server)
    finally:
        server.cleanup()


def sandbox_env(taps: list[str], running: ExitStack) -> dict[str, str]:
    """The environment meltano's sandbox environment reads, with a fresh simulator per tap."""
    env = {**os.environ, "MELTANO_ENVIRONMENT": "sandbox", "NO_COLOR": "1"}
    for tap in taps:
        url_variable, start = TAPS[tap]
        simulator = running.enter_context(start())
        env[url_variable] = simulator.api_url
        env.update(simulator.env())
    return env


def stream_schemas(tap: str, env: dict[str, str]) -> dict[str, dict]:
    """The schema of each stream, as the tap discovers it in the sandbox environment."""
    command = [str(Path(sys.executable).with_name("meltano")), "invoke", "--dump=catalog", tap]
    done = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    catalog = json.loads(done.stdout)
    return {entry["tap_stream_id"]: entry["schema"] for entry in catalog["streams"]}


def run_demo(
    output: Path | None = None, taps: list[str] | None = None, loader: str = LOADERS[0]
) -> dict[str, dict[str, int]]:
    """Land the streams of every tap (or of `taps`); return rows per stream per tap.

    With target-postgres the database is `output`/postgres when `output` is given (tests give
    a temporary folder), else the demo's own in `.demo/postgres`.
    """
    chosen = taps or list(TAPS)
    landed: dict[str, dict[str, int]] = {}
    with ExitStack() as running:
        env = sandbox_env(chosen, running)
        db = None
        if loader == "target-postgres":
            db = running.enter_context(database(output / "postgres" if output else DATABASE))
        meltano("install", "extractor", *chosen, env=env)
        meltano("install", "loader", loader, env=env)
        for tap in chosen:
            if db is not None:
                db.psql("-q", "-c", f"drop schema if exists {schema_of(tap)} cascade")
                env["TARGET_POSTGRES_SQLALCHEMY_URL"] = db.sqlalchemy_url
                env["TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA"] = schema_of(tap)
            else:
                assert output is not None
                tap_output = output / tap
                shutil.rmtree(tap_output, ignore_errors=True)
                tap_output.mkdir(parents=True)
                env["TARGET_JSONL_DESTINATION_PATH"] = str(tap_output)
            meltano(f"--log-config={LOGGING}", "run", "--full-refresh", tap, loader, env=env)
            if db is not None:
                landed[tap] = db.row_counts(schema_of(tap))
            else:
                assert output is not None
                landed[tap] = {
                    path.stem: sum(1 for _ in path.open())
                    for path in sorted((output / tap).glob("*.jsonl"))
                }
        if db is not None and "tap-callrail" in chosen:
            print(f"\n{SAMPLE_QUERY};")
            print(db.psql("-c", SAMPLE_QUERY))
    return landed


def psql(arguments: list[str]) -> int:
    """psql on the demo's database, with whatever options are given."""
    if not (DATABASE / "PG_VERSION").exists():
        print("The demo's database does not exist yet: run `python3 tasks.py demo` first.")
        return 1
    with database() as db:
        try:
            db.psql(*arguments, capture=False)
        except subprocess.CalledProcessError as error:
            return error.returncode
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["psql"]:
        return psql(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loader", choices=LOADERS, default=LOADERS[0])
    parser.add_argument(
        "--output", type=Path, default=ROOT / "output", help="where target-jsonl rows land"
    )
    options = parser.parse_args(argv)
    output = options.output if options.loader == "target-jsonl" else None
    landed = run_demo(output, loader=options.loader)
    for tap, streams in landed.items():
        print(f"\n{tap}: {sum(streams.values())} rows in {len(streams)} tables")
        for stream, rows in streams.items():
            print(f"  {stream:<24} {rows:>7}")
    if options.loader == "target-postgres":
        print(f"\nThe rows stay in PostgreSQL, in {DATABASE.relative_to(ROOT)}/: query them with")
        print('  python3 tasks.py psql -c "select count(*) from tap_callrail.calls"')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
