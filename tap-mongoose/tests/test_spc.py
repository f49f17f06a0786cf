"""mongoose-spc and its Python API, through zeep, against the sandbox's SOAP endpoint."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

import pytest
import zeep
from mongoose_harness import API_KEY, USERNAME, sync, tap_config
from tap_mongoose import spc_contract
from tap_mongoose.spc import SpcClient, SpcError

from sandbox.mongoose import MongooseSandbox
from sandbox.taprun import executable

POOL = 3


@pytest.fixture
def spc() -> Iterator[MongooseSandbox]:
    """A sandbox of its own per test: tests hand out, update and expire numbers."""
    with MongooseSandbox(
        username=USERNAME, api_key=API_KEY, history_days=1, calls_per_day=2, spc_pool_size=POOL
    ) as running:
        yield running


def client(sandbox: MongooseSandbox, api_key: str = API_KEY) -> SpcClient:
    return SpcClient(USERNAME, api_key, sandbox.spc_wsdl_url)


def refusal(call) -> SpcError:
    with pytest.raises(SpcError) as raised:
        call()
    return raised.value


# The Python API


def test_get_number_hands_out_a_pool_number_with_its_expiry(spc) -> None:
    campaign = spc.spc_campaign_codes[0]
    before = datetime.now(timezone.utc)
    number = client(spc).get_number(
        campaign, keywords="spring sale", custom_fields={1: "twitter:42"}, reference_id="dm-42"
    )
    assert number.phone_number in spc.pool(campaign)
    assert re.fullmatch(r"\d{10}", number.phone_number)
    assert number.campaign_code == campaign
    assert number.reference_id == "dm-42"
    assert number.expires_at.utcoffset() == timedelta(0)
    assert before + timedelta(minutes=29) < number.expires_at < before + timedelta(minutes=31)
    session = spc.session(number.session_id)
    assert session["keywords"] == "spring sale"
    assert session["custom_fields"] == {1: "twitter:42"}


def test_each_live_session_has_its_own_number_until_the_pool_runs_out(spc) -> None:
    campaign, api = spc.spc_campaign_codes[0], client(spc)
    numbers = [api.get_number(campaign) for _ in range(POOL)]
    assert len({n.phone_number for n in numbers}) == POOL
    exhausted = refusal(lambda: api.get_number(campaign))
    assert exhausted.code == "NO_NUMBER_AVAILABLE"
    assert exhausted.temporary
    spc.expire_session(numbers[1].session_id)
    assert api.get_number(campaign).phone_number == numbers[1].phone_number


def test_update_replaces_keywords_and_changes_only_the_fields_listed(spc) -> None:
    api = client(spc)
    number = api.get_number(spc.spc_campaign_codes[0], "promo", {1: "twitter:7", 2: "adcopy-A"})
    update = api.update(number.session_id, keywords="promo B", custom_fields={2: "", 3: "x"})
    assert update.success
    assert update.session_id == number.session_id
    assert update.expires_at == number.expires_at  # updates never extend a session
    by_number = api.update(phone_number=number.phone_number, custom_fields={4: "y"})
    assert by_number.session_id == number.session_id
    session = spc.session(number.session_id)
    assert session["keywords"] == "promo B"
    assert session["custom_fields"] == {1: "twitter:7", 3: "x", 4: "y"}


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("static campaign", "INVALID_CAMPAIGN"),
        ("unknown campaign", "INVALID_CAMPAIGN"),
        ("field 11", "INVALID_FIELD"),
        ("256 characters", "INVALID_FIELD"),
        ("wrong key", "AUTH_FAILED"),
        ("v1 key", "API_ACCESS_DISABLED"),
        ("unknown session", "SESSION_NOT_FOUND"),
        ("another session's number", "SESSION_NOT_FOUND"),
        ("expired session", "SESSION_EXPIRED"),
    ],
)
def test_refusals_carry_the_contracts_error_codes(spc, case, code) -> None:
    api, campaign = client(spc), spc.spc_campaign_codes[0]
    calls = {
        "static campaign": lambda: api.get_number(spc.static_campaign_codes[0]),
        "unknown campaign": lambda: api.get_number("0" * 32),
        "field 11": lambda: api.get_number(campaign, custom_fields={11: "x"}),
        "256 characters": lambda: api.get_number(campaign, custom_fields={1: "x" * 256}),
        "wrong key": lambda: client(spc, "wrong-key").get_number(campaign),
        "v1 key": lambda: client(spc, spc.v1_api_key).get_number(campaign),
        "unknown session": lambda: api.update("f" * 32, keywords="x"),
    }
    if case in ("another session's number", "expired session"):
        first, second = api.get_number(campaign), api.get_number(campaign)
        if case == "expired session":
            spc.expire_session(first.session_id)
        calls[case] = lambda: api.update(
            first.session_id,
            phone_number=second.phone_number if case.startswith("another") else None,
            keywords="x",
        )
    error = refusal(calls[case])
    assert error.code == code
    assert not error.temporary
    assert str(error).startswith(code)


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"spc": "RATE_LIMITED"}, "RATE_LIMITED"),
        ({"spc": "INTERNAL_ERROR"}, "INTERNAL_ERROR"),
        ({"drop": True}, "NETWORK_ERROR"),
        ({"status": 503}, "HTTP_ERROR"),
    ],
)
def test_temporary_failures_say_so(spc, fault, code) -> None:
    api, campaign = client(spc), spc.spc_campaign_codes[0]
    api.get_number(campaign)  # the WSDL is read; the next request is the call itself
    if "spc" in fault:
        spc.fail_spc(fault["spc"])
    else:
        spc.inject(path_contains="/spc/SpcService", **fault)
    error = refusal(lambda: api.get_number(campaign))
    assert error.code == code
    assert error.temporary


def test_an_unreachable_wsdl_is_an_spc_error() -> None:
    with MongooseSandbox() as closed:
        url = closed.spc_wsdl_url
    error = refusal(lambda: SpcClient(USERNAME, API_KEY, url).get_number("0" * 32))
    assert error.code == "WSDL_ERROR"
    assert "Connection refused" in str(error)


def test_the_key_is_in_no_repr_and_no_error(spc) -> None:
    api = client(spc)
    assert API_KEY not in repr(api)
    for call in (
        lambda: client(spc, "wrong-" + API_KEY).get_number(spc.spc_campaign_codes[0]),
        lambda: api.update("f" * 32, keywords=API_KEY),
    ):
        assert API_KEY not in str(refusal(call))


def test_the_wsdl_ships_in_the_package_and_the_sandbox_serves_it_with_its_address(spc) -> None:
    shipped = resources.files("tap_mongoose").joinpath("wsdl/SpcService.wsdl")
    assert shipped.is_file()
    assert spc_contract.WSDL_PATH.read_text() == shipped.read_text()
    service = zeep.Client(str(spc_contract.WSDL_PATH)).bind(spc_contract.SERVICE, spc_contract.PORT)
    assert {spc_contract.GET_SESSION_NUMBER, spc_contract.UPDATE_SESSION_DATA} <= set(dir(service))
    assert SpcClient(USERNAME, API_KEY, spc.spc_wsdl_url).endpoint == spc.spc_endpoint
    assert SpcClient(USERNAME, API_KEY).endpoint.startswith("https://")


def test_a_wsdl_file_is_accepted_as_well_as_a_url(spc, tmp_path) -> None:
    served = tmp_path / "SpcService.wsdl"
    served.write_bytes(zeep.Client(spc.spc_wsdl_url).transport.load(spc.spc_wsdl_url))
    number = SpcClient(USERNAME, API_KEY, str(served)).get_number(spc.spc_campaign_codes[0])
    assert number.phone_number in spc.pool(spc.spc_campaign_codes[0])


# The command


def mongoose_spc(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MONGOOSE_")}
    return subprocess.run(
        [executable("mongoose-spc"), *args],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        check=False,
    )


def settings(sandbox: MongooseSandbox, api_key: str = API_KEY) -> dict[str, str]:
    return {
        "MONGOOSE_USERNAME": USERNAME,
        "MONGOOSE_API_KEY": api_key,
        "MONGOOSE_SPC_WSDL": sandbox.spc_wsdl_url,
    }


def table(stdout: str) -> dict[str, str]:
    return dict(re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in stdout.splitlines())


def test_get_number_and_update_print_tables(spc) -> None:
    campaign = spc.spc_campaign_codes[0]
    got = mongoose_spc(
        "get-number", campaign, "--keywords", "spring sale", "--custom", "1=twitter:42",
        "--custom", "2=adcopy-A", "--reference-id", "dm-42", env=settings(spc),
    )  # fmt: skip
    assert got.returncode == 0, got.stderr
    shown = table(got.stdout)
    assert shown["phone number"] in spc.pool(campaign)
    assert shown["reference id"] == "dm-42"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", shown["expiration time"])
    session_id = shown["session id"]
    updated = mongoose_spc(
        "update", session_id, "--custom", "2=adcopy-B", "--keywords", "spring B", env=settings(spc)
    )
    assert updated.returncode == 0, updated.stderr
    assert table(updated.stdout)["success"] == "yes"
    session = spc.session(session_id)
    assert (session["keywords"], session["custom_fields"]) == (
        "spring B",
        {1: "twitter:42", 2: "adcopy-B"},
    )
    assert API_KEY not in got.stdout + got.stderr + updated.stdout + updated.stderr


def test_json_output_and_flags_over_the_environment(spc) -> None:
    flags = ["--username", USERNAME, "--api-key", API_KEY, "--wsdl", spc.spc_wsdl_url]
    env = settings(spc, api_key="a-wrong-key") | {"MONGOOSE_SPC_WSDL": "http://127.0.0.1:9/x"}
    got = mongoose_spc("--json", "get-number", spc.spc_campaign_codes[0], *flags, env=env)
    assert got.returncode == 0, got.stderr
    answer = json.loads(got.stdout)
    assert set(answer) == {
        "phone_number",
        "session_id",
        "expiration_time",
        "campaign_code",
        "reference_id",
    }
    updated = mongoose_spc(
        "update", "--phone-number", answer["phone_number"], "--keywords", "k", "--json", *flags
    )
    assert json.loads(updated.stdout) == {
        "success": True,
        "session_id": answer["session_id"],
        "expiration_time": answer["expiration_time"],
    }
    assert API_KEY not in got.stdout + got.stderr + updated.stdout + updated.stderr


@pytest.mark.parametrize(
    ("case", "code", "exit_code"),
    [
        ("static campaign", "INVALID_CAMPAIGN", 1),
        ("pool exhausted", "NO_NUMBER_AVAILABLE", 75),
        ("expired session", "SESSION_EXPIRED", 1),
        ("wrong key", "AUTH_FAILED", 1),
        ("invalid field", "INVALID_FIELD", 1),
        ("network failure", "WSDL_ERROR", 75),
    ],
)
def test_failures_are_one_line_and_a_non_zero_exit(spc, case, code, exit_code) -> None:
    env, campaign = settings(spc), spc.spc_campaign_codes[0]
    args = ["get-number", campaign]
    if case == "static campaign":
        args = ["get-number", spc.static_campaign_codes[0]]
    elif case == "pool exhausted":
        for _ in range(POOL):
            client(spc).get_number(campaign)
    elif case == "expired session":
        number = client(spc).get_number(campaign)
        spc.expire_session(number.session_id)
        args = ["update", number.session_id, "--keywords", "late"]
    elif case == "wrong key":
        env = settings(spc, api_key="wrong-" + API_KEY)
    elif case == "invalid field":
        args += ["--custom", "12=x"]
    elif case == "network failure":
        with MongooseSandbox() as closed:
            env["MONGOOSE_SPC_WSDL"] = closed.spc_wsdl_url
    done = mongoose_spc(*args, env=env)
    assert done.returncode == exit_code
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith(f"mongoose-spc: {code}: ")
    assert "Traceback" not in done.stderr
    assert API_KEY not in done.stderr


def test_a_dropped_call_is_one_line_and_exit_75(spc, tmp_path) -> None:
    # A WSDL file, so that the only request is the call itself.
    wsdl = tmp_path / "SpcService.wsdl"
    wsdl.write_bytes(zeep.Client(spc.spc_wsdl_url).transport.load(spc.spc_wsdl_url))
    spc.clear_log()
    spc.inject(drop=True, count=1, path_contains="/spc/SpcService")
    env = settings(spc) | {"MONGOOSE_SPC_WSDL": str(wsdl)}
    done = mongoose_spc("get-number", spc.spc_campaign_codes[0], env=env)
    assert done.returncode == 75
    assert [r.status for r in spc.requests] == [0]  # hung up without an answer
    assert done.stderr.startswith("mongoose-spc: NETWORK_ERROR: cannot reach ")
    assert len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr


# Hostile answers to the command: one line, the documented exit code, the key kept


def local_wsdl(sandbox: MongooseSandbox, tmp_path: Path, endpoint: str | None = None) -> str:
    """The sandbox's WSDL as a file, so that the only request a command makes is the call."""
    text = zeep.Client(sandbox.spc_wsdl_url).transport.load(sandbox.spc_wsdl_url).decode()
    if endpoint:
        text = text.replace(sandbox.spc_endpoint, endpoint)
    wsdl = tmp_path / "SpcService.wsdl"
    wsdl.write_text(text)
    sandbox.clear_log()
    return str(wsdl)


def assert_one_line(done: subprocess.CompletedProcess, exit_code: int, start: str) -> str:
    assert done.returncode == exit_code, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith(f"mongoose-spc: {start}"), done.stderr
    assert "Traceback" not in done.stderr
    assert API_KEY not in done.stderr
    return done.stderr


CUT_FAULT = (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="'
    + spc_contract.SOAP_ENV
    + '"><soap:Body><soap:Fault><faultcode>soap:Ser'
)


@pytest.mark.parametrize(
    ("fault", "exit_code"),
    [
        ({"status": 500, "raw": "<html><body><h1>Internal Server Error</h1></body></html>"}, 75),
        ({"status": 502, "raw": "<html><body>Bad Gateway</body></html>"}, 75),
        ({"status": 500, "raw": CUT_FAULT, "content_type": "text/xml"}, 75),
        ({"replace": [(b"</soap:Body></soap:Envelope>", b"")]}, 75),  # the real answer, cut
        ({"status": 500, "raw": f'<soap:Envelope xmlns:soap="{spc_contract.SOAP_ENV}">'
          "<soap:Body/></soap:Envelope>", "content_type": "text/xml"}, 75),
        ({"status": 404, "raw": "<html><body>Not Found</body></html>"}, 1),
    ],
)  # fmt: skip
def test_an_answer_that_is_not_soap_is_one_line(spc, tmp_path, fault, exit_code) -> None:
    env = settings(spc) | {"MONGOOSE_SPC_WSDL": local_wsdl(spc, tmp_path)}
    spc.inject(path_contains="/spc/SpcService", **fault)
    done = mongoose_spc("get-number", spc.spc_campaign_codes[0], env=env)
    status = fault.get("status", 200)
    line = assert_one_line(done, exit_code, "HTTP_ERROR: ")
    assert f"HTTP {status} with an error page or a cut-off answer" in line
    assert [r.status for r in spc.requests] == [status]


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_another_host_is_not_followed(spc, tmp_path, status) -> None:
    env = settings(spc) | {"MONGOOSE_SPC_WSDL": local_wsdl(spc, tmp_path)}
    with MongooseSandbox(username=USERNAME, api_key=API_KEY) as elsewhere:
        spc.inject(status, headers={"Location": elsewhere.spc_endpoint})
        done = mongoose_spc("get-number", spc.spc_campaign_codes[0], env=env)
        assert elsewhere.requests == []
        other_host = elsewhere.url.split("//")[1]
    line = assert_one_line(done, 1, f"HTTP_ERROR: Mongoose SPC answered HTTP {status}")
    assert other_host in line
    assert "not followed" in line
    assert [r.status for r in spc.requests] == [status]


def test_a_redirect_on_the_same_host_does_not_send_the_envelope_again(spc, tmp_path) -> None:
    env = settings(spc) | {"MONGOOSE_SPC_WSDL": local_wsdl(spc, tmp_path)}
    spc.inject(307, headers={"Location": spc.spc_endpoint + "?again=1"})
    done = mongoose_spc("get-number", spc.spc_campaign_codes[0], env=env)
    assert_one_line(done, 1, "HTTP_ERROR: Mongoose SPC answered HTTP 307 to a POST")
    assert len(spc.requests) == 1
    assert spc.sessions == []


def test_an_answer_trickled_past_the_timeout_is_one_line_and_exit_75(spc, tmp_path) -> None:
    env = settings(spc) | {"MONGOOSE_SPC_WSDL": local_wsdl(spc, tmp_path)}
    spc.inject(trickle=0.5, path_contains="/spc/SpcService")  # minutes for the answer
    done = mongoose_spc("--timeout", "1", "get-number", spc.spc_campaign_codes[0], env=env)
    assert_one_line(done, 75, "NETWORK_ERROR: ")
    assert "timed out" in done.stderr


def test_a_fault_that_echoes_the_key_is_masked(spc, tmp_path) -> None:
    env = settings(spc) | {"MONGOOSE_SPC_WSDL": local_wsdl(spc, tmp_path)}
    fault = (
        f'<soap:Envelope xmlns:soap="{spc_contract.SOAP_ENV}" xmlns:spc="{spc_contract.NAMESPACE}">'
        "<soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>No</faultstring>"
        f"<detail><spc:SpcFault><spc:ErrorCode>AUTH_FAILED</spc:ErrorCode><spc:Message>Key "
        f"{API_KEY} is unknown</spc:Message></spc:SpcFault></detail></soap:Fault></soap:Body>"
        "</soap:Envelope>"
    )
    spc.inject(500, raw=fault, content_type="text/xml", path_contains="/spc/SpcService")
    done = mongoose_spc("get-number", spc.spc_campaign_codes[0], env=env)
    assert "Key *** is unknown" in assert_one_line(done, 1, "AUTH_FAILED: ")


@pytest.mark.parametrize(
    "endpoint",
    ["http://api.mongoosemetrics.example/spc/v1/SpcService", "https://169.254.169.254/spc"],
)
def test_a_wsdl_whose_endpoint_would_expose_the_key_is_refused(spc, tmp_path, endpoint) -> None:
    env = settings(spc) | {"MONGOOSE_SPC_WSDL": local_wsdl(spc, tmp_path, endpoint)}
    done = mongoose_spc("get-number", spc.spc_campaign_codes[0], env=env)
    assert endpoint in assert_one_line(done, 1, "WSDL_ERROR: ")
    assert spc.requests == []


def test_missing_credentials_are_a_usage_error(spc) -> None:
    env = settings(spc)
    del env["MONGOOSE_API_KEY"]
    done = mongoose_spc("get-number", spc.spc_campaign_codes[0], env=env)
    assert done.returncode == 2
    assert "MONGOOSE_API_KEY" in done.stderr
    assert spc.requests == []


# The Twitter use case: one number per follower message, tagged with follower and ad copy


def test_twitter_followers_calls_carry_their_follower_id_and_ad_copy(spc) -> None:
    campaign, api = spc.spc_campaign_codes[0], client(spc)
    followers = {"1186275104": "adcopy-A", "2290114733": "adcopy-B", "3301998412": "adcopy-A"}
    handed_out = {
        follower: api.get_number(
            campaign,
            keywords="twitter spring promo",
            custom_fields={1: f"twitter:{follower}", 2: ad_copy},
            reference_id=f"dm-{follower}",
        )
        for follower, ad_copy in followers.items()
    }
    # The third follower saw the second ad copy before calling.
    api.update(handed_out["3301998412"].session_id, custom_fields={2: "adcopy-B"})
    calls = {
        follower: spc.call_session_number(number.phone_number)
        for follower, number in handed_out.items()
    }
    today = str(datetime.now(spc.zone).date())
    output = sync(tap_config(api_url=spc.api_url, start_date=today), select={"fulfilled"})
    landed = {c["cdr_rated_code"]: c for c in output.records("fulfilled")}
    for follower, code in calls.items():
        call = landed[code]
        assert call["did_number"] == handed_out[follower].phone_number
        assert call["session_uniqueid"] == handed_out[follower].session_id
        assert call["custom1"] == f"twitter:{follower}"
        assert call["keywords"] == "twitter spring promo"
    assert [landed[calls[f]]["custom2"] for f in followers] == ["adcopy-A", "adcopy-B", "adcopy-B"]
