"""End to end: `meltano run tap-clickpoint target-jsonl` in the sandbox environment."""

import json

from sandbox.demo import run_demo
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
