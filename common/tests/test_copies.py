"""Every tap holds an exact copy of each shared helper: a hand-edited copy fails here."""

from pathlib import Path

import tasks

ROOT = Path(__file__).resolve().parents[2]


def test_every_tap_holds_an_exact_copy_of_every_shared_helper() -> None:
    copies = tasks.common_copies()
    assert len(copies) == len(list((ROOT / "common").glob("*.py"))) * 4
    drifted = [
        str(path.relative_to(ROOT))
        for path, text in copies.items()
        if not path.exists() or path.read_text() != text
    ]
    assert not drifted, f"run `python3 tasks.py copy-common`; these differ from common/: {drifted}"


def test_no_tap_holds_a_copy_whose_source_is_gone() -> None:
    copies = set(tasks.common_copies())
    held = {path for tap in ROOT.glob("tap-*") for path in tap.glob("tap_*/common/*.py")}
    assert held <= copies, sorted(str(p) for p in held - copies)
