"""Pages: skip/take until QueryTotal, never an extra empty page, duplicates dropped."""

import math
from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from clickpoint_harness import API_KEY, PACIFIC_FORMAT, api_total, lead_queries, sync, tap_config

from sandbox.leadexec import MORTGAGE, LeadExecSandbox

PACIFIC = ZoneInfo("America/Los_Angeles")


def windows(queries) -> dict[tuple, list]:
    grouped = defaultdict(list)
    for query in queries:
        p = query.params
        grouped[(int(p["lid"]), p["startdate"], p["enddate"])].append(query)
    return grouped


def test_pages_stop_at_query_total_without_an_empty_request(sandbox) -> None:
    output = sync(tap_config(start_date="today-3", page_size=7))
    grouped = windows(lead_queries(sandbox))
    assert len(grouped) == 3  # three lead types, one window each over the four days
    for (lid, start, end), queries in grouped.items():
        total = api_total(
            lid, datetime.strptime(start, PACIFIC_FORMAT), datetime.strptime(end, PACIFIC_FORMAT)
        )
        expected = list(range(0, total, 7)) or [0]
        assert [int(q.params["skip"]) for q in queries] == expected, (lid, start)
        assert all(q.params["take"] == "7" for q in queries)
        assert len(queries) == max(1, math.ceil(total / 7))
    assert len(output.records()) == sum(
        api_total(lid, datetime.strptime(s, PACIFIC_FORMAT), datetime.strptime(e, PACIFIC_FORMAT))
        for lid, s, e in grouped
    )


def test_an_empty_25_month_backfill_costs_one_request_per_lead_type() -> None:
    with LeadExecSandbox(api_keys=(API_KEY,), leads_per_day=0, history_days=1) as empty:
        config = tap_config(api_url=empty.api_url, lead_type_ids=empty.lead_type_ids)
        output = sync({**config, "start_date": "today-761"})
        queries = lead_queries(empty)
    assert output.records() == []
    assert sorted(int(q.params["lid"]) for q in queries) == sorted(empty.lead_type_ids)
    assert all(q.status == 200 and q.params["skip"] == "0" for q in queries)


def test_window_days_caps_the_window(sandbox) -> None:
    sync(tap_config(lead_type_ids=[MORTGAGE.lid], start_date="today-3", window_days=2))
    starts = [q.params["startdate"] for q in lead_queries(sandbox)]
    assert len(starts) == len(set(starts)) == 2  # four days in two windows of two


def test_every_request_asks_for_json_in_ascending_order_with_take(sandbox) -> None:
    sync(tap_config(start_date="today-2"))
    queries = lead_queries(sandbox)
    assert queries
    for query in queries:
        assert "application/json" in query.accept
        assert query.params["sortfields"] == "DateAdded"
        assert query.params["sortorder"] == "ASC"
        assert query.params["take"] == "1000"
        # The tap's own date form: MM/DD/YYYY HH:MM:SS, 24-hour.
        datetime.strptime(query.params["startdate"], PACIFIC_FORMAT)
        datetime.strptime(query.params["enddate"], PACIFIC_FORMAT)


class ArrivingSandbox(LeadExecSandbox):
    """Once, after the first page of a window, a lead shows up early in that window."""

    newcomer: int | None = None

    def _answer(self, params, wants_json):
        response = super()._answer(params, wants_json)
        if self.newcomer is None and params.get("skip") == "0" and params["sortorder"] == "ASC":
            start = datetime.strptime(params["startdate"], PACIFIC_FORMAT)
            self.newcomer = self.add_lead(
                int(params["lid"]), start + timedelta(minutes=1), visible_after=0
            )
        return response


def test_a_lead_arriving_between_pages_loses_and_duplicates_nothing() -> None:
    with ArrivingSandbox(api_keys=(API_KEY,), lead_types=(MORTGAGE,), history_days=5) as moving:
        config = tap_config(
            api_url=moving.api_url, lead_type_ids=[MORTGAGE.lid], start_date="today-2", page_size=5
        )
        uids = [r["UID"] for r in sync(config).records()]
        assert moving.newcomer is not None
        start = datetime.combine(datetime.now(PACIFIC).date() - timedelta(days=2), time(), PACIFIC)
        there_before = {lead["UID"] for lead in moving.leads(MORTGAGE.lid, start)}
        there_before.discard(moving.newcomer)
        # The page boundary lead came twice and was kept once; the newcomer, which pushed
        # it, waits for the next run's look-back.
        assert len(uids) == len(set(uids))
        assert set(uids) - {moving.newcomer} == there_before
