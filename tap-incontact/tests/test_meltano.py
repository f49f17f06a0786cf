"""End to end: `meltano run tap-incontact target-jsonl` in the sandbox environment."""

from tap_incontact.streams import STREAMS

from sandbox.demo import run_demo


def test_meltano_run_lands_every_stream(tmp_path) -> None:
    landed = run_demo(tmp_path, taps=["tap-incontact"], loader="target-jsonl")["tap-incontact"]
    assert set(landed) == {stream.name for stream in STREAMS}
    assert all(rows > 0 for rows in landed.values()), landed
