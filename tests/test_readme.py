"""Every command in every README works as printed, in a new shell, against the sandbox.

Each ```bash, ```sh or ```console block of the READMEs (the root's, each tap's,
ARCHITECTURE.md and docs/shards.md) runs in a new `bash` (`set -eo pipefail`), as a
newcomer's new terminal would after the README's setup command: without the workspace's .venv
on PATH and without any sandbox variable. Of a ```console block, the lines after `$ ` run. A
block is left out only when the line before it says why:
`<!-- readme-test: skip, <reason> -->`; its meltano lines are still parsed by meltano (with
`--help`), so that they are Meltano 4 commands.

The blocks run in a scratch copy of the repository (symlinks, with its own meltano.yml, .env
and .meltano), so that `meltano config set` and the files the commands write stay there.
Nothing leaves 127.0.0.1 but the package installs meltano makes for its plugins.
"""

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
READMES = [
    ROOT / "README.md",
    *sorted(ROOT.glob("tap-*/README.md")),
    ROOT / "ARCHITECTURE.md",
    ROOT / "docs" / "shards.md",
]
BLOCK = re.compile(r"^```(bash|sh|console)\n(.*?)^```", re.MULTILINE | re.DOTALL)
SKIP = re.compile(r"<!-- readme-test: skip, (.+?) -->\s*$")
#: What the scratch copy holds of its own rather than as a link to the repository.
OWN = {"meltano.yml", ".env", ".meltano", "output", ".git", ".pytest_cache"}


@dataclass
class Block:
    where: str
    kind: str
    text: str
    skip_reason: str | None

    def script(self) -> str:
        lines = self.commands_of_console() if self.kind == "console" else self.text.splitlines()
        return "\n".join(lines)

    def commands_of_console(self) -> list[str]:
        commands: list[str] = []
        continued = False
        for line in self.text.splitlines():
            if line.startswith("$ ") or continued:
                commands.append(line[2:] if line.startswith("$ ") else line)
                continued = line.endswith("\\")
        return commands


def blocks() -> list[Block]:
    found = []
    for readme in READMES:
        if not readme.exists():
            continue
        text = readme.read_text()
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
            skip = SKIP.search(before)
            where = f"{readme.relative_to(ROOT)}:{line}"
            found.append(Block(where, match[1], match[2], skip[1] if skip else None))
    return found


BLOCKS = blocks()
RUN = [block for block in BLOCKS if block.skip_reason is None]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """A copy of the repository made of links, with its own project files for meltano."""
    where = tmp_path_factory.mktemp("clone")
    for entry in ROOT.iterdir():
        if entry.name not in OWN:
            (where / entry.name).symlink_to(entry)
    (where / "meltano.yml").write_text((ROOT / "meltano.yml").read_text())
    return where


def new_shell_env() -> dict[str, str]:
    """The environment of a new terminal: no .venv on PATH, no sandbox or meltano variables."""
    venv_bin = str(Path(sys.executable).parent)
    path = [part for part in os.environ["PATH"].split(os.pathsep) if part != venv_bin]
    dropped = ("VIRTUAL_ENV", "MELTANO_", "TAP_", "TARGET_", "PYTHONPATH")
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(dropped) and "_SANDBOX_" not in name
    }
    return {**env, "PATH": os.pathsep.join(path), "NO_COLOR": "1"}


def test_the_readmes_hold_commands_and_every_skipped_block_says_why() -> None:
    assert len(RUN) >= 10
    assert any("tasks.py demo" in block.text for block in RUN)
    for block in BLOCKS:
        assert block.skip_reason is None or len(block.skip_reason.split()) >= 3, block.where


def test_no_readme_command_needs_uv_or_a_meltano_outside_tasks_py() -> None:
    # After the setup command neither uv nor the workspace's commands are on PATH.
    for block in BLOCKS:
        for line in block.script().splitlines():
            command = line.strip()
            assert not command.startswith(("uv ", "meltano ")), (block.where, line)


def test_every_link_inside_the_repository_leads_to_a_file_and_none_is_a_placeholder() -> None:
    for readme in readmes_present():
        text = readme.read_text()
        assert "<org>" not in text, readme
        assert "this repository's URL" not in text, readme
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if not re.match(r"[a-z]+:", target):
                assert (readme.parent / target).exists(), (readme, target)


def readmes_present() -> list[Path]:
    return [readme for readme in READMES if readme.exists()]


#: meltano lines of the blocks left out (a real account's runs): each is parsed, not run.
SKIPPED_MELTANO = [
    (block.where, line.split(" #")[0].strip())
    for block in BLOCKS
    if block.skip_reason is not None
    for line in block.script().splitlines()
    if "tasks.py run meltano " in line
]


def in_new_shell(script: str, scratch: Path, *, timeout: int) -> subprocess.CompletedProcess:
    """`script` run by a new bash in `scratch`, as a user's new terminal would."""
    return subprocess.run(
        ["bash", "-c", script],
        cwd=scratch,
        env=new_shell_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize(("where", "line"), SKIPPED_MELTANO, ids=[w for w, _ in SKIPPED_MELTANO])
def test_meltano_lines_of_left_out_blocks_are_meltano_4_commands(where, line, scratch) -> None:
    # --help makes meltano resolve the command and its options without running it; a
    # command of another meltano version (`meltano config <plugin> set ...`) fails.
    done = in_new_shell(f"{line} --help", scratch, timeout=120)
    assert done.returncode == 0, f"{where}: {line}\n{done.stderr}"


@pytest.mark.parametrize("block", RUN, ids=[block.where for block in RUN])
def test_readme_block_runs_as_printed(block, scratch) -> None:
    done = in_new_shell("set -eo pipefail\n" + block.script(), scratch, timeout=900)
    assert done.returncode == 0, f"{block.where}\n{block.script()}\n{done.stdout}\n{done.stderr}"
