"""End to end: `meltano run tap-clickpoint target-jsonl` in the sandbox environment."""

import json
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from sandbox.demo import ROOT, meltano, run_demo, sandbox_env
from sandbox.leadexec import LEAD_TYPES


def test_meltano_run_lands_every_lead_type_with_its_own_fields(tmp_path) -> None:
    landed = run_demo(tmp_path, taps=["tap-clickpoint"], loader="target-jsonl")["tap-clickpoint"]
    assert set(landed) == {"leads"}
    rows = [json.loads(line) for line in (tmp_path / "tap-clickpoint" / "leads.jsonl").open()]
    assert len(rows) == landed["leads"] > 0
    for lead_type in LEAD_TYPES:
        own = {name for name, _ in lead_type.fields}
        of_type = [row for row in rows if row["lead_type_id"] == lead_type.lid]
        assert of_type, lead_type.name
        assert all(own <= set(row) for row in of_type), lead_type.name
        assert any(all(row[name] is not None for name in own) for row in of_type), lead_type.name
    mortgage = next(r for r in rows if r.get("IndustrySub-Category") and r.get("CreditScore"))
    assert isinstance(mortgage["CreditScore"], int)
    assert isinstance(mortgage["LoanAmount"], float)
    assert isinstance(mortgage["IsVeteran"], bool)
    assert mortgage["DateAdded"].endswith("+00:00")
    assert {row.get("AnnualUsageKwh") for row in rows} >= {"N/A"}
    assert any(row["Sends"] for row in rows)


#: The shards meltano.yml declares (docs/shards.md), and the lead types each reads.
SHARDS = {"tap-clickpoint--shard-1": [1841], "tap-clickpoint--shard-2": [2207, 3115]}


def landed_rows(folder: Path) -> list[str]:
    return sorted(line.strip() for line in (folder / "leads.jsonl").open())


def meltano_state(state_id: str, env: dict[str, str]) -> dict:
    command = [str(Path(sys.executable).with_name("meltano")), "state", "get", state_id]
    done = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def test_two_shards_at_once_under_meltano_land_what_one_run_lands(tmp_path) -> None:
    with ExitStack() as running:
        env = sandbox_env(["tap-clickpoint"], running)
        meltano("install", "extractor", "tap-clickpoint", *SHARDS, env=env)
        meltano("install", "loader", "target-jsonl", env=env)
        runs = {}
        for extractor in ("tap-clickpoint", *SHARDS):
            (tmp_path / extractor).mkdir()
            command = [str(Path(sys.executable).with_name("meltano")), "run", "--full-refresh"]
            runs[extractor] = subprocess.Popen(
                [*command, extractor, "target-jsonl"],
                cwd=ROOT,
                env={**env, "TARGET_JSONL_DESTINATION_PATH": str(tmp_path / extractor)},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            if extractor == "tap-clickpoint":  # the whole run first, then the shards at once
                assert runs[extractor].wait() == 0, runs[extractor].stderr
        for extractor, run in runs.items():
            assert run.wait() == 0, f"{extractor}: {run.stderr.read() if run.stderr else ''}"
        together = sorted(row for shard in SHARDS for row in landed_rows(tmp_path / shard))
        assert together == landed_rows(tmp_path / "tap-clickpoint")
        for shard, lead_types in SHARDS.items():
            rows = [json.loads(row) for row in landed_rows(tmp_path / shard)]
            assert sorted({row["lead_type_id"] for row in rows}) == lead_types
            state = meltano_state(f"sandbox:{shard}-to-target-jsonl", env)
            partitions = state["singer_state"]["bookmarks"]["leads"]["partitions"]
            assert sorted(p["context"]["lead_type_id"] for p in partitions) == lead_types
