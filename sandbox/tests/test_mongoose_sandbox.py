"""The Mongoose simulator over real HTTP: the assumed REST v2 and SPC SOAP contract, and hooks."""

from __future__ import annotations

import base64
import math
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
import requests
from defusedxml import ElementTree

from sandbox.mongoose import MongooseSandbox

NOW = datetime(2025, 6, 15, 15, 30, tzinfo=timezone.utc)
AUTH = ("sandbox-user", "sandbox-key")
DAY = "2025-06-10"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
SPC = "urn:mongoosemetrics:spc:v1"
ENVELOPE_KEYS = {
    "status", "report", "start_date", "end_date", "timezone", "page", "per_page",
    "total_pages", "total_records", "records",
}  # fmt: skip


@pytest.fixture(scope="module")
def sandbox() -> Iterator[MongooseSandbox]:
    with MongooseSandbox(now=NOW, rate_limit_per_minute=100_000) as running:
        yield running


@pytest.fixture
def fresh() -> Iterator[MongooseSandbox]:
    """A sandbox of its own, for tests that change data, sessions or limits."""
    with MongooseSandbox(now=NOW, history_days=10, rate_limit_per_minute=100_000) as running:
        yield running


def get(
    sandbox: MongooseSandbox, report: str, auth: Any = AUTH, **params: Any
) -> requests.Response:
    params = {"start_date": DAY, "end_date": DAY, **params}
    return requests.get(f"{sandbox.api_url}/{report}", params=params, auth=auth, timeout=10)


def ok(sandbox: MongooseSandbox, report: str, **params: Any) -> dict[str, Any]:
    answer = get(sandbox, report, **params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def error_code(answer: requests.Response) -> str:
    if "xml" in answer.headers["Content-Type"]:
        error = ElementTree.fromstring(answer.content).find("error")
        return str(error.get("code"))
    assert answer.json()["status"] == "error"
    return str(answer.json()["error"]["code"])


def all_records(sandbox: MongooseSandbox, report: str, **params: Any) -> list[dict[str, Any]]:
    first = ok(sandbox, report, per_page=7, **params)
    records = first["records"]
    for page in range(2, first["total_pages"] + 1):
        records += ok(sandbox, report, per_page=7, page=page, **params)["records"]
    return records


# Authentication


def test_basic_auth_and_query_parameters_are_both_accepted(sandbox) -> None:
    assert get(sandbox, "get_fulfilled").status_code == 200
    params = {"username": AUTH[0], "api_key": AUTH[1]}
    assert get(sandbox, "customer_report", auth=None, **params).status_code == 200


@pytest.mark.parametrize(
    "auth", [None, ("sandbox-user", "wrong"), ("someone", "sandbox-key")], ids=str
)
def test_missing_or_wrong_credentials_are_401_auth_failed(sandbox, auth) -> None:
    answer = get(sandbox, "get_fulfilled", auth=auth)
    assert answer.status_code == 401
    assert error_code(answer) == "AUTH_FAILED"


def test_v1_keys_and_disabled_api_access_are_403(fresh) -> None:
    answer = get(fresh, "get_fulfilled", auth=("sandbox-user", fresh.v1_api_key))
    assert (answer.status_code, error_code(answer)) == (403, "API_ACCESS_DISABLED")
    fresh.api_access_enabled = False
    answer = get(fresh, "get_fulfilled")
    assert (answer.status_code, error_code(answer)) == (403, "API_ACCESS_DISABLED")


# Envelope, formats and pages


def test_json_envelope(sandbox) -> None:
    answer = get(sandbox, "get_fulfilled")
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert set(body) == ENVELOPE_KEYS
    assert body["status"] == "success"
    assert (body["report"], body["start_date"], body["end_date"]) == ("get_fulfilled", DAY, DAY)
    assert body["timezone"] == "America/New_York"
    assert body["total_records"] == len(body["records"]) > 0
    assert body["per_page"] == 100


@pytest.mark.parametrize("how", [{"format": "xml"}, {"accept": "application/xml"}])
def test_xml_answers_carry_the_same_information_as_text(sandbox, how) -> None:
    headers = {"Accept": how["accept"]} if "accept" in how else {}
    params = {"start_date": DAY, "end_date": DAY, **({"format": "xml"} if "format" in how else {})}
    answer = requests.get(
        f"{sandbox.api_url}/get_fulfilled", params=params, headers=headers, auth=AUTH, timeout=10
    )
    assert answer.headers["Content-Type"] == "application/xml; charset=utf-8"
    root = ElementTree.fromstring(answer.content)
    as_json = ok(sandbox, "get_fulfilled")
    assert {k: root.get(k) for k in ENVELOPE_KEYS - {"records"}} == {
        k: str(v) for k, v in as_json.items() if k != "records"
    }
    records = [{field.tag: field.text for field in record} for record in root.find("records")]
    assert records == [
        {k: None if v is None else str(v) for k, v in record.items()}
        for record in as_json["records"]
    ]


def test_an_empty_answer_has_no_pages(sandbox) -> None:
    body = ok(sandbox, "get_fulfilled", start_date="2020-01-01", end_date="2020-01-01")
    assert (body["records"], body["total_records"], body["total_pages"]) == ([], 0, 0)
    answer = get(
        sandbox, "get_fulfilled", start_date="2020-01-01", end_date="2020-01-01", format="xml"
    )
    assert b"<records/>" in answer.content


def test_pages_cover_every_record_once_and_per_page_is_clamped(sandbox) -> None:
    week = {"start_date": "2025-06-01", "end_date": "2025-06-07"}
    everything = ok(sandbox, "get_fulfilled", per_page=5000, **week)
    assert everything["per_page"] == 1000
    paged = all_records(sandbox, "get_fulfilled", **week)
    assert paged == everything["records"]
    assert ok(sandbox, "get_fulfilled", per_page=7, **week)["total_pages"] == math.ceil(
        len(paged) / 7
    )
    past_the_end = ok(sandbox, "get_fulfilled", page=999, **week)
    assert past_the_end["records"] == []


@pytest.mark.parametrize("params", [{"page": "0"}, {"per_page": "-3"}, {"page": "two"}])
def test_bad_paging_parameters_are_400_invalid_parameter(sandbox, params) -> None:
    answer = get(sandbox, "get_fulfilled", **params)
    assert (answer.status_code, error_code(answer)) == (400, "INVALID_PARAMETER")


def test_records_are_ordered_by_date_then_key(sandbox) -> None:
    calls = ok(sandbox, "get_fulfilled", per_page=1000, start_date="2025-06-01")["records"]
    assert [(c["call_date"], c["cdr_rated_code"]) for c in calls] == sorted(
        (c["call_date"], c["cdr_rated_code"]) for c in calls
    )
    rows = ok(sandbox, "customer_report", start_date="2025-06-01", end_date="2025-06-05")["records"]
    assert [(r["report_date"], r["account_code"]) for r in rows] == sorted(
        (r["report_date"], r["account_code"]) for r in rows
    )


# Dates and time zones


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start_date": None}, "INVALID_DATE"),
        ({"end_date": None}, "INVALID_DATE"),
        ({"start_date": "2025-6-1"}, "INVALID_DATE"),
        ({"start_date": "2025-06-01T00:00:00"}, "INVALID_DATE"),
        ({"start_date": "2025-06-12", "end_date": "2025-06-11"}, "INVALID_DATE"),
        ({"start_date": "2025-05-01", "end_date": "2025-06-01"}, "DATE_RANGE_TOO_LARGE"),
    ],
)
def test_bad_dates_are_400(sandbox, params, code) -> None:
    query = {"start_date": DAY, "end_date": DAY, **params}
    query = {k: v for k, v in query.items() if v is not None}
    answer = requests.get(f"{sandbox.api_url}/get_fulfilled", params=query, auth=AUTH, timeout=10)
    assert (answer.status_code, error_code(answer)) == (400, code)


def test_31_days_counting_both_ends_is_the_longest_range(sandbox) -> None:
    assert get(sandbox, "customer_report", start_date="2025-05-01", end_date="2025-05-31").ok


def test_errors_come_in_the_format_asked_for(sandbox) -> None:
    answer = get(sandbox, "get_fulfilled", start_date="nope", format="xml")
    assert answer.headers["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(answer.content)
    assert root.get("status") == "error"
    assert root.find("error").get("code") == "INVALID_DATE"


def test_dates_are_the_accounts_days_and_times_naive_local(sandbox) -> None:
    calls = ok(sandbox, "get_fulfilled", per_page=1000)["records"]
    assert {c["call_date"][:10] for c in calls} == {DAY}
    for call in calls:
        started = datetime.strptime(call["call_date"], "%Y-%m-%d %H:%M:%S")
        assert call["cdr_entry_date"] >= started.replace(tzinfo=sandbox.zone).timestamp()


def test_a_call_across_the_spring_clock_change_shows_local_wall_clock_time(fresh) -> None:
    fresh.add_call(datetime(2025, 3, 9, 6, 30, tzinfo=timezone.utc), promocode="before")
    fresh.add_call(datetime(2025, 3, 9, 7, 30, tzinfo=timezone.utc), promocode="after")
    day = ok(fresh, "get_fulfilled", start_date="2025-03-09", end_date="2025-03-09", per_page=1000)
    shown = {c["promocode"]: c["call_date"] for c in day["records"] if c["promocode"]}
    assert shown == {"before": "2025-03-09 01:30:00", "after": "2025-03-09 03:30:00"}


# Filters, late records and the customer report


def test_campaign_and_status_filters(sandbox) -> None:
    calls = ok(sandbox, "get_fulfilled", per_page=1000)["records"]
    campaign = calls[0]["campaign_code"]
    only = ok(sandbox, "get_fulfilled", campaign_code=campaign, status="ANSWERED", per_page=1000)
    assert only["records"] == [
        c for c in calls if c["campaign_code"] == campaign and c["status"] == "ANSWERED"
    ]
    for params in ({"campaign_code": "XYZ"}, {"status": "MAYBE"}):
        answer = get(sandbox, "get_fulfilled", **params)
        assert (answer.status_code, error_code(answer)) == (400, "INVALID_PARAMETER")


def test_added_changed_and_deleted_calls_are_visible(fresh) -> None:
    at = datetime(2025, 6, 14, 16, tzinfo=timezone.utc)
    code = fresh.add_call(at, keywords="late")
    day = {"start_date": "2025-06-14", "end_date": "2025-06-14", "per_page": 1000}
    (added,) = [
        c for c in ok(fresh, "get_fulfilled", **day)["records"] if c["cdr_rated_code"] == code
    ]
    assert added["keywords"] == "late"
    assert added["cdr_entry_date"] >= NOW.timestamp()  # written late
    fresh.update_call(code, recording_completed="Y", recording="https://r/1.mp3")
    (changed,) = [
        c for c in ok(fresh, "get_fulfilled", **day)["records"] if c["cdr_rated_code"] == code
    ]
    assert changed["recording_completed"] == "Y"
    fresh.delete_call(code)
    assert code not in {c["cdr_rated_code"] for c in ok(fresh, "get_fulfilled", **day)["records"]}


def test_calls_of_the_last_hour_are_not_rated_yet(fresh) -> None:
    recent = fresh.add_call(NOW - timedelta(minutes=20), call_duration=60, status="ANSWERED")
    older = fresh.add_call(NOW - timedelta(hours=3))
    shown = {c["cdr_rated_code"]: c for c in fresh.calls()}
    assert (shown[recent]["charges_call"], shown[recent]["recording"]) == (None, None)
    assert shown[recent]["recording_completed"] == "N"
    assert shown[older]["charges_call"] is not None


def test_customer_report_has_one_row_per_account_and_day_agreeing_with_calls(sandbox) -> None:
    week = {"start_date": "2025-06-01", "end_date": "2025-06-07"}
    rows = all_records(sandbox, "customer_report", **week)
    calls = all_records(sandbox, "get_fulfilled", **week)
    assert len(rows) == 7 * len(sandbox.account_codes)
    for row in rows:
        mine = [
            c
            for c in calls
            if c["account_code"] == row["account_code"]
            and c["call_date"][:10] == row["report_date"]
        ]
        assert row["total_calls"] == len(mine)
        assert row["answered_calls"] == sum(c["status"] == "ANSWERED" for c in mine)
        assert row["total_duration"] == sum(c["call_duration"] for c in mine)
        assert row["unique_callers"] == len({c["incoming_number"] for c in mine})
    parents = {r["account_code"]: r["parent_account_code"] for r in rows}
    (top,) = [account for account, parent in parents.items() if parent is None]
    assert set(parents.values()) == {None, top}  # an agency login and its sub-accounts


def test_customer_report_stops_at_the_accounts_today(sandbox) -> None:
    rows = ok(sandbox, "customer_report", start_date="2025-06-14", end_date="2025-06-20")["records"]
    assert {r["report_date"] for r in rows} == {"2025-06-14", "2025-06-15"}


def test_unknown_paths_are_404_not_found(sandbox) -> None:
    answer = requests.get(sandbox.url + "/api/v2/get_everything", auth=AUTH, timeout=10)
    assert (answer.status_code, error_code(answer)) == (404, "NOT_FOUND")
    answer = requests.post(f"{sandbox.api_url}/get_fulfilled", auth=AUTH, timeout=10)
    assert answer.status_code == 404


def test_more_than_the_limit_a_minute_is_429_with_retry_after() -> None:
    with MongooseSandbox(now=NOW, history_days=2, rate_limit_per_minute=3) as limited:
        answers = [get(limited, "customer_report") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert error_code(answers[-1]) == "RATE_LIMITED"
        assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60


def test_same_seed_and_now_give_the_same_data(sandbox) -> None:
    with MongooseSandbox(now=NOW) as twin:
        assert twin.calls() == sandbox.calls()
        assert twin.spc_campaign_codes == sandbox.spc_campaign_codes


# SPC SOAP


def soap(
    sandbox: MongooseSandbox, operation: str, body: str, key: str = "sandbox-key"
) -> tuple[int, Any]:
    header = (
        f"<spc:AuthHeader><spc:Username>sandbox-user</spc:Username>"
        f"<spc:ApiKey>{escape(key)}</spc:ApiKey></spc:AuthHeader>"
        if key
        else ""
    )
    envelope = (
        f'<soap:Envelope xmlns:soap="{SOAP}" xmlns:spc="{SPC}"><soap:Header>{header}</soap:Header>'
        f"<soap:Body><spc:{operation}>{body}</spc:{operation}></soap:Body></soap:Envelope>"
    )
    answer = requests.post(
        sandbox.spc_endpoint,
        data=envelope.encode(),
        headers={"Content-Type": "text/xml", "SOAPAction": f"{SPC}#{operation}"},
        timeout=10,
    )
    return answer.status_code, ElementTree.fromstring(answer.content)


def answer_of(root: Any, name: str) -> dict[str, str | None]:
    element = root.find(f"{{{SOAP}}}Body/{{{SPC}}}{name}")
    return {child.tag.split("}")[1]: child.text for child in element}


def fault_of(root: Any) -> tuple[str | None, str | None]:
    fault = root.find(f"{{{SOAP}}}Body/{{{SOAP}}}Fault")
    return fault.findtext("faultcode"), fault.findtext(
        f"detail/{{{SPC}}}SpcFault/{{{SPC}}}ErrorCode"
    )


def custom(*fields: tuple[int | str, str]) -> str:
    items = "".join(
        f"<spc:CustomField><spc:FieldNumber>{n}</spc:FieldNumber><spc:Value>{v}</spc:Value>"
        "</spc:CustomField>"
        for n, v in fields
    )
    return f"<spc:CustomFields>{items}</spc:CustomFields>"


def test_the_wsdl_is_served_with_this_servers_address(sandbox) -> None:
    for url in (sandbox.spc_wsdl_url, sandbox.spc_endpoint + "?wsdl"):
        answer = requests.get(url, timeout=10)
        assert answer.status_code == 200
        assert f'<soap:address location="{sandbox.spc_endpoint}"/>' in answer.text
        assert 'targetNamespace="urn:mongoosemetrics:spc:v1"' in answer.text


def test_get_session_number_and_update_session_data(fresh) -> None:
    campaign = fresh.spc_campaign_codes[0]
    status, root = soap(
        fresh,
        "GetSessionNumber",
        f"<spc:CampaignCode>{campaign}</spc:CampaignCode><spc:Keywords>spring</spc:Keywords>"
        + custom((1, "twitter:42"))
        + "<spc:ReferenceId>r-1</spc:ReferenceId>",
    )
    assert status == 200
    got = answer_of(root, "GetSessionNumberResponse")
    assert got["PhoneNumber"] in fresh.pool(campaign)
    assert (got["CampaignCode"], got["ReferenceId"]) == (campaign, "r-1")
    expires = datetime.fromisoformat(str(got["ExpirationTime"]).replace("Z", "+00:00"))
    assert expires == NOW + timedelta(minutes=30)
    status, root = soap(
        fresh,
        "UpdateSessionData",
        f"<spc:PhoneNumber>{got['PhoneNumber']}</spc:PhoneNumber>"
        "<spc:Keywords>summer</spc:Keywords>" + custom((1, ""), (2, "adcopy-B")),
    )
    assert status == 200
    updated = answer_of(root, "UpdateSessionDataResponse")
    assert updated == {
        "Success": "true",
        "SessionId": got["SessionId"],
        "ExpirationTime": got["ExpirationTime"],
    }
    session = fresh.session(str(got["SessionId"]))
    assert (session["keywords"], session["custom_fields"]) == ("summer", {2: "adcopy-B"})


def test_faults_carry_the_contracts_codes(fresh) -> None:
    spc, static = fresh.spc_campaign_codes[0], fresh.static_campaign_codes[0]
    expect = [
        ("GetSessionNumber", f"<spc:CampaignCode>{static}</spc:CampaignCode>", "INVALID_CAMPAIGN"),
        ("GetSessionNumber", f"<spc:CampaignCode>{spc}</spc:CampaignCode>{custom((0, 'x'))}",
         "INVALID_FIELD"),
        ("GetSessionNumber", f"<spc:CampaignCode>{spc}</spc:CampaignCode>{custom((1, 'x' * 256))}",
         "INVALID_FIELD"),
        ("UpdateSessionData", "<spc:SessionId>nope</spc:SessionId>", "SESSION_NOT_FOUND"),
        ("UpdateSessionData", "<spc:Keywords>x</spc:Keywords>", "SESSION_NOT_FOUND"),
    ]  # fmt: skip
    for operation, body, code in expect:
        status, root = soap(fresh, operation, body)
        assert (status, fault_of(root)) == (500, ("soap:Client", code)), body
    status, root = soap(
        fresh, "GetSessionNumber", f"<spc:CampaignCode>{spc}</spc:CampaignCode>", ""
    )
    assert fault_of(root) == ("soap:Client", "AUTH_FAILED")


def test_pools_run_out_and_sessions_expire(fresh) -> None:
    campaign = fresh.spc_campaign_codes[0]
    body = f"<spc:CampaignCode>{campaign}</spc:CampaignCode>"
    sessions = [answer_of(soap(fresh, "GetSessionNumber", body)[1], "GetSessionNumberResponse")
                for _ in fresh.pool(campaign)]  # fmt: skip
    assert len({s["PhoneNumber"] for s in sessions}) == len(fresh.pool(campaign))
    status, root = soap(fresh, "GetSessionNumber", body)
    assert (status, fault_of(root)) == (500, ("soap:Server", "NO_NUMBER_AVAILABLE"))
    fresh.expire_session(str(sessions[0]["SessionId"]))
    status, root = soap(
        fresh, "UpdateSessionData", f"<spc:SessionId>{sessions[0]['SessionId']}</spc:SessionId>"
    )
    assert fault_of(root) == ("soap:Client", "SESSION_EXPIRED")
    again = answer_of(soap(fresh, "GetSessionNumber", body)[1], "GetSessionNumberResponse")
    assert again["PhoneNumber"] == sessions[0]["PhoneNumber"]


def test_injected_and_malformed_soap_faults(fresh) -> None:
    fresh.fail_spc("RATE_LIMITED")
    body = f"<spc:CampaignCode>{fresh.spc_campaign_codes[0]}</spc:CampaignCode>"
    assert fault_of(soap(fresh, "GetSessionNumber", body)[1]) == ("soap:Server", "RATE_LIMITED")
    with pytest.raises(ValueError, match="not an SPC error code"):
        fresh.fail_spc("WHATEVER")
    answer = requests.post(fresh.spc_endpoint, data=b"not xml", timeout=10)
    assert answer.status_code == 500
    assert fault_of(ElementTree.fromstring(answer.content)) == ("soap:Client", None)


def test_calls_to_a_session_number_carry_the_sessions_data(fresh) -> None:
    campaign = fresh.spc_campaign_codes[0]
    got = answer_of(
        soap(
            fresh,
            "GetSessionNumber",
            f"<spc:CampaignCode>{campaign}</spc:CampaignCode><spc:Keywords>k</spc:Keywords>"
            + custom((1, "twitter:9"), (10, "last")),
        )[1],
        "GetSessionNumberResponse",
    )
    code = fresh.call_session_number(str(got["PhoneNumber"]))
    (call,) = [c for c in fresh.calls() if c["cdr_rated_code"] == code]
    assert call["did_number"] == got["PhoneNumber"]
    assert (call["session_uniqueid"], call["keywords"]) == (got["SessionId"], "k")
    assert (call["custom1"], call["custom10"], call["keyword_type"]) == (
        "twitter:9",
        "last",
        "session",
    )
    fresh.expire_session(str(got["SessionId"]))
    later = fresh.call_session_number(str(got["PhoneNumber"]))
    (unattributed,) = [c for c in fresh.calls() if c["cdr_rated_code"] == later]
    assert unattributed["session_uniqueid"] is None


def test_serve_prints_the_mongoose_settings(tmp_path: Path) -> None:
    env_file = tmp_path / "sandbox.env"
    with subprocess.Popen(
        [sys.executable, "-m", "sandbox", "serve", "--env-file", str(env_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as serving:
        try:
            deadline = time.monotonic() + 20
            while not env_file.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            lines = env_file.read_text().splitlines()
            values = dict(line.split("=", 1) for line in lines if "=" in line)
        finally:
            serving.send_signal(signal.SIGTERM)
    assert values["MONGOOSE_SANDBOX_URL"].endswith("/api/v2")
    assert values["MONGOOSE_SPC_WSDL"].endswith("/spc/SpcService.wsdl")
    assert {"MONGOOSE_USERNAME", "MONGOOSE_API_KEY", "MONGOOSE_SANDBOX_SPC_CAMPAIGN"} <= set(values)


def test_basic_auth_header_is_what_the_contract_shows(sandbox) -> None:
    token = base64.b64encode(b"sandbox-user:sandbox-key").decode()
    answer = requests.get(
        f"{sandbox.api_url}/get_fulfilled",
        params={"start_date": DAY, "end_date": DAY},
        headers={"Authorization": f"Basic {token}"},
        timeout=10,
    )
    assert answer.status_code == 200
    assert date.fromisoformat(answer.json()["start_date"]) == date(2025, 6, 10)
