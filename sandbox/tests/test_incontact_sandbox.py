"""The inContact simulator over real HTTP: the API facts the tap relies on, and the test hooks."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from sandbox.incontact import InContactSandbox

NOW = datetime(2025, 6, 15, 15, 30, tzinfo=timezone.utc)
CENTRAL_KEY = base64.b64encode(b"DemoApp@DemoVendor:4593101").decode()
USER = {"username": "api.user@example.com", "password": "sandbox-password"}
# Access keys carry `=`, `+` and `/`, which the form body must URL-encode.
ACCESS_KEY = {"username": "AKID=42+x", "password": "s3cr/t+key=="}
CLIENT = base64.b64encode(b"sandbox-client:sandbox-client-secret").decode()
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
DURATION = re.compile(r"^PT(\d+H)?(\d+M)?(\d+(\.\d+)?S)?$")
CONTACT_FIELDS = (
    "contactId", "masterContactId", "agentId", "teamId", "skillId", "campaignId",
    "pointOfContactId", "primaryDispositionId", "secondaryDispositionId", "transferIndicatorId",
    "mediaTypeId", "mediaSubTypeId", "holdCount", "callbackTime", "routingTime",
    "serviceLevelFlag", "divisionNo", "routingAttribute", "highProficiency", "lowProficiency",
    "firstName", "lastName", "teamName", "skillName", "campaignName", "pointOfContactName",
    "mediaTypeName", "mediaSubTypeName", "fromAddress", "toAddress", "dispositionNotes",
    "refuseReason", "transferIndicatorName", "endReason", "contactStartDate", "lastUpdateTime",
    "dateContactWarehoused", "dateACWWarehoused", "refuseTime", "analyticsProcessedDate",
    "abandonSeconds", "acwSeconds", "agentSeconds", "conferenceSeconds", "holdSeconds",
    "inQueueSeconds", "preQueueSeconds", "postQueueSeconds", "releaseSeconds",
    "totalDurationSeconds", "abandoned", "isOutbound", "isRefused", "isShortAbandon",
    "isTakeover", "isLogged", "isAnalyticsProcessed", "tags",
)  # fmt: skip
AGENT_PERFORMANCE_FIELDS = (
    "agentId", "teamId", "agentOffered", "inboundHandled", "inboundTime", "inboundTalkTime",
    "inboundAvgTalkTime", "outboundHandled", "outboundTime", "outboundTalkTime",
    "outboundAvgTalkTime", "totalHandled", "totalTalkTime", "totalAvgTalkTime",
    "totalAvgHandleTime", "consultTime", "availableTime", "unavailableTime", "acwTime", "refused",
    "percentRefused", "loginTime", "workingRate", "occupancy",
)  # fmt: skip
SUMMARY_TIMES = (
    "averageHandleTime", "averageSpeedToAnswer", "averageTalkTime", "averageWrapTime",
    "averageInqueueTime", "holdTime", "longestQueueDur", "totalContactTime",
)  # fmt: skip
SNAPSHOT_FIELDS = (
    "agentsAcw", "agentsAvailable", "agentsIdle", "agentsLoggedIn", "agentsUnavailable",
    "agentsWorking", "contactsActive", "queueCount",
)  # fmt: skip
AFTERNOON = {"startDate": "2025-06-14T14:00:00.000Z", "endDate": "2025-06-14T15:00:00.000Z"}
NIGHT = {"startDate": "2025-06-14T02:00:00.000Z", "endDate": "2025-06-14T04:00:00.000Z"}


def make(**options: Any) -> InContactSandbox:
    keys = {"access_key_id": ACCESS_KEY["username"], "access_key_secret": ACCESS_KEY["password"]}
    defaults: dict[str, Any] = {"agents": 12, "contacts_per_day": 60, "now": NOW, **keys}
    return InContactSandbox(**(defaults | options))


@pytest.fixture(scope="module")
def sandbox() -> Iterator[InContactSandbox]:
    with make() as running:
        yield running


@pytest.fixture
def fresh() -> Iterator[InContactSandbox]:
    """A sandbox of its own, for tests that move the clock or change data."""
    with make(token_lifetime=60) as running:
        yield running


def grant(sandbox: InContactSandbox, **body: str) -> requests.Response:
    headers = {"Authorization": "basic " + CENTRAL_KEY}
    payload = {"grant_type": "password", **USER, "scope": "", **body}
    return requests.post(sandbox.auth_url, headers=headers, json=payload, timeout=10)


def token(sandbox: InContactSandbox) -> str:
    response = grant(sandbox)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def get(
    sandbox: InContactSandbox,
    path: str,
    version: str = "30.0",
    auth: str | None = None,
    **params: Any,
) -> requests.Response:
    url = f"{sandbox.api_base}services/v{version}/{path}"
    headers = {"Authorization": f"Bearer {auth or token(sandbox)}"}
    return requests.get(url, headers=headers, params=params, timeout=10)


def ok(sandbox: InContactSandbox, path: str, **params: Any) -> Any:
    response = get(sandbox, path, **params)
    assert response.status_code == 200, response.text
    return response.json()


def refused(response: requests.Response, status: int, description: str) -> None:
    """The error is in the body and, as inContact does, in the icStatusDescription header."""
    assert response.status_code == status, response.text
    assert response.json()["errorDescription"].startswith(description)
    assert response.headers["icStatusDescription"].startswith(description)


def unpadded(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


# Sign-in


def test_password_grant_answers_the_documented_token(sandbox: InContactSandbox) -> None:
    body = grant(sandbox).json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["refresh_token_server_uri"] == sandbox.auth_url
    assert body["resource_server_base_uri"] == sandbox.api_base
    assert body["resource_server_base_uri"].endswith("/inContactAPI/")
    assert set(body["scope"].split()) >= {"AdminApi", "ReportingApi"}
    assert body["bus_no"] == 4593101
    assert isinstance(body["agent_id"], int)
    assert isinstance(body["team_id"], int)


@pytest.mark.parametrize("scheme", ["basic", "Basic", "BASIC"])
def test_basic_scheme_is_case_insensitive_and_form_bodies_work(
    sandbox: InContactSandbox, scheme: str
) -> None:
    form = {"grant_type": "password", **USER, "scope": ""}
    headers = {"Authorization": f"{scheme} {CENTRAL_KEY}"}
    response = requests.post(sandbox.auth_url, headers=headers, data=form, timeout=10)
    assert response.status_code == 200
    assert response.json()["access_token"]


def test_wrong_application_key_is_401_invalid_client(sandbox: InContactSandbox) -> None:
    key = base64.b64encode(b"OtherApp@DemoVendor:4593101").decode()
    payload = {"grant_type": "password", **USER}
    response = requests.post(
        sandbox.auth_url, headers={"Authorization": f"basic {key}"}, json=payload, timeout=10
    )
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "Client application 'OtherApp@DemoVendor' not authorized for user",
    }


def test_wrong_password_is_400_invalid_grant(sandbox: InContactSandbox) -> None:
    before = sandbox.tokens_issued
    response = grant(sandbox, password="wrong")
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid username or password",
    }
    assert sandbox.tokens_issued == before


def test_cxone_discovers_the_token_endpoint_and_the_api_host(sandbox: InContactSandbox) -> None:
    issuer = sandbox.cxone_issuer
    discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == issuer
    assert discovery["token_endpoint"] == sandbox.url + "/auth/token"
    before = sandbox.tokens_issued
    response = requests.post(
        discovery["token_endpoint"],
        headers={"Authorization": f"Basic {CLIENT}"},
        data={"grant_type": "password", **ACCESS_KEY},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "id_token"}
    assert body["token_type"] == "Bearer"
    assert sandbox.tokens_issued == before + 1
    parts = body["access_token"].split(".")
    assert len(parts) == 3
    claims = json.loads(unpadded(parts[1]))
    assert claims["icBUId"] == 4593101
    assert (claims["icClusterId"], claims["area"]) == ("C32", "na1")
    configuration = requests.get(
        f"{issuer}/.well-known/cxone-configuration",
        params={"tenantId": claims["tenantId"]},
        timeout=10,
    ).json()
    assert configuration["tenantId"] == claims["tenantId"]
    assert (configuration["area"], configuration["cluster"]) == ("na1", "C32")
    assert configuration["domain"] == "niceincontact.com"
    base = configuration["api_endpoint"] + "/inContactAPI/"
    assert base == sandbox.api_base
    answer = requests.get(
        base + "services/v30.0/server-time",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=10,
    )
    assert answer.status_code == 200
    assert TIMESTAMP.match(answer.json()["ServerTime"])


def test_cxone_wrong_client_is_401_and_wrong_key_400(sandbox: InContactSandbox) -> None:
    url = sandbox.url + "/auth/token"
    wrong_client = base64.b64encode(b"sandbox-client:nope").decode()
    form = {"grant_type": "password", **ACCESS_KEY}
    response = requests.post(
        url, headers={"Authorization": f"Basic {wrong_client}"}, data=form, timeout=10
    )
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    form["password"] = "wrong"
    response = requests.post(
        url, headers={"Authorization": f"Basic {CLIENT}"}, data=form, timeout=10
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


def test_unknown_tenant_is_404(sandbox: InContactSandbox) -> None:
    url = f"{sandbox.url}/.well-known/cxone-configuration"
    assert requests.get(url, params={"tenantId": "nope"}, timeout=10).status_code == 404


def test_refresh_works_until_two_hours_after_the_original_grant(
    fresh: InContactSandbox,
) -> None:
    first = grant(fresh).json()
    fresh.advance(61)
    assert get(fresh, "server-time", auth=first["access_token"]).status_code == 401
    headers = {"Authorization": f"basic {CENTRAL_KEY}"}
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    renewed = requests.post(fresh.auth_url, headers=headers, json=refresh, timeout=10)
    assert renewed.status_code == 200
    assert set(renewed.json()) == set(first)
    assert renewed.json()["access_token"] != first["access_token"]
    assert (fresh.refreshes, fresh.tokens_issued) == (1, 1)
    assert get(fresh, "server-time", auth=renewed.json()["access_token"]).status_code == 200
    # A refreshed token's own refresh token keeps the first grant's deadline.
    fresh.advance(7200 - 61)
    again = {"grant_type": "refresh_token", "refresh_token": renewed.json()["refresh_token"]}
    for body in (refresh, again):
        late = requests.post(fresh.auth_url, headers=headers, json=body, timeout=10)
        assert (late.status_code, late.json()["error"]) == (400, "invalid_grant")
    assert fresh.refreshes == 1
    assert grant(fresh).status_code == 200


def test_refresh_needs_the_authorization_key(fresh: InContactSandbox) -> None:
    first = grant(fresh).json()
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    response = requests.post(fresh.auth_url, json=refresh, timeout=10)
    assert response.status_code == 401


def test_expire_tokens_makes_every_issued_token_401(fresh: InContactSandbox) -> None:
    tokens = [token(fresh), token(fresh)]
    assert fresh.tokens_issued == 2
    fresh.expire_tokens()
    for issued in tokens:
        response = get(fresh, "agents", auth=issued)
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_token"
        assert response.headers["icStatusDescription"]
    assert set(tokens) <= set(fresh.issued_tokens())
    assert get(fresh, "agents").status_code == 200


@pytest.mark.parametrize("header", [None, "Bearer nope", f"Basic {CENTRAL_KEY}"])
def test_missing_or_unknown_bearer_token_is_401(
    sandbox: InContactSandbox, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    url = f"{sandbox.api_base}services/v30.0/agents"
    response = requests.get(url, headers=headers, timeout=10)
    assert (response.status_code, response.json()["error"]) == (401, "invalid_token")


def test_bearer_scheme_is_case_insensitive(sandbox: InContactSandbox) -> None:
    url = f"{sandbox.api_base}services/v30.0/server-time"
    response = requests.get(url, headers={"Authorization": f"bearer {token(sandbox)}"}, timeout=10)
    assert response.status_code == 200


@pytest.mark.parametrize(("version", "status"), [("2.0", 200), ("30.0", 200), ("34.0", 200),
                                                 ("30", 404)])  # fmt: skip
def test_any_version_in_the_url_is_answered(
    sandbox: InContactSandbox, version: str, status: int
) -> None:
    assert get(sandbox, "server-time", version=version).status_code == status


# Paging


def test_top_is_clamped_to_100_and_next_links_reach_the_end(sandbox: InContactSandbox) -> None:
    since = (NOW - timedelta(days=4)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    auth = token(sandbox)
    first = get(sandbox, "contacts/completed", auth=auth, updatedSince=since, top=500).json()
    assert len(first["completedContacts"]) == 100 < first["totalRecords"]
    assert first["_links"]["previous"] is None
    url: str | None = first["_links"]["next"]
    ids = [c["contactId"] for c in first["completedContacts"]]
    pages = 1
    while url:
        assert url.startswith(sandbox.api_base)
        page = requests.get(url, headers={"Authorization": f"Bearer {auth}"}, timeout=10).json()
        assert page["_links"]["previous"]
        ids += [c["contactId"] for c in page["completedContacts"]]
        url, pages = page["_links"]["next"], pages + 1
    assert pages == -(-first["totalRecords"] // 100)
    assert len(ids) == len(set(ids)) == first["totalRecords"]
    assert ids == sorted(ids)  # contactId order by default


@pytest.mark.parametrize("top", ["0", "-1", "ten", ""])
def test_top_that_is_not_a_positive_integer_is_400(sandbox: InContactSandbox, top: str) -> None:
    refused(get(sandbox, "agents", top=top), 400, "Invalid top")


def test_no_data_is_204_with_an_empty_body(sandbox: InContactSandbox) -> None:
    past_end = get(sandbox, "agents", skip=1000)
    assert (past_end.status_code, past_end.content) == (204, b"")
    later = (NOW + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    nothing = get(sandbox, "contacts/completed", updatedSince=later)
    assert (nothing.status_code, nothing.content) == (204, b"")
    injected_at = len(sandbox.requests)
    sandbox.inject(204, path_contains="/teams")
    faulted = get(sandbox, "teams")
    assert (faulted.status_code, faulted.content) == (204, b"")
    assert sandbox.requests[injected_at:][-1].status == 204


def test_admin_lists_page_and_filter(sandbox: InContactSandbox) -> None:
    agents = ok(sandbox, "agents", top=5)
    assert set(agents) >= {"businessUnitId", "lastPollTime", "totalRecords", "_links", "agents"}
    assert agents["totalRecords"] == 12
    assert len(agents["agents"]) == 5
    assert {"agentId", "firstName", "teamId", "lastUpdated", "isActive"} <= set(agents["agents"][0])
    assert ok(sandbox, "teams")["totalRecords"] == 6
    skills = ok(sandbox, "skills")["skills"]
    assert len(skills) == 12
    assert len({s["mediaTypeId"] for s in skills}) >= 4
    phone = ok(sandbox, "skills", mediaTypeId=4)["skills"]
    assert phone
    assert {s["mediaTypeId"] for s in phone} == {4}
    ordered = ok(sandbox, "agents", orderBy="lastUpdated asc")["agents"]
    assert [a["lastUpdated"] for a in ordered] == sorted(a["lastUpdated"] for a in ordered)


def test_campaigns_are_renamed_from_v33(sandbox: InContactSandbox) -> None:
    old = get(sandbox, "campaigns", version="32.0").json()["campaigns"]
    new = get(sandbox, "campaigns", version="33.0").json()["campaigns"]
    assert {"campaignId", "campaignName"} <= set(old[0])
    assert not {"id", "name"} & set(old[0])
    assert {"id", "name"} <= set(new[0])
    assert not {"campaignId", "campaignName"} & set(new[0])
    assert [c["campaignId"] for c in old] == [c["id"] for c in new]


# Contacts


def test_contacts_carry_every_documented_field(sandbox: InContactSandbox) -> None:
    window = {"startDate": "2025-06-10T00:00:00.000Z", "endDate": "2025-06-11T00:00:00.000Z"}
    contacts = ok(sandbox, "contacts/completed", **window)["completedContacts"]
    assert contacts
    for contact in contacts:
        assert set(CONTACT_FIELDS) <= set(contact)
        assert TIMESTAMP.match(contact["contactStartDate"])
        assert TIMESTAMP.match(contact["lastUpdateTime"])
        assert "2025-06-10" <= contact["contactStartDate"] < "2025-06-11"
        start = datetime.fromisoformat(contact["contactStartDate"][:-1] + "+00:00")
        updated = datetime.fromisoformat(contact["lastUpdateTime"][:-1] + "+00:00")
        ended = start + timedelta(seconds=contact["totalDurationSeconds"] + contact["acwSeconds"])
        assert timedelta(minutes=15) <= updated - ended <= timedelta(minutes=91)
    assert {c["mediaTypeId"] for c in contacts} >= {1, 3, 4}
    assert any(isinstance(c["releaseSeconds"], float) for c in contacts)


def test_no_contact_is_updated_in_the_future(sandbox: InContactSandbox) -> None:
    since = (NOW - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    body = ok(sandbox, "contacts/completed", updatedSince=since, orderBy="lastUpdateTime asc")
    times = [c["lastUpdateTime"] for c in body["completedContacts"]]
    assert times == sorted(times)
    assert times[0] >= since
    assert max(times) <= body["lastPollTime"]


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"updatedSince": "2025-05-15T00:00:00.000Z"},
         "Invalid updatedSince: must be within 30 days"),
        ({"startDate": "2025-05-01T00:00:00Z", "endDate": "2025-06-01T00:00:00Z"},
         "Invalid date range. Max 30 days."),
        ({"startDate": "2025-06-10T00:00:00 00:00"}, "Invalid startDate"),
        ({"startDate": "yesterday"}, "Invalid startDate"),
        ({}, "Invalid startDate"),
    ],
)  # fmt: skip
def test_contact_windows_are_checked(
    sandbox: InContactSandbox, params: dict[str, str], description: str
) -> None:
    refused(get(sandbox, "contacts/completed", **params), 400, description)


def test_an_unencoded_plus_fails_and_an_encoded_one_works(sandbox: InContactSandbox) -> None:
    headers = {"Authorization": f"Bearer {token(sandbox)}"}
    url = f"{sandbox.api_base}services/v30.0/contacts/completed?startDate=2025-06-10T00:00:00"
    raw = requests.get(url + "+00:00&endDate=2025-06-11T00:00:00Z", headers=headers, timeout=10)
    refused(raw, 400, "Invalid startDate")
    encoded = requests.get(
        url + "%2B00:00&endDate=2025-06-11T00:00:00Z", headers=headers, timeout=10
    )
    assert encoded.status_code == 200


def test_touched_contact_shows_again_to_updated_since(fresh: InContactSandbox) -> None:
    since = (NOW - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    before = get(fresh, "contacts/completed", updatedSince=since, orderBy="lastUpdateTime asc")
    known = [c["contactId"] for c in before.json()["completedContacts"]] if before.content else []
    old = ok(
        fresh,
        "contacts/completed",
        startDate="2025-06-01T00:00:00Z",
        endDate="2025-06-02T00:00:00Z",
    )
    touched = old["completedContacts"][3]
    fresh.touch_contact(touched["contactId"])
    after = ok(fresh, "contacts/completed", updatedSince=since, orderBy="lastUpdateTime asc")
    ids = [c["contactId"] for c in after["completedContacts"]]
    assert touched["contactId"] in ids
    assert ids[-1] == touched["contactId"]
    assert set(ids) - set(known) == {touched["contactId"]}
    again = next(c for c in after["completedContacts"] if c["contactId"] == touched["contactId"])
    assert again["lastUpdateTime"] > touched["lastUpdateTime"]
    assert again["dispositionNotes"] != touched["dispositionNotes"]
    with pytest.raises(KeyError):
        fresh.touch_contact(1)


# Performance and summaries


def test_agent_performance_totals_a_closed_quarter_hour_window(sandbox: InContactSandbox) -> None:
    rows = ok(sandbox, "agents/performance", **AFTERNOON)["agentPerformance"]
    assert rows
    for row in rows:
        assert set(AGENT_PERFORMANCE_FIELDS) <= set(row)
        assert DURATION.match(row["inboundTalkTime"])
        assert DURATION.match(row["loginTime"])
        assert isinstance(row["totalHandled"], int)
        assert isinstance(row["occupancy"], (int, float))
    assert ok(sandbox, "agents/performance", **AFTERNOON)["agentPerformance"] == rows


def test_team_performance_adds_team_fields(sandbox: InContactSandbox) -> None:
    rows = ok(sandbox, "teams/performance-total", **AFTERNOON)["teamPerformanceTotal"]
    assert rows
    for row in rows:
        assert {"teamId", "totalAvgHandled", "avgAvailableTime", "avgUnavailableTime"} <= set(row)
        assert "agentId" not in row
        assert DURATION.match(row["avgAvailableTime"])


@pytest.mark.parametrize("path", ["agents/performance", "teams/performance-total"])
def test_performance_windows_must_be_closed_quarter_hours(
    sandbox: InContactSandbox, path: str
) -> None:
    for start, end in [
        ("2025-06-14T14:05:00.000Z", "2025-06-14T15:00:00.000Z"),
        ("2025-06-14T14:00:00.000Z", "2025-06-14T15:00:30.000Z"),
        ("2025-06-15T15:00:00.000Z", "2025-06-15T16:00:00.000Z"),  # not over yet
    ]:
        refused(get(sandbox, path, startDate=start, endDate=end), 400, "Invalid DateRange")
    night = get(sandbox, path, **NIGHT)
    assert (night.status_code, night.content) == (204, b"")


def test_skill_summary_has_every_field_and_iso_times(sandbox: InContactSandbox) -> None:
    window = {"startDate": "2025-06-01T00:00:00.000Z", "endDate": "2025-06-15T00:00:00.000Z"}
    rows = ok(sandbox, "skills/summary", **window)["skillSummaries"]
    assert len(rows) == 12
    for row in rows:
        assert set(SNAPSHOT_FIELDS) <= set(row)
        assert {"contactsOffered", "serviceLevel", "abandonRate", "connectsAHT"} <= set(row)
        assert all(DURATION.match(row[name]) for name in SUMMARY_TIMES)
    assert sum(r["dials"] for r in rows) > 0
    refused(
        get(
            sandbox,
            "skills/summary",
            startDate="2025-05-01T00:00:00Z",
            endDate="2025-06-01T00:00:00Z",
        ),
        400,
        "Invalid date range. Max 30 days.",
    )
    assert get(sandbox, "skills/summary", **NIGHT).status_code == 204


# Reports


def test_reports_list_custom_download_and_prebuilt(sandbox: InContactSandbox) -> None:
    reports = ok(sandbox, "reports")["reports"]
    kinds = {r["reportType"] for r in reports}
    assert kinds == {"Public", "Private", "Data Download", "Prebuilt"}
    runnable = [r["reportId"] for r in reports if r["reportType"] in ("Public", "Private")]
    assert runnable == sandbox.report_ids
    downloads = [r["reportId"] for r in reports if r["reportType"] == "Data Download"]
    assert downloads == sandbox.data_download_report_ids
    assert [r["reportId"] for r in reports if r["reportType"] == "Prebuilt"] == [None]


def start_job(sandbox: InContactSandbox, auth: str, report_id: Any) -> requests.Response:
    url = f"{sandbox.api_base}services/v30.0/report-jobs/{report_id}"
    params: dict[str, Any] = {"fileType": "CSV", "includeHeaders": "true", "deleteAfter": 7}
    return requests.post(
        url, headers={"Authorization": f"Bearer {auth}"}, params=params, timeout=10
    )


def run_report(sandbox: InContactSandbox, report_id: int) -> str:
    """202, then 409, then Running, then Finished; returns the decoded CSV."""
    auth = token(sandbox)
    started = start_job(sandbox, auth, report_id)
    assert started.status_code == 202
    job_id = started.json()["jobId"]
    assert isinstance(job_id, int)
    pending = get(sandbox, f"report-jobs/{job_id}", auth=auth)
    refused(pending, 409, "Interval data pending, try again later")
    assert pending.json()["error"] == "Conflict"
    running = get(sandbox, f"report-jobs/{job_id}", auth=auth).json()
    assert (running["state"], running["resultFileURL"]) == ("Running", "")
    finished = get(sandbox, f"report-jobs/{job_id}", auth=auth).json()
    assert finished["state"] == "Finished"
    assert finished["reportId"] == report_id
    url = finished["resultFileURL"]
    assert url.startswith(f"{sandbox.api_base}services/v30.0/files?fileName=")
    file = requests.get(url, headers={"Authorization": f"Bearer {auth}"}, timeout=10).json()
    assert set(file["files"]) == {"fileName", "file"}
    return base64.b64decode(file["files"]["file"]).decode()


def test_report_job_is_polled_past_409_and_running_to_a_csv(sandbox: InContactSandbox) -> None:
    headers = []
    for report_id in sandbox.report_ids:
        text = run_report(sandbox, report_id)
        assert text == sandbox.report_csv(report_id)
        rows = list(csv.reader(io.StringIO(text)))
        headers.append(tuple(rows[0]))
        assert 20 <= len(rows) - 1 <= 200
        assert all(len(row) == len(rows[0]) for row in rows)
    assert len(set(headers)) == len(headers)
    assert headers[0] == (
        "Contact ID", "Skill Name", "Agent Name", "Start Date", "Duration", "Disposition Notes"
    )  # fmt: skip
    assert "Avg. Handle Time (s)" in headers[1]
    notes = [row[5] for row in csv.reader(io.StringIO(sandbox.report_csv(sandbox.report_ids[0])))]
    assert any("," in note for note in notes)
    assert any("\n" in note for note in notes)


def test_report_job_errors(sandbox: InContactSandbox) -> None:
    auth = token(sandbox)
    assert start_job(sandbox, auth, 999).status_code == 404
    assert start_job(sandbox, auth, sandbox.data_download_report_ids[0]).status_code == 404
    assert get(sandbox, "report-jobs/123", auth=auth).status_code == 404
    assert get(sandbox, "files", auth=auth, fileName="nope.csv").status_code == 404


def test_report_files_can_be_served_by_another_host(sandbox: InContactSandbox) -> None:
    report_id = sandbox.report_ids[0]
    auth = token(sandbox)
    with sandbox.report_files_elsewhere() as files:
        job_id = start_job(sandbox, auth, report_id).json()["jobId"]
        polls = [get(sandbox, f"report-jobs/{job_id}", auth=auth) for _ in range(3)]
        url = polls[-1].json()["resultFileURL"]
        assert url.startswith(f"{files.url}/files/")
        fetched = requests.get(url, timeout=10)
        assert fetched.status_code == 200
        text = base64.b64decode(fetched.json()["files"]["file"]).decode()
        assert text == sandbox.report_csv(report_id)
        assert requests.get(f"{files.url}/files/nope.csv", timeout=10).status_code == 404
        assert [(r.method, r.status) for r in files.requests] == [("GET", 200), ("GET", 404)]
        assert not any("Authorization" in r.headers for r in files.requests)
    job_id = start_job(sandbox, auth, report_id).json()["jobId"]
    polls = [get(sandbox, f"report-jobs/{job_id}", auth=auth) for _ in range(3)]
    assert polls[-1].json()["resultFileURL"].startswith(sandbox.api_base)


def download(sandbox: InContactSandbox, start: str, end: str, report: int = 0) -> requests.Response:
    report_id = sandbox.data_download_report_ids[report]
    url = f"{sandbox.api_base}services/v30.0/report-jobs/datadownload/{report_id}"
    params = {"startDate": start, "endDate": end, "saveAsFile": "false", "includeHeaders": "true"}
    headers = {"Authorization": f"Bearer {token(sandbox)}"}
    return requests.post(url, headers=headers, params=params, timeout=10)


def test_data_download_returns_the_window_inline(sandbox: InContactSandbox) -> None:
    response = download(sandbox, "2025-06-14T00:00:00", "2025-06-15T00:00:00")
    assert response.status_code == 200
    body = response.json()
    assert (body["errorMessage"], body["fileType"], body["URI"]) == (None, "CSV", "")
    rows = list(csv.DictReader(io.StringIO(base64.b64decode(body["file"]).decode())))
    assert list(rows[0]) == ["contact_id", "start_time", "skill", "agent", "talk_seconds"]
    assert all("2025-06-14 00:00:00" <= row["start_time"] < "2025-06-15" for row in rows)
    window = {"startDate": "2025-06-14T00:00:00Z", "endDate": "2025-06-15T00:00:00Z"}
    assert len(rows) == ok(sandbox, "contacts/completed", **window)["totalRecords"]
    other = download(sandbox, "2025-06-14T00:00:00", "2025-06-15T00:00:00", report=1).json()
    other_header = base64.b64decode(other["file"]).decode().splitlines()[0]
    assert other_header != "contact_id,start_time,skill,agent,talk_seconds"
    night = download(sandbox, "2025-06-14T02:00:00", "2025-06-14T04:00:00").json()
    assert base64.b64decode(night["file"]).decode() == (
        "contact_id,start_time,skill,agent,talk_seconds\r\n"
    )


@pytest.mark.parametrize(
    ("start", "end", "description"),
    [
        ("2025-06-14T00:00:00Z", "2025-06-15T00:00:00Z", "Invalid startDate"),
        ("2025-06-14T00:00:00+00:00", "2025-06-15T00:00:00", "Invalid startDate"),
        ("2025-06-14T00:00:00", "2025-06-15T00:00:00-05:00", "Invalid endDate"),
        ("2025-05-01T00:00:00", "2025-06-01T00:00:00", "Invalid date range. Max 30 days."),
        ("2023-06-01T00:00:00", "2023-06-02T00:00:00", "Invalid startDate"),
    ],
)
def test_data_download_rules(
    sandbox: InContactSandbox, start: str, end: str, description: str
) -> None:
    refused(download(sandbox, start, end), 400, description)


# Faults, legacy names, settings


def test_token_endpoint_can_be_throttled(sandbox: InContactSandbox) -> None:
    sandbox.inject(429, retry_after=2, path_contains="/InContactAuthorizationServer/Token")
    throttled = grant(sandbox)
    assert throttled.status_code == 429
    assert throttled.json() == {"error": "Too Many Requests"}
    assert throttled.headers["Retry-After"] == "2"
    assert throttled.headers["icStatusDescription"] == "Too Many Requests"
    assert grant(sandbox).status_code == 200


def test_legacy_fields_serve_the_older_names() -> None:
    with make(legacy_fields=True, agents=4, contacts_per_day=20) as legacy:
        window = {"startDate": "2025-06-10T00:00:00Z", "endDate": "2025-06-11T00:00:00Z"}
        contact = ok(legacy, "contacts/completed", **window)["completedContacts"][0]
        old = {"contactStart", "fromAddr", "toAddr", "confSeconds", "ACWSeconds", "mediaType"}
        assert old <= set(contact)
        assert not {"contactStartDate", "fromAddress", "toAddress", "acwSeconds"} & set(contact)
        summary = ok(legacy, "skills/summary", **window)["skillSummaries"][0]
        assert all(isinstance(summary[name], (int, float)) for name in SUMMARY_TIMES)


def test_env_points_a_client_at_the_simulator(sandbox: InContactSandbox) -> None:
    env = sandbox.env()
    assert env["INCONTACT_SANDBOX_AUTH_URL"] == sandbox.auth_url
    assert env["INCONTACT_SANDBOX_ISSUER"] == sandbox.cxone_issuer
    assert env["INCONTACT_SANDBOX_USERNAME"] == "api.user@example.com"
    assert env["INCONTACT_SANDBOX_PASSWORD"] == "sandbox-password"
    assert env["INCONTACT_SANDBOX_ACCESS_KEY_ID"] == "AKID=42+x"
    assert json.loads(env["INCONTACT_SANDBOX_REPORT_IDS"]) == sandbox.report_ids
    assert json.loads(env["INCONTACT_SANDBOX_DATA_DOWNLOAD_REPORT_IDS"]) == (
        sandbox.data_download_report_ids
    )
    assert all(" " not in value for value in env.values())


@pytest.mark.parametrize("zone", ["Central Standard Time", "India Standard Time", None])
def test_the_business_unit_names_its_zone_the_windows_way_or_not_at_all(zone) -> None:
    with make(time_zone=zone) as unit:
        [answer] = ok(unit, "business-unit")["businessUnits"]
    assert answer["businessUnitId"] == 4593101
    assert answer.get("timeZone") == zone
    assert ("timeZone" in answer) == (zone is not None)


def test_every_entity_carries_fields_a_tap_may_not_declare(sandbox: InContactSandbox) -> None:
    [agent] = ok(sandbox, "agents", top=1)["agents"]
    assert {"city", "state", "country", "atHome"} <= set(agent)
    [team] = ok(sandbox, "teams", top=1)["teams"]
    assert {"chatThreshold", "emailThreshold", "voiceThreshold"} <= set(team)
    assert "priorityBlending" in ok(sandbox, "skills", top=1)["skills"][0]
    assert "campaignType" in ok(sandbox, "campaigns", top=1)["campaigns"][0]
    assert "reportOwner" in ok(sandbox, "reports")["reports"][0]
    [contact] = ok(sandbox, "contacts/completed", top=1, **AFTERNOON)["completedContacts"]
    assert {"targetAgentId", "isWarehoused"} <= set(contact)
    assert "agentName" in ok(sandbox, "agents/performance", **AFTERNOON)["agentPerformance"][0]
    teams = ok(sandbox, "teams/performance-total", **AFTERNOON)["teamPerformanceTotal"]
    assert "teamName" in teams[0]
    assert "contactsTransferred" in ok(sandbox, "skills/summary", **AFTERNOON)["skillSummaries"][0]
