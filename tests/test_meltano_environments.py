"""No meltano environment falls back from a sandbox URL to a vendor's real host.

Meltano drops a setting whose `${VARIABLE}` is unset or empty; the tap would then use its
default, the vendor's real host, with the sandbox's key. meltano.yml's sandbox environment
keeps every URL non-empty, so that the tap refuses it before any request instead.
"""

import json
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from sandbox.demo import TAPS, sandbox_env

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

#: tap -> (the variable its sandbox URL comes from, the setting it fills, the vendor's host)
SANDBOX_URLS = {
    "tap-callrail": ("CALLRAIL_SANDBOX_URL", "api_url", "api.callrail.com"),
    "tap-incontact": ("INCONTACT_SANDBOX_URL", "auth_url", "api.incontact.com"),
    "tap-mongoose": ("MONGOOSE_SANDBOX_URL", "api_url", "mongoosemetrics.com"),
    "tap-clickpoint": ("CLICKPOINT_SANDBOX_URL", "api_url", "leadexec.net"),
}


def sandbox_config(tap: str, env: dict[str, str]) -> dict:
    """The config meltano's sandbox environment hands the tap."""
    command = [str(BIN / "meltano"), "--environment=sandbox", "invoke", "--dump=config", tap]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def without(variable: str, empty: bool) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.endswith("_SANDBOX_URL")}
    return {**env, variable: ""} if empty else env


@pytest.mark.parametrize("empty", [True, False], ids=["empty", "unset"])
@pytest.mark.parametrize("tap", list(SANDBOX_URLS))
def test_a_missing_sandbox_url_is_refused_before_any_request(tap, empty, tmp_path) -> None:
    variable, setting, vendor_host = SANDBOX_URLS[tap]
    config = sandbox_config(tap, without(variable, empty))
    assert vendor_host not in json.dumps(config)
    assert config[setting].startswith("/")
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    done = subprocess.run(
        [str(BIN / tap), "--config", str(config_file)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert f"setting '{setting}' is not an http(s) URL" in done.stderr
    assert "Traceback" not in done.stderr
    assert not done.stdout


@pytest.mark.parametrize("tap", list(SANDBOX_URLS))
def test_the_sandbox_environment_points_each_tap_at_its_simulator(tap) -> None:
    variable, setting, _ = SANDBOX_URLS[tap]
    with ExitStack() as running:
        env = sandbox_env([tap], running)
        config = sandbox_config(tap, env)
    assert TAPS[tap][0] == variable
    assert config[setting].startswith(env[variable])
    assert config[setting].startswith("http://127.0.0.1:")


def test_a_real_key_kept_in_dot_env_never_reaches_the_sandbox(tmp_path) -> None:
    # `meltano --environment=prod config set tap-callrail api_key ...` writes .env, which every
    # environment reads; the sandbox environment's own credentials must win over it.
    (tmp_path / "meltano.yml").write_text((ROOT / "meltano.yml").read_text())
    real = {
        "tap-callrail": ("TAP_CALLRAIL_API_KEY", "api_key"),
        "tap-incontact": ("TAP_INCONTACT_PASSWORD", "password"),
        "tap-mongoose": ("TAP_MONGOOSE_API_KEY", "api_key"),
        "tap-clickpoint": ("TAP_CLICKPOINT_API_KEY", "api_key"),
    }
    dot_env = "".join(f"{variable}=real-secret-{tap}\n" for tap, (variable, _) in real.items())
    (tmp_path / ".env").write_text(dot_env)
    env = {
        **os.environ,
        **{variable: "http://127.0.0.1:9/x" for variable, *_ in SANDBOX_URLS.values()},
    }
    for tap, (_, setting) in real.items():
        command = [str(BIN / "meltano"), "--environment=sandbox", "invoke", "--dump=config", tap]
        done = subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, check=True
        )
        config = json.loads(done.stdout)
        assert config[setting].startswith("sandbox-"), tap
        assert "real-secret" not in done.stdout + done.stderr
