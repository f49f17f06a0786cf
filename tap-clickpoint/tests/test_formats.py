"""XML and JSON answers, and the fields of each lead type: kept, typed, never dropped."""

import logging
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import requests
from clickpoint_harness import API_KEY, sync, tap_config
from tap_clickpoint.fields import LeadTyper, lead_schema
from tap_clickpoint.formats import CanonicalObject
from tap_clickpoint.tap import TapClickPoint

from sandbox.leadexec import AUTO_INSURANCE, MORTGAGE, SOLAR, SOURCE_ZONE, LeadExecSandbox

RECENT = {"start_date": "today-4"}
FIXED_FIELDS = {"lead_type_id", "UID", "LeadSource", "DateAdded", "LastUpdated", "FileUID",
                "Campaign", "IsValid", "MaxSell", "Price", "Sends"}  # fmt: skip


def utc(naive_pacific: datetime) -> str:
    return naive_pacific.replace(tzinfo=SOURCE_ZONE).astimezone(timezone.utc).isoformat()


def property_type(schema: dict, name: str) -> str:
    declared = schema["properties"][name]
    kinds = [k for k in declared["type"] if k != "null"]
    assert len(kinds) == 1, declared
    return "date-time" if declared.get("format") == "date-time" else kinds[0]


@pytest.fixture(scope="module")
def json_run():
    return sync(tap_config(**RECENT))


def test_xml_and_json_answers_give_identical_records(sandbox, json_run) -> None:
    sandbox.json_on_request = False
    xml_run = sync(tap_config(**RECENT))
    assert all("application/json" in q.accept for q in sandbox.queries)
    assert xml_run.schema == json_run.schema
    assert xml_run.records() == json_run.records()
    assert len(json_run.records()) > 300


def test_the_simulator_answers_xml_unless_json_is_asked_for(sandbox) -> None:
    form = {"key": API_KEY, "lid": MORTGAGE.lid, "StartDate": "1/1/2020", "EndDate": "1/1/2030"}
    plain = requests.post(sandbox.api_url, data={**form, "take": 1}, timeout=10)
    asked = requests.post(
        sandbox.api_url,
        data={**form, "take": 50},
        headers={"Accept": "application/json"},
        timeout=10,
    )
    assert plain.text.lstrip().startswith("<?xml")
    assert any(isinstance(lead["UID"], str) for lead in asked.json()["Leads"])
    assert any(isinstance(lead["UID"], int) for lead in asked.json()["Leads"])


def test_fields_are_typed_only_when_every_sampled_value_agrees(json_run) -> None:
    schema = json_run.schema
    expected = {
        "LoanAmount": "number", "CreditScore": "integer", "IsVeteran": "boolean",
        "ConsentDate": "date-time", "VehicleYear": "integer", "HasAccidents": "boolean",
        "Drivers": "integer", "MonthlyPremium": "number", "MonthlyBill": "number",
        "RoofAgeYears": "integer", "HomeOwner": "boolean",
        # Mostly numbers but sometimes "N/A"; ZIP codes with leading zeros; phone numbers.
        "AnnualUsageKwh": "string", "PropertyZip": "string", "Phone": "string",
        "IndustrySub-Category": "string", "CurrentInsurer": "string",
    }  # fmt: skip
    assert {name: property_type(schema, name) for name in expected} == expected
    assert schema["additionalProperties"] is True


def test_each_lead_keeps_exactly_its_lead_types_fields(json_run) -> None:
    by_type = json_run.by_lead_type()
    assert set(by_type) == {MORTGAGE.lid, AUTO_INSURANCE.lid, SOLAR.lid}
    for spec in (MORTGAGE, AUTO_INSURANCE, SOLAR):
        own = {name for name, _ in spec.fields}
        fields = FIXED_FIELDS | own | {"AffiliateID"}  # one the notes do not list
        assert all(set(r) == fields for r in by_type[spec.lid]), spec.name


def expected_value(name: str, value: object) -> object:
    """What the tap emits for a value the simulator holds: UTC times, typed text, "" as null."""
    if isinstance(value, datetime):
        return utc(value)
    if value == "":
        return None
    if name == "AnnualUsageKwh":  # numbers and "N/A": the field is text
        return str(value)
    return pytest.approx(value) if isinstance(value, float) else value


def test_every_field_leadexec_holds_is_emitted_key_by_key(sandbox, json_run) -> None:
    records = json_run.records()
    assert len(records) > 300
    for record in records:
        truth = sandbox.lead(record["lead_type_id"], record["UID"])
        assert set(record) == {"lead_type_id", *truth}  # nothing dropped, nothing invented
        for name, value in truth.items():
            if name != "Sends":
                assert record[name] == expected_value(name, value), name
        assert len(record["Sends"]) == len(truth["Sends"])
        for send, held in zip(record["Sends"], truth["Sends"], strict=True):
            assert send == {key: expected_value(key, value) for key, value in held.items()}
    # Fields the notes do not list (one on the lead, one on each send) come through too.
    assert all(r["AffiliateID"].startswith("AFF-") for r in records)
    sends = [send for r in records for send in r["Sends"]]
    assert sends
    assert all(send["BuyerReference"].startswith("B5") for send in sends)
    assert all(isinstance(r["UID"], int) for r in records)
    usage = {r.get("AnnualUsageKwh") for r in json_run.by_lead_type()[SOLAR.lid]}
    assert "N/A" in usage
    assert any(isinstance(v, str) and v.isdigit() for v in usage)


# A sandbox of its own for the tests that change leads.


@pytest.fixture(scope="module")
def small() -> LeadExecSandbox:
    """Mortgage leads only, 40 a day: more than a sample's 1000 in the last 35 days."""
    with LeadExecSandbox(
        api_keys=(API_KEY,), lead_types=(MORTGAGE,), leads_per_day=40, history_days=40
    ) as running:
        yield running


def oldest_mortgage_lead(sandbox: LeadExecSandbox) -> dict:
    """A lead older than the schema sample (the newest 1000 leads) reaches."""
    start = datetime.now(timezone.utc) - timedelta(days=35)
    return sandbox.leads(MORTGAGE.lid, start, start + timedelta(days=1))[0]


def test_a_value_unlike_the_sample_is_null_with_one_warning(small, caplog) -> None:
    lead = oldest_mortgage_lead(small)
    small.update_lead(MORTGAGE.lid, lead["UID"], CreditScore="unknown")
    config = tap_config(api_url=small.api_url, start_date="today-38", lead_type_ids=[MORTGAGE.lid])
    output = sync(config)
    by_uid = {r["UID"]: r for r in output.records()}
    assert property_type(output.schema, "CreditScore") == "integer"
    assert by_uid[lead["UID"]]["CreditScore"] is None
    warnings = [r.getMessage() for r in caplog.records if "CreditScore" in r.getMessage()]
    assert len(warnings) == 1


def test_a_field_the_sample_missed_still_reaches_the_target(small) -> None:
    lead = oldest_mortgage_lead(small)
    small.update_lead(MORTGAGE.lid, lead["UID"], CoBorrower="Maria Garcia")
    config = tap_config(api_url=small.api_url, start_date="today-38", lead_type_ids=[MORTGAGE.lid])
    output = sync(config)
    assert "CoBorrower" not in output.schema["properties"]
    assert {r["UID"]: r for r in output.records()}[lead["UID"]]["CoBorrower"] == "Maria Garcia"


def test_a_given_catalog_is_used_without_sampling(sandbox) -> None:
    catalog = TapClickPoint(config=tap_config(**RECENT)).catalog_dict
    sandbox.clear_log()
    output = sync(tap_config(**RECENT), catalog=catalog)
    assert output.records()
    assert all(q.params["sortorder"] == "ASC" for q in sandbox.queries)
    assert isinstance(output.records()[0]["Price"], (float, int, Decimal))


def test_a_value_that_does_not_fit_its_learned_type_is_kept_as_text() -> None:
    sample: dict[int, list[CanonicalObject]] = {
        7: [{"UID": "1", "AnnualUsageKwh": "9000"}, {"UID": "2", "AnnualUsageKwh": "12"}]
    }
    schema = lead_schema(sample, logging.getLogger("test"))
    assert schema["properties"]["AnnualUsageKwh"]["type"] == ["integer", "null"]
    typer = LeadTyper(schema, ZoneInfo("America/Los_Angeles"), logging.getLogger("test"))
    fits = typer({"UID": "3", "AnnualUsageKwh": "450"})
    misses = typer({"UID": "4", "AnnualUsageKwh": "N/A"})
    assert fits["AnnualUsageKwh"] == 450
    assert "untyped_values" not in fits
    assert misses["AnnualUsageKwh"] is None
    assert misses["untyped_values"] == {"AnnualUsageKwh": "N/A"}
