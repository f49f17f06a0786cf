#!/usr/bin/env python3
"""The commands of this repository.

    python3 tasks.py demo            install everything, run every tap against the sandbox
    python3 tasks.py test [ARGS]     install everything, run ruff, mypy and every test
                                     (with ARGS: only `pytest ARGS`)
    python3 tasks.py psql [ARGS]     psql on the demo's database (.demo/postgres)
    python3 tasks.py run CMD [ARGS]  CMD in the workspace environment: meltano, tap-callrail, ...
    python3 tasks.py sandbox [CMD]   the simulators on 127.0.0.1 and their variables, around CMD
                                     (without CMD: print the variables and serve until Ctrl-C)
    python3 tasks.py settings        write meltano.yml's settings, hub/*.yml and each README's
                                     settings table from the taps' config_jsonschema
    python3 tasks.py copy-common     copy the shared helpers in common/ into every tap

Needs only Python 3.10+ and pip: uv is installed into .tools/ when it is not on PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
REPOSITORY = "https://github.com/calltaps/calltaps"
UV_VERSION = "0.13.9"
TAPS = ("tap-callrail", "tap-incontact", "tap-clickpoint", "tap-mongoose")
COMMON = ROOT / "common"
LINTED = (
    "common",
    "sandbox",
    "tasks.py",
    "tests",
    *(f"{tap}/{tap.replace('-', '_')}" for tap in TAPS),
)
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


#: What each tap reads, as Meltano Hub labels it.
HUB_LABELS = {
    "tap-callrail": "CallRail",
    "tap-incontact": "inContact / NICE CXone",
    "tap-clickpoint": "ClickPoint LeadExec",
    "tap-mongoose": "Mongoose Metrics",
}
#: Words of a setting's name that a label spells otherwise: account_ids -> "Account IDs".
LABEL_WORDS = {"api": "API", "url": "URL", "id": "ID", "ids": "IDs", "cxone": "CXone"}
#: JSON Schema type -> Meltano setting kind; enums are `options`, secrets `sensitive: true`.
KINDS = {"array": "array", "object": "object", "integer": "integer", "number": "decimal"}
KINDS["boolean"] = "boolean"
TABLE_BEGIN = (
    "<!-- settings: written by `python3 tasks.py settings` from the tap's config_jsonschema; "
    "change a description there, not here -->"
)
TABLE_END = "<!-- end of settings -->"


def tap_settings(tap: str) -> tuple[dict[str, dict], list[str]]:
    """A tap's own settings (its `config_jsonschema`, not the SDK's) and the required ones.

    Needs the workspace environment: `python3 tasks.py settings` runs it there.
    """
    import importlib
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name=tap)
    module, attribute = script.value.split(":")
    tap_class = getattr(importlib.import_module(module), attribute.split(".")[0])
    schema = tap_class.config_jsonschema
    # A tap instance merges the SDK's own settings (stream_maps, flattening...) into the class's
    # schema; they are the SDK's, documented by it, so they are left out whatever ran before.
    builtin: dict = {"properties": {}}
    tap_class.append_builtin_config(builtin)
    own = dict(schema["properties"])
    for name in builtin["properties"]:
        own.pop(name, None)
    return own, list(schema.get("required", []))


def json_types(prop: dict) -> list[str]:
    types = prop.get("type", "string")
    return [kind for kind in ([types] if isinstance(types, str) else types) if kind != "null"]


def setting_kind(prop: dict) -> str:
    if "enum" in prop:
        return "options"
    first = (json_types(prop) or ["string"])[0]
    if first == "string" and prop.get("format") in ("date", "date-time"):
        return "date_iso8601"
    return KINDS.get(first, "string")


def is_long_list(value: Any) -> bool:
    """A default too long to repeat in meltano.yml or a table: `--about` shows it."""
    return isinstance(value, list) and len(value) > 3


def setting_label(name: str, prop: dict) -> str:
    if prop.get("title"):
        return str(prop["title"])
    text = " ".join(LABEL_WORDS.get(word, word) for word in name.split("_"))
    return text[0].upper() + text[1:]


def meltano_setting(name: str, prop: dict) -> dict[str, Any]:
    """A setting as meltano.yml declares it, keys in the order `meltano config set` writes."""
    setting: dict[str, Any] = {"name": name, "kind": setting_kind(prop)}
    if "default" in prop and not is_long_list(prop["default"]):
        setting["value"] = prop["default"]
    setting["label"] = setting_label(name, prop)
    setting["description"] = prop.get("description", "")
    if "enum" in prop:
        setting["options"] = [{"label": str(value), "value": value} for value in prop["enum"]]
    if prop.get("secret"):
        setting["sensitive"] = True
    return setting


def hub_setting(name: str, prop: dict) -> dict[str, Any]:
    """A setting as a Meltano Hub definition declares it: secrets are `kind: password` there."""
    setting = meltano_setting(name, prop)
    if prop.get("secret"):
        setting["kind"] = "password"
    return setting


def table_kind(prop: dict, required: bool) -> str:
    """What the settings table says a setting holds: `integer, 0 to 3650, required`."""
    types = json_types(prop) or ["string"]
    if "enum" in prop:
        text = " or ".join(", ".join(f"`{v}`" for v in prop["enum"]).rsplit(", ", 1))
    elif types[0] == "array":
        items = prop.get("items", {})
        text = f"array of {(json_types(items) or ['string'])[0]}s"
        if "enum" in items:
            text += ": " + ", ".join(f"`{v}`" for v in items["enum"])
    else:
        text = types[0]
        if "minimum" in prop and "maximum" in prop:
            text += f", {prop['minimum']} to {prop['maximum']}"
    if prop.get("secret"):
        text += ", **secret**"
    return text + (", required" if required else "")


def table_default(tap: str, prop: dict) -> str:
    if "default" not in prop:
        return ""
    value = prop["default"]
    if is_long_list(value):
        return f"{len(value)} values: `{tap} --about` lists them"
    return f"`{value if isinstance(value, str) else json.dumps(value)}`"


def settings_table(tap: str) -> str:
    properties, required = tap_settings(tap)
    rows = ["| name | kind | default | meaning |", "|---|---|---|---|"]
    for name, prop in properties.items():
        meaning = str(prop.get("description", "")).replace("|", "\\|")
        kind = table_kind(prop, name in required)
        rows.append(f"| `{name}` | {kind} | {table_default(tap, prop)} | {meaning} |")
    return "\n".join([TABLE_BEGIN, *rows, TABLE_END])


def yaml_text(data: Any) -> str:
    """YAML as meltano writes it (ruamel, block style, no wrapping)."""
    import io

    from ruamel.yaml import YAML

    writer = YAML()
    writer.preserve_quotes = True
    writer.width = 4096
    text = io.StringIO()
    writer.dump(data, text)
    return text.getvalue()


def meltano_project() -> Any:
    from ruamel.yaml import YAML

    reader = YAML()
    reader.preserve_quotes = True
    return reader.load((ROOT / "meltano.yml").read_text())


def hub_definition(tap: str, extractor: Any) -> dict[str, Any]:
    """The Meltano Hub plugin definition of a tap, `variant: calltaps`."""
    from importlib.metadata import metadata

    properties, _ = tap_settings(tap)
    about = metadata(tap)
    return {
        "name": tap,
        "variant": "calltaps",
        "namespace": tap.replace("-", "_"),
        "label": HUB_LABELS[tap],
        "description": about["Summary"],
        "keywords": sorted(about["Keywords"].split(",")),
        "repo": REPOSITORY,
        "docs": f"{REPOSITORY}/tree/main/{tap}#readme",
        "pip_url": f"git+{REPOSITORY}.git#subdirectory={tap}",
        "executable": tap,
        "capabilities": list(extractor["capabilities"]),
        "settings_group_validation": [
            list(group) for group in extractor["settings_group_validation"]
        ],
        "settings": [hub_setting(name, prop) for name, prop in properties.items()],
    }


def generated_settings() -> dict[Path, str]:
    """Every file `python3 tasks.py settings` writes, and the text it must hold.

    meltano.yml keeps everything but its extractors' `settings:`; each README everything but
    the table between TABLE_BEGIN and TABLE_END.
    """
    project = meltano_project()
    files: dict[Path, str] = {}
    for extractor in project["plugins"]["extractors"]:
        if "inherit_from" in extractor:  # a shard: its settings are its parent's
            continue
        tap = extractor["name"]
        properties, _ = tap_settings(tap)
        extractor["settings"] = [meltano_setting(name, prop) for name, prop in properties.items()]
        header = f"# Written by `python3 tasks.py settings` from {tap}'s config_jsonschema.\n"
        files[ROOT / "hub" / f"{tap}.yml"] = header + yaml_text(hub_definition(tap, extractor))
        readme = (ROOT / tap / "README.md").read_text()
        before, rest = readme.split(TABLE_BEGIN, 1)
        after = rest.split(TABLE_END, 1)[1]
        files[ROOT / tap / "README.md"] = before + settings_table(tap) + after
    files[ROOT / "meltano.yml"] = yaml_text(project)
    return files


def write_settings() -> None:
    for path, text in generated_settings().items():
        path.parent.mkdir(exist_ok=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")


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


def run(*command: str, echo: bool = True) -> None:
    if echo:
        print("+", " ".join(command), file=sys.stderr, flush=True)
    code = subprocess.run(command, cwd=ROOT, check=False).returncode
    if code:
        sys.exit(code)


def workspace_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This shell's environment with the workspace's commands (.venv/bin) first on PATH."""
    bin_dir = ROOT / ".venv" / ("Scripts" if os.name == "nt" else "bin")
    path = os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])
    return {**os.environ, "VIRTUAL_ENV": str(ROOT / ".venv"), "PATH": path, **(extra or {})}


def in_workspace(
    command: list[str], extra: dict[str, str] | None = None, *, replace: bool = False
) -> int:
    """Run `command` here (not in ROOT), as a shell with .venv activated would.

    With `replace`, the command takes this process's place, so that a signal meant for
    `python3 tasks.py run ...` (Ctrl-C, `kill %1`) reaches it.
    """
    if not command:
        sys.exit("say which command to run, e.g. `python3 tasks.py run meltano --help`")
    try:
        if replace:
            os.execvpe(command[0], command, workspace_env(extra))  # noqa: S606 (the user's command)
        return subprocess.run(command, env=workspace_env(extra), check=False).returncode
    except FileNotFoundError:
        sys.exit(f"{command[0]}: no such command in the workspace environment")


def with_sandbox(command: list[str]) -> int:
    """Start every simulator, run `command` with their variables set, stop them.

    Without a command, print the variables and serve until Ctrl-C.
    """
    with tempfile.TemporaryDirectory() as scratch:
        env_file = Path(scratch) / "sandbox.env"
        serve = ["python", "-m", "sandbox", "serve", "--env-file", str(env_file)]
        output = None if not command else subprocess.DEVNULL
        server = subprocess.Popen(serve, cwd=ROOT, env=workspace_env(), stdout=output)
        try:
            while not env_file.exists():
                if server.poll() is not None:
                    sys.exit("the sandbox stopped before it served")
                time.sleep(0.1)
            if not command:
                return server.wait()
            lines = env_file.read_text().splitlines()
            return in_workspace(command, dict(line.split("=", 1) for line in lines if line))
        except KeyboardInterrupt:  # how serving ends; a command it cuts short failed
            return 130 if command else 0
        finally:
            server.terminate()
            server.wait()


def main() -> None:
    task, arguments = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if task == "copy-common":
        copy_common()
        return
    if task not in {"demo", "test", "psql", "run", "sandbox", "settings"}:
        sys.exit(__doc__)
    os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
    uv_bin = uv()
    quiet = task in {"run", "sandbox"}  # their output is the command's own
    # The first python3 makes .venv; another python3 later must not make uv rebuild it.
    python = [] if (ROOT / ".venv").exists() else ["--python", sys.executable]
    sync = [uv_bin, "sync", *(["--quiet"] if quiet else []), "--frozen", "--all-packages"]
    run(*sync, *python, echo=not quiet)
    if task == "run":
        sys.exit(in_workspace(arguments, replace=True))
    if task == "sandbox":
        sys.exit(with_sandbox(arguments))
    if task == "settings":
        run(uv_bin, "run", "--frozen", "python", "-c", "import tasks; tasks.write_settings()")
        return
    if task in {"demo", "psql"}:
        arguments = sys.argv[1:] if task == "psql" else arguments
        run(uv_bin, "run", "--frozen", "python", "-m", "sandbox.demo", *arguments)
        return
    if not arguments:  # the whole suite: the checks the habits promise come first
        run(uv_bin, "run", "--frozen", "ruff", "check", ".")
        run(uv_bin, "run", "--frozen", "ruff", "format", "--check", ".")
        run(uv_bin, "run", "--frozen", "mypy", *LINTED)
    run(uv_bin, "run", "--frozen", "pytest", *arguments)


if __name__ == "__main__":
    main()
