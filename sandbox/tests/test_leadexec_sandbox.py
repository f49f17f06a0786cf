"""The LeadExec simulator over real HTTP: the API facts the tap relies on, and the test hooks."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from defusedxml import ElementTree as ET

from sandbox.leadexec import (
    AUTO_INSURANCE,
    LATE_VISIBILITY_SECONDS,
    MORTGAGE,
    SOLAR,
    SOURCE_ZONE,
    LeadExecSandbox,
)

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 20, 18, 0, tzinfo=timezone.utc)
JSON = {"Accept": "application/json"}
WINDOW = {"StartDate": "3/1/2026", "EndDate": "3/15/2026"}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[LeadExecSandbox]:
    with LeadExecSandbox(now=NOW, history_days=30) as running:
        yield running


@pytest.fixture
def fresh() -> Iterator[LeadExecSandbox]:
    """A sandbox of its own, for tests that change leads."""
    with LeadExecSandbox(now=NOW, history_days=10, leads_per_day=5) as running:
        yield running


def post(sandbox: LeadExecSandbox, headers: dict | None = None, **params: Any) -> requests.Response:
    form = {"key": "sandbox-key", "lid": MORTGAGE.lid, **WINDOW, **params}
    return requests.post(sandbox.api_url, data=form, headers=headers or {}, timeout=10)


def leads_json(sandbox: LeadExecSandbox, **params: Any) -> dict:
    answer = post(sandbox, JSON, **params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def all_uids(sandbox: LeadExecSandbox, take: int, **params: Any) -> list[int]:
    first = leads_json(sandbox, take=take, **params)
    uids = [int(lead["UID"]) for lead in first["Leads"]]
    for skip in range(take, first["QueryTotal"], take):
        uids += [
            int(lead["UID"])
            for lead in leads_json(sandbox, take=take, skip=skip, **params)["Leads"]
        ]
    return uids


def test_xml_is_the_default_with_lower_case_envelope_attributes(sandbox) -> None:
    answer = post(sandbox, take=3)
    assert answer.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(answer.content)
    assert root.tag == "Leads"
    assert set(root.attrib) == {"querytotal", "takecount", "sentcount"}
    assert (root.attrib["takecount"], root.attrib["sentcount"]) == ("3", "3")
    lead = root[0]
    assert lead.tag == "Lead"
    assert [child.tag for child in lead][:9] == [
        "UID", "LeadSource", "DateAdded", "LastUpdated", "FileUID", "Campaign", "IsValid",
        "MaxSell", "Price",
    ]  # fmt: skip
    assert lead.findtext("IsValid") in ("true", "false")
    assert datetime.strptime(lead.findtext("DateAdded") or "", "%m/%d/%Y %I:%M:%S %p")


def test_json_on_request_with_its_own_casing_and_string_uids(sandbox) -> None:
    body = leads_json(sandbox, take=40)
    assert set(body) == {"QueryTotal", "TakeCount", "SentCount", "Leads"}
    assert (body["TakeCount"], body["SentCount"]) == (40, 40)
    assert {type(lead["UID"]) for lead in body["Leads"]} == {str, int}
    assert all(datetime.strptime(lead["DateAdded"], "%Y-%m-%dT%H:%M:%S") for lead in body["Leads"])
    assert all(isinstance(lead["IsValid"], bool) for lead in body["Leads"])


def test_xml_and_json_hold_the_same_leads(sandbox) -> None:
    xml = ET.fromstring(post(sandbox, take=20).content)
    body = leads_json(sandbox, take=20)
    assert [int(lead.findtext("UID") or 0) for lead in xml] == [
        int(x["UID"]) for x in body["Leads"]
    ]
    assert int(xml.attrib["querytotal"]) == body["QueryTotal"]


def test_get_with_a_query_string_and_any_parameter_case_work_too(sandbox) -> None:
    form: dict[str, Any] = {"key": "sandbox-key", "lid": MORTGAGE.lid, **WINDOW, "take": 5}
    by_get = requests.get(sandbox.api_url, params=form, headers=JSON, timeout=10).json()
    shouted = {
        "KEY": "sandbox-key",
        "LID": MORTGAGE.lid,
        "startdate": "3/1/2026",
        "ENDDATE": "3/15/2026",
        "Take": 5,
    }
    by_post = requests.post(sandbox.api_url, data=shouted, headers=JSON, timeout=10).json()
    assert by_get == by_post == leads_json(sandbox, take=5)


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"key": "nope"}, 401, "Invalid API key"),
        ({"key": ""}, 401, "Invalid API key"),
        ({"lid": 42}, 400, "Unknown lead type: 42"),
        ({"lid": "mortgage"}, 400, "Unknown lead type"),
        ({"StartDate": "someday"}, 400, "Invalid StartDate"),
        ({"EndDate": ""}, 400, "Invalid EndDate"),
        ({"take": "-5"}, 400, "Invalid take"),
    ],
)
def test_errors_answer_in_the_format_asked_for(sandbox, params, status, message) -> None:
    as_xml = post(sandbox, **params)
    as_json = post(sandbox, JSON, **params)
    assert as_xml.status_code == as_json.status_code == status
    assert ET.fromstring(as_xml.content).tag == "Error"
    assert message in (ET.fromstring(as_xml.content).text or "")
    assert message in as_json.json()["Error"]


def test_take_is_clamped_to_a_thousand_and_defaults_to_it(sandbox) -> None:
    window = {"StartDate": "2/19/2026", "EndDate": "3/21/2026"}
    clamped = leads_json(sandbox, take=5000, **window)
    assert clamped["QueryTotal"] > 1000
    assert (clamped["TakeCount"], clamped["SentCount"]) == (1000, 1000)
    assert leads_json(sandbox, **window)["SentCount"] == 1000


def test_skip_and_take_cover_a_window_once_in_date_added_order(sandbox) -> None:
    uids = all_uids(sandbox, 37)
    assert len(uids) == len(set(uids)) == leads_json(sandbox, take=0)["QueryTotal"]
    dates = [lead["DateAdded"] for lead in leads_json(sandbox, take=1000)["Leads"]]
    assert dates == sorted(dates)
    newest_first = leads_json(sandbox, take=1000, SortOrder="DESC")["Leads"]
    assert [x["DateAdded"] for x in newest_first] == sorted(dates, reverse=True)


def test_other_sort_fields_query_filters_and_projections(sandbox) -> None:
    by_loan = leads_json(sandbox, take=1000, sortfields="LoanAmount")["Leads"]
    loans = [lead["LoanAmount"] for lead in by_loan]
    assert loans == sorted(loans)
    middle = '{"LoanAmount": {"$gte": 150000, "$lte": 200000}}'
    filtered = leads_json(sandbox, take=1000, query=middle)
    assert filtered["Leads"]
    assert all(150000 <= lead["LoanAmount"] <= 200000 for lead in filtered["Leads"])
    assert filtered["QueryTotal"] == len(filtered["Leads"]) < len(by_loan)
    one = leads_json(sandbox, query=f'{{"UID": {int(by_loan[3]["UID"])}}}')
    assert [int(lead["UID"]) for lead in one["Leads"]] == [int(by_loan[3]["UID"])]
    narrow = leads_json(sandbox, take=2, fields="FirstName|LoanAmount")["Leads"]
    assert all(set(lead) == {"UID", "FirstName", "LoanAmount"} for lead in narrow)
    assert post(sandbox, JSON, query="{not json").status_code == 400


def test_windows_start_inclusive_end_exclusive_in_pacific_time(sandbox) -> None:
    lead = leads_json(sandbox, take=1)["Leads"][0]
    added = datetime.strptime(lead["DateAdded"], "%Y-%m-%dT%H:%M:%S")
    exact = {"StartDate": added.strftime("%m/%d/%Y %H:%M:%S")}
    assert int(leads_json(sandbox, take=1, **exact)["Leads"][0]["UID"]) == int(lead["UID"])
    before = leads_json(sandbox, take=1000, EndDate=added.strftime("%m-%d-%Y %H:%M:%S"))
    assert int(lead["UID"]) not in [int(x["UID"]) for x in before["Leads"]]
    # A date-only bound is midnight at the start of that day.
    day = leads_json(sandbox, take=1000, StartDate="3/10/2026", EndDate="3/11/2026")["Leads"]
    assert {x["DateAdded"][:10] for x in day} == {"2026-03-10"}


def test_naive_pacific_times_follow_daylight_saving(sandbox) -> None:
    body = leads_json(sandbox, take=1000, StartDate="3/7/2026", EndDate="3/10/2026")
    stamps = [datetime.strptime(x["DateAdded"], "%Y-%m-%dT%H:%M:%S") for x in body["Leads"]]
    # Clocks sprang forward at 2:00 on 8 March: that hour never happened in Pacific time.
    assert not [s for s in stamps if s.date().day == 8 and s.hour == 2]
    truth = sandbox.leads(MORTGAGE.lid, datetime(2026, 3, 7), datetime(2026, 3, 10))
    assert [lead["UID"] for lead in truth] == [int(x["UID"]) for x in body["Leads"]]


def test_the_night_clocks_fall_back_has_two_one_oclock_hours() -> None:
    autumn = LeadExecSandbox(
        now=datetime(2026, 11, 3, tzinfo=timezone.utc), history_days=4, leads_per_day=480
    )
    night = autumn.leads(MORTGAGE.lid, datetime(2026, 11, 1), datetime(2026, 11, 2))
    hours = Counter(lead["DateAdded"].hour for lead in night)
    assert hours[1] > 1.5 * (hours[0] + hours[3]) / 2


def test_each_lead_type_has_its_own_fields(sandbox) -> None:
    fields = {}
    for lead_type in (MORTGAGE, AUTO_INSURANCE, SOLAR):
        lead = leads_json(sandbox, lid=lead_type.lid, take=1)["Leads"][0]
        fields[lead_type.lid] = set(lead)
        assert {name for name, _ in lead_type.fields} <= set(lead)
    assert len({frozenset(f) for f in fields.values()}) == 3
    assert "IndustrySub-Category" in fields[MORTGAGE.lid]


def test_values_are_sometimes_empty_and_one_field_mixes_types(sandbox) -> None:
    solar = leads_json(sandbox, lid=SOLAR.lid, take=1000)["Leads"]
    assert {type(x["AnnualUsageKwh"]) for x in solar} == {int, str}
    assert {x["AnnualUsageKwh"] for x in solar if isinstance(x["AnnualUsageKwh"], str)} == {"N/A"}
    auto = leads_json(sandbox, lid=AUTO_INSURANCE.lid, take=1000)["Leads"]
    assert "" in {x["CurrentInsurer"] for x in auto}
    assert None in {x["MonthlyPremium"] for x in auto}
    xml = ET.fromstring(post(sandbox, lid=AUTO_INSURANCE.lid, take=1000).content)
    empty = [lead for lead in xml if lead.find("CurrentInsurer") is not None]
    assert any(not lead.findtext("CurrentInsurer") for lead in empty)


def test_sends_are_nested_in_both_formats(sandbox) -> None:
    body = leads_json(sandbox, take=100)
    sent = [lead for lead in body["Leads"] if lead["Sends"]]
    assert sent
    send_fields = {"SendUID", "ClientUID", "ClientName", "DateSent", "Price", "Status"}
    assert set(sent[0]["Sends"][0]) == send_fields | {"BuyerReference"}  # one not in the notes
    assert all("AffiliateID" in lead for lead in body["Leads"])
    xml = ET.fromstring(post(sandbox, take=100).content)
    uid = str(sent[0]["UID"])
    lead = next(x for x in xml if x.findtext("UID") == uid)
    sends = lead.find("Sends")
    assert sends is not None
    assert [s.tag for s in sends] == ["Send"] * len(sent[0]["Sends"])
    assert sends[0].findtext("ClientName") == sent[0]["Sends"][0]["ClientName"]


def test_empty_windows_answer_the_assumed_shapes(sandbox) -> None:
    empty: dict[str, Any] = {"StartDate": "1/1/2010", "EndDate": "1/2/2010"}
    assert leads_json(sandbox, **empty) == {"QueryTotal": 0, "Leads": []}
    root = ET.fromstring(post(sandbox, None, **empty).content)
    assert root.attrib == {"querytotal": "0", "takecount": "1000", "sentcount": "0"}
    assert len(root) == 0


def test_a_new_lead_becomes_visible_only_after_a_while(fresh) -> None:
    assert LATE_VISIBILITY_SECONDS >= 1
    window = {"StartDate": "3/20/2026", "EndDate": "3/21/2026"}
    before = leads_json(fresh, **window)["QueryTotal"]
    uid = fresh.add_lead(MORTGAGE.lid, NOW - timedelta(minutes=5), visible_after=0.5)
    assert leads_json(fresh, **window)["QueryTotal"] == before
    time.sleep(0.6)
    after = leads_json(fresh, **window)
    assert after["QueryTotal"] == before + 1
    added = next(x for x in after["Leads"] if int(x["UID"]) == uid)
    pacific = (NOW - timedelta(minutes=5)).astimezone(SOURCE_ZONE).replace(tzinfo=None)
    assert added["DateAdded"] == pacific.isoformat()


def test_late_sends_and_updates_move_last_updated(fresh) -> None:
    lead = fresh.leads(MORTGAGE.lid)[-1]
    send = fresh.add_send(MORTGAGE.lid, lead["UID"], client=2)
    fresh.update_lead(MORTGAGE.lid, lead["UID"], CreditScore=801)
    changed = fresh.lead(MORTGAGE.lid, lead["UID"])
    assert changed["Sends"][-1] == send
    assert changed["CreditScore"] == 801
    assert changed["LastUpdated"] > lead["LastUpdated"]
    fresh.delete_lead(MORTGAGE.lid, lead["UID"])
    assert lead["UID"] not in {x["UID"] for x in fresh.leads(MORTGAGE.lid)}


def test_faults_come_from_the_shared_base(fresh) -> None:
    fresh.inject(503, count=1)
    assert post(fresh).status_code == 503
    assert post(fresh).status_code == 200
    control = requests.post(fresh.url + "/_sandbox/faults", json={"status": 500}, timeout=10)
    assert control.status_code == 200
    assert post(fresh).status_code == 500
    assert [r.status for r in fresh.requests][-3:] == [503, 200, 500]
    assert fresh.queries[-1].params["lid"] == str(MORTGAGE.lid)


def test_serve_starts_it_and_prints_where_it_is(tmp_path) -> None:
    env_file = tmp_path / "sandbox.env"
    command = [sys.executable, "-m", "sandbox", "serve", "--env-file", str(env_file)]
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=ROOT) as serving:
        try:
            deadline = time.monotonic() + 60
            while not env_file.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            lines = dict(line.split("=", 1) for line in env_file.read_text().split())
            refused = requests.post(
                lines["CLICKPOINT_SANDBOX_URL"], data={"key": "nope"}, headers=JSON, timeout=10
            )
        finally:
            serving.terminate()
    assert refused.status_code == 401
    assert lines["CLICKPOINT_SANDBOX_API_KEY"] == "sandbox-key"
    assert lines["CLICKPOINT_SANDBOX_LEAD_TYPE_IDS"] == "[1841,2207,3115]"


def test_lead_types_can_be_chosen_by_spec_lid_or_count() -> None:
    assert LeadExecSandbox(lead_types=[SOLAR]).lead_type_ids == [SOLAR.lid]
    assert LeadExecSandbox(lead_types=2).lead_type_ids == [MORTGAGE.lid, AUTO_INSURANCE.lid]
    custom = LeadExecSandbox(lead_types=[SOLAR.lid, 77], leads_per_day=2, history_days=2)
    assert custom.lead_type_ids == [SOLAR.lid, 77]
    # An unknown lid takes the catalogue's fields in turn: the second is auto insurance's.
    assert {name for name, _ in AUTO_INSURANCE.fields} <= set(custom.leads(77)[0])
