"""meltano.yml's settings, hub/*.yml and each README's settings table are written from the taps'
config_jsonschema by `python3 tasks.py settings`: a hand edit, or a setting added to a tap
without re-running the command, fails here."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import tasks

ROOT = Path(__file__).resolve().parents[1]


def extractor_settings(text: str) -> dict[str, list]:
    project = yaml.safe_load(text)
    extractors = project["plugins"]["extractors"]
    return {p["name"]: p["settings"] for p in extractors if "inherit_from" not in p}


def test_hub_files_and_readme_tables_are_as_the_command_writes_them() -> None:
    generated = tasks.generated_settings()
    assert {path.name for path in generated if path.parent.name == "hub"} == {
        f"{tap}.yml" for tap in tasks.TAPS
    }
    drifted = [
        str(path.relative_to(ROOT))
        for path, text in generated.items()
        if path.name != "meltano.yml" and (not path.exists() or path.read_text() != text)
    ]
    assert not drifted, f"run `python3 tasks.py settings`; these differ: {drifted}"


def test_meltano_yml_declares_each_extractor_setting_as_the_command_writes_it() -> None:
    # Compared as data: `meltano config set` rewrites the file's layout, not its settings.
    wanted = extractor_settings(tasks.generated_settings()[ROOT / "meltano.yml"])
    held = extractor_settings((ROOT / "meltano.yml").read_text())
    assert set(held) == set(tasks.TAPS)
    for tap in tasks.TAPS:
        assert held[tap] == wanted[tap], f"run `python3 tasks.py settings`: {tap} differs"


def test_every_setting_in_meltano_yml_has_a_description() -> None:
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    plugins = [*project["plugins"]["extractors"], *project["plugins"]["loaders"]]
    bare = [
        f"{plugin['name']}.{setting['name']}"
        for plugin in plugins
        for setting in plugin.get("settings", [])
        if not str(setting.get("description", "")).strip()
    ]
    assert not bare


@pytest.mark.parametrize("tap", tasks.TAPS)
def test_secrets_are_sensitive_and_required_settings_are_in_every_group(tap) -> None:
    properties, required = tasks.tap_settings(tap)
    hub = yaml.safe_load((ROOT / "hub" / f"{tap}.yml").read_text())
    secrets = {name for name, prop in properties.items() if prop.get("secret")}
    assert secrets
    assert {s["name"] for s in hub["settings"] if s.get("sensitive")} == secrets
    assert {s["name"] for s in hub["settings"] if s["kind"] == "password"} == secrets
    assert all(set(required) <= set(group) for group in hub["settings_group_validation"])
    assert hub["pip_url"] == f"git+https://github.com/calltaps/calltaps.git#subdirectory={tap}"


@pytest.mark.parametrize(
    ("prop", "kind"),
    [
        ({"type": ["string", "null"], "enum": ["a", "b"]}, "options"),
        ({"type": ["array", "null"], "items": {"type": ["string"], "enum": ["x"]}}, "array"),
        ({"type": "array", "items": {"type": ["integer"]}}, "array"),
        ({"type": ["object", "null"], "properties": {}}, "object"),
        ({"type": ["integer", "null"], "minimum": 0}, "integer"),
        ({"type": ["number", "null"]}, "decimal"),
        ({"type": ["boolean", "null"]}, "boolean"),
        ({"type": ["string", "null"], "format": "date-time"}, "date_iso8601"),
        ({"type": ["string"], "secret": True, "writeOnly": True}, "string"),
        ({"type": ["string", "null"]}, "string"),
    ],
)
def test_a_new_property_gets_the_meltano_kind_of_its_json_schema(prop, kind) -> None:
    setting = tasks.meltano_setting("new_setting", {**prop, "description": "A new one."})
    assert setting["kind"] == kind
    assert setting["description"] == "A new one."
    assert setting.get("sensitive", False) is bool(prop.get("secret"))
    if kind == "options":
        assert [option["value"] for option in setting["options"]] == prop["enum"]


#: Settings the SDK adds to every tap's `--about` for its capabilities; not the tap's own.
SDK_SETTINGS = {
    "stream_maps",
    "stream_map_config",
    "faker_config",
    "flattening_enabled",
    "flattening_max_depth",
    "flattening_max_key_length",
    "flattening_separator",
    "batch_config",
}


@pytest.mark.parametrize("tap", tasks.TAPS)
def test_meltano_yml_agrees_with_about_on_names_kinds_and_secrets(tap) -> None:
    about = subprocess.run(
        [str(Path(sys.executable).with_name(tap)), "--about", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    )
    properties = json.loads(about.stdout)["settings"]["properties"]
    declared = extractor_settings((ROOT / "meltano.yml").read_text())[tap]
    assert set(properties) - {s["name"] for s in declared} <= SDK_SETTINGS
    for setting in declared:
        prop = properties[setting["name"]]
        assert setting["kind"] == tasks.setting_kind(prop), setting["name"]
        assert setting.get("sensitive", False) is bool(prop.get("secret")), setting["name"]


def test_report_poll_seconds_is_a_decimal_as_about_says_not_an_integer() -> None:
    # The issue that started this: meltano.yml said integer, `--about` says number.
    declared = extractor_settings((ROOT / "meltano.yml").read_text())["tap-incontact"]
    (setting,) = [s for s in declared if s["name"] == "report_poll_seconds"]
    assert setting["kind"] == "decimal"


def test_the_settings_are_the_taps_own_even_after_a_tap_has_run() -> None:
    """A tap instance merges the SDK's settings (stream_maps, flattening...) into its class's
    schema; the generated files must not change with what ran earlier in the process."""
    from tap_callrail.tap import TapCallRail

    TapCallRail(config={"api_key": "k"}, validate_config=False)
    assert "stream_maps" in TapCallRail.config_jsonschema["properties"]
    settings, _ = tasks.tap_settings("tap-callrail")
    assert "stream_maps" not in settings
    assert "api_key" in settings
