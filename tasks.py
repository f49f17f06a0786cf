#!/usr/bin/env python3
"""The two set-up commands of this repository.

    python3 tasks.py demo   install everything, run every tap against the sandbox with meltano
    python3 tasks.py test   install everything, run every test

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
    if task not in {"demo", "test"}:
        sys.exit(__doc__)
    os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
    uv_bin = uv()
    run(uv_bin, "sync", "--frozen", "--all-packages", "--python", sys.executable)
    if task == "demo":
        run(uv_bin, "run", "--frozen", "python", "-m", "sandbox.demo")
    else:
        run(uv_bin, "run", "--frozen", "pytest", *sys.argv[2:])


if __name__ == "__main__":
    main()
