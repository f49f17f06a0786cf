"""End to end: `meltano run tap-callrail target-jsonl` in the sandbox environment."""

from tap_callrail.streams import STREAMS

from sandbox.demo import run_demo


def test_meltano_run_lands_every_stream(tmp_path) -> None:
    landed = run_demo(tmp_path, taps=["tap-callrail"], loader="target-jsonl")["tap-callrail"]
    assert set(landed) == {stream.name for stream in STREAMS}
    assert all(rows > 0 for rows in landed.values()), landed
