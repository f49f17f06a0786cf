#!/usr/bin/env python3
"""The commands of this repository.

    python3 tasks.py demo          install everything, run every tap against the sandbox
    python3 tasks.py test          install everything, run ruff, mypy and every test
    python3 tasks.py psql [...]    psql on the demo's database (.demo/postgres), with psql's options
    python3 tasks.py copy-common   copy the shared helpers in common/ into every tap

Needs only Python 3.10+ and pip: uv is installed into .tools/ when it is not on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
UV_VERSION = "0.13.9"
TAPS = ("tap-callrail", "tap-incontact", "tap-clickpoint", "tap-mongoose")
COMMON = ROOT / "common"
LINTED = ("common", "sandbox", *(f"{tap}/{tap.replace('-', '_')}" for tap in TAPS))
COPY_HEADER = (
    "# Copied from common/{name} by `python3 tasks.py copy-common`: "
    "edit the source, not this copy.\n"
)


def common_copies() -> dict[Path, str]:
    """Each tap's copy of each shared helper, and the text it must hold."""
    copies = {}
    for source in sorted(COMMON.glob("*.py")):
        text = COPY_HEADER.format(name=source.name) + source.read_text()
        for tap in TAPS:
            package = ROOT / tap / tap.replace("-", "_") / "common"
            copies[package / source.name] = text
    return copies


def copy_common() -> None:
    """Write every copy anew, and remove copies whose source is gone."""
    copies = common_copies()
    for package in {path.parent for path in copies}:
        package.mkdir(exist_ok=True)
        for stale in set(package.glob("*.py")) - set(copies):
            stale.unlink()
    for path, text in copies.items():
        path.write_text(text)
    print(f"copied {len(list(COMMON.glob('*.py')))} modules of common/ into {len(TAPS)} taps")


def uv() -> str:
    """The uv executable: the one on PATH, else a private copy in .tools/."""
    found = shutil.which("uv")
    if found:
        return found
    tools = ROOT / ".tools"
    bin_dir = tools / ("Scripts" if os.name == "nt" else "bin")
    executable = bin_dir / ("uv.exe" if os.name == "nt" else "uv")
    if not executable.exists():
        venv.create(tools, with_pip=True)
        pip = [str(bin_dir / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, f"uv=={UV_VERSION}"], check=True)
    return str(executable)


def run(*command: str) -> None:
    print("+", " ".join(command), flush=True)
    code = subprocess.run(command, cwd=ROOT, check=False).returncode
    if code:
        sys.exit(code)


def main() -> None:
    task = sys.argv[1] if len(sys.argv) > 1 else ""
    if task == "copy-common":
        copy_common()
        return
    if task not in {"demo", "test", "psql"}:
        sys.exit(__doc__)
    os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
    uv_bin = uv()
    run(uv_bin, "sync", "--frozen", "--all-packages", "--python", sys.executable)
    if task in {"demo", "psql"}:
        arguments = sys.argv[1:] if task == "psql" else sys.argv[2:]
        run(uv_bin, "run", "--frozen", "python", "-m", "sandbox.demo", *arguments)
        return
    if not sys.argv[2:]:  # the whole suite: the checks the habits promise come first
        run(uv_bin, "run", "--frozen", "ruff", "check", ".")
        run(uv_bin, "run", "--frozen", "ruff", "format", "--check", ".")
        run(uv_bin, "run", "--frozen", "mypy", *LINTED)
    run(uv_bin, "run", "--frozen", "pytest", *sys.argv[2:])


if __name__ == "__main__":
    main()
