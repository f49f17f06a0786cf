"""The tests' inContact sandbox, one for the whole session, and ways to run the tap against it.

The sandbox is built here but started by the session fixture in conftest.py: importing this
module binds no socket and starts no thread. Its port is chosen now, so that configs (the SDK's
standard tests build theirs at collection) can name it before it listens.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tap_incontact.tap import TapInContact

from sandbox import taprun
from sandbox.core.server import SandboxServer
from sandbox.incontact import InContactSandbox
from sandbox.taprun import SyncOutput

#: Secrets distinctive enough that finding one anywhere in output proves a leak.
PASSWORD = "pw-5e1f-SECRET-77aa"
CLIENT_SECRET = "cs-90b2-SECRET-c3d4"
ACCESS_KEY_SECRET = "aks-41fe-SECRET-e6f7"
SECRETS = (PASSWORD, CLIENT_SECRET, ACCESS_KEY_SECRET)
TOKEN_PATH = "/InContactAuthorizationServer/Token"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


PORT = _free_port()
SANDBOX_URL = f"http://127.0.0.1:{PORT}"
SANDBOX = InContactSandbox(
    port=PORT,
    password=PASSWORD,
    client_secret=CLIENT_SECRET,
    access_key_secret=ACCESS_KEY_SECRET,
    agents=12,
    contacts_per_day=40,
    seed=5,
)


def tap_config(**overrides: Any) -> dict[str, Any]:
    """Central password sign-in against the shared sandbox; quick report polling."""
    return {
        "auth_method": "password",
        "application_name": "DemoApp",
        "vendor_name": "DemoVendor",
        "business_unit": "4593101",
        "username": "api.user@example.com",
        "password": PASSWORD,
        "auth_url": SANDBOX_URL + TOKEN_PATH,
        "start_date": "today-3",
        "time_zone": "America/Chicago",
        "custom_report_ids": SANDBOX.report_ids[:2],
        "data_download_report_ids": SANDBOX.data_download_report_ids[:1],
        "report_poll_seconds": 0.05,
        **overrides,
    }


def cxone_config(**overrides: Any) -> dict[str, Any]:
    """CXone sign-in: token endpoint and API host discovered from the issuer."""
    config = tap_config(auth_method="cxone", **overrides)
    for central in ("application_name", "vendor_name", "business_unit", "username", "password"):
        config.pop(central)
    return {
        **config,
        "client_id": "sandbox-client",
        "client_secret": CLIENT_SECRET,
        "access_key_id": "sandbox-access-key",
        "access_key_secret": ACCESS_KEY_SECRET,
        "cxone_issuer": SANDBOX_URL,
        **overrides,
    }


def sync(config: dict, state: dict | None = None, select: set[str] | None = None) -> SyncOutput:
    """Run the tap in this process, as `tap-incontact --config … --state …` would."""
    return taprun.sync(TapInContact, config, state, select)


def run_cli(
    tmp_path: Path, config: dict, state: dict | None = None, select: set[str] | None = None
) -> SyncOutput:
    """Run the installed `tap-incontact` command in a child process, with debug logging."""
    return taprun.run_command("tap-incontact", tmp_path, config, state, select=select)


def host_of(server: SandboxServer) -> str:
    """`127.0.0.1:<port>`, as error lines name a host."""
    return urlsplit(server.url).netloc


def error_line(output: SyncOutput) -> str:
    """The one error line of a run that failed cleanly: exit 1, no traceback."""
    errors = [line for line in output.log.splitlines() if "| ERROR " in line]
    assert output.exit_code == 1, output.log[-3000:]
    assert "Traceback" not in output.log
    assert len(errors) == 1, errors
    return errors[0]


def assert_secrets_kept(output: SyncOutput, *elsewhere: SandboxServer) -> None:
    """No password, client secret, access key secret or token in the run's stdout (records
    and state included) or log, nor in any request that reached another host."""
    for secret in (*SECRETS, *SANDBOX.issued_tokens()):
        assert secret not in output.stdout
        assert secret not in output.log
        for server in elsewhere:
            assert not any(logged.carries(secret) for logged in server.requests)
    for server in elsewhere:
        assert not any("Authorization" in logged.headers for logged in server.requests)


def token_requests(sandbox: InContactSandbox) -> list:
    """The requests that reached the Central or CXone token endpoint."""
    return [r for r in sandbox.requests if r.path in (TOKEN_PATH, "/auth/token")]


def pass_through(sandbox: InContactSandbox, count: int, path_contains: str) -> None:
    """Let the next `count` matching requests have their real answers, so that a fault
    injected next hits the one after them."""
    sandbox.inject(headers={"X-Passed-Through": "1"}, count=count, path_contains=path_contains)
