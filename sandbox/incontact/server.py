"""A local inContact / NICE CXone API as shared/api/incontact.md describes it, traps included.

Two sign-ins (the Central password grant and a CXone back-end application) hand out tokens
that the API under `/inContactAPI/services/v{NN}.0/` checks. Contacts are cheap in memory: a
day of them is drawn at once into flat arrays of the few numbers that filters and aggregates
need; every other field comes from a generator seeded by the contact's index, when a page needs
it. Performance, skill summaries and report files are computed from those contacts, so every
view agrees. A contact shows once its `lastUpdateTime` has passed (the warehouse lag).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import random
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from sandbox._server import ApiError, Request, Response, Router, SandboxServer
from sandbox.incontact import admin, auth, contacts
from sandbox.incontact.admin import ADMIN_LISTS
from sandbox.incontact.auth import CENTRAL_AUTH_PATH, CXONE_AUTH_PATH, Tokens
from sandbox.incontact.business_unit import MEDIA_TYPES, SKILLS
from sandbox.incontact.contact_data import Contacts, contact_id, drawn_notes
from sandbox.incontact.dates import (
    DAY_MS,
    EPOCH,
    MAX_WINDOW_ERROR,
    MAX_WINDOW_MS,
    MINUTE_MS,
    date_window,
    day_start_ms,
    hms,
    iso_duration,
    iso_z,
    parse_date,
    plain_utc,
    to_ms,
)
from sandbox.incontact.faults import Refusal, as_incontact_answers, error_answer, injected_body
from sandbox.incontact.world import World

Record = dict[str, Any]
Params = dict[str, str]
Table = tuple[list[str], list[list[Any]]]
Handler = Callable[[Request, int, Params], Response]

_API_PATH = re.compile(r"^/inContactAPI/services/v(\d+)\.0/(.+?)/?$", re.IGNORECASE)
DOWNLOAD_HISTORY_MS = 730 * DAY_MS

SUMMARY_TIMES = (
    "averageHandleTime", "averageSpeedToAnswer", "averageTalkTime", "averageWrapTime",
    "averageInqueueTime", "holdTime", "longestQueueDur", "totalContactTime",
)  # fmt: skip


@dataclass(frozen=True)
class _Report:
    id: int | None
    name: str
    type: str
    description: str


CUSTOM_REPORTS = (
    _Report(4087, "Contact Detail Export", "Public", "Handled contacts of the last 7 days"),
    _Report(4112, "Skill Handle Times", "Private", "Handle time and service level by skill, day"),
    _Report(4153, "Agent Daily Logins", "Public", "Login time and contacts per agent and day"),
)
DOWNLOAD_REPORTS = (
    _Report(5201, "Completed Contacts Extract", "Data Download", "One row per completed contact"),
    _Report(5246, "Agent Wrap-up Extract", "Data Download", "Hold and wrap-up by agent"),
)
PREBUILT_REPORT = _Report(None, "Agent Performance by Skill", "Prebuilt", "Standard report")


@dataclass
class _Job:
    id: int
    report: _Report
    started: datetime
    file_name: str
    headers: bool
    polls: int = 0


class InContactSandbox(SandboxServer):
    """inContact Central and CXone sign-in plus the admin and reporting API, on one port."""

    def __init__(
        self, *, application_name: str = "DemoApp", vendor_name: str = "DemoVendor",
        business_unit: str = "4593101", username: str = "api.user@example.com",
        password: str = "sandbox-password", client_id: str = "sandbox-client",  # noqa: S107
        client_secret: str = "sandbox-client-secret",  # noqa: S107
        access_key_id: str = "sandbox-access-key",
        access_key_secret: str = "sandbox-access-secret",  # noqa: S107
        token_lifetime: int = 3600, agents: int = 40, contacts_per_day: int = 300, seed: int = 7,
        port: int = 0, legacy_fields: bool = False, now: datetime | None = None,
    ) -> None:  # fmt: skip
        super().__init__(port=port)
        self.application_name, self.vendor_name = application_name, vendor_name
        self.business_unit, self.username, self.password = business_unit, username, password
        self.client_id, self.client_secret = client_id, client_secret
        self.access_key_id, self.access_key_secret = access_key_id, access_key_secret
        self.token_lifetime, self.legacy_fields = token_lifetime, legacy_fields
        now = now or datetime.now(timezone.utc)
        now = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
        self.bus_no = int(business_unit) if business_unit.isdigit() else 4593101
        self.tenant_id = str(uuid.UUID(int=random.Random(f"tenant:{seed}").getrandbits(128)))
        self.tokens = Tokens()
        self._lock = threading.Lock()
        self._jobs: dict[int, _Job] = {}
        self._files: dict[str, str] = {}
        self._next_job = 90_001
        self.world = World(
            seed=seed, now=now, agents=max(1, agents), contacts_per_day=contacts_per_day
        )
        self._routes: Router[Handler] = Router()
        for route, handler in {
            "GET server-time": self._server_time, "GET contacts/completed": self._completed,
            "GET agents/performance": self._agent_performance,
            "GET teams/performance-total": self._team_performance,
            "GET skills/summary": self._skill_summary, "GET reports": self._reports,
            "POST report-jobs/datadownload/{report_id}": self._data_download,
            "POST report-jobs/{report_id}": self._start_job, "GET report-jobs/{job_id}": self._job,
            "GET files": self._file,
            **{f"GET {name}": self._admin_list(name) for name in ADMIN_LISTS},
        }.items():  # fmt: skip
            self._routes.add(route, handler)

    # Public interface for tests

    @property
    def auth_url(self) -> str:
        return self.url + CENTRAL_AUTH_PATH

    @property
    def cxone_issuer(self) -> str:
        return self.url

    @property
    def api_base(self) -> str:
        """What tokens name as `resource_server_base_uri`: this server."""
        return self.url + "/inContactAPI/"

    @property
    def api_url(self) -> str:
        """`api_base`, under the name the other simulators use."""
        return self.api_base

    @property
    def report_ids(self) -> list[int]:
        """Runnable custom reports (Public and Private)."""
        return [r.id for r in CUSTOM_REPORTS if r.id is not None]

    @property
    def data_download_report_ids(self) -> list[int]:
        return [r.id for r in DOWNLOAD_REPORTS if r.id is not None]

    def env(self) -> dict[str, str]:
        names = ("url", "auth_url", "cxone_issuer", "api_base", "application_name", "vendor_name",
                 "business_unit", "username", "password", "client_id", "client_secret",
                 "access_key_id", "access_key_secret")  # fmt: skip
        env = {f"INCONTACT_SANDBOX_{n.upper()}": str(getattr(self, n)) for n in names}
        env["INCONTACT_SANDBOX_ISSUER"] = env.pop("INCONTACT_SANDBOX_CXONE_ISSUER")
        for name in ("report_ids", "data_download_report_ids"):  # JSON arrays, as meltano reads
            env[f"INCONTACT_SANDBOX_{name.upper()}"] = json.dumps(
                getattr(self, name), separators=(",", ":")
            )
        return env

    @property
    def now(self) -> datetime:
        """The moment the data was drawn up to; `clock()` runs on from it in real time."""
        return self.world.now

    @property
    def seed(self) -> int:
        return self.world.seed

    @property
    def contacts_per_day(self) -> int:
        return self.world.contacts_per_day

    def clock(self) -> datetime:
        """The simulator's time: `now`, plus the real time since start, plus `advance()`."""
        return self.world.clock()

    def advance(self, seconds: float) -> None:
        """Move the clock on, so tokens expire and windows close without waiting."""
        self.world.advance(seconds)

    @property
    def tokens_issued(self) -> int:
        """Password grants answered; refreshes not counted."""
        return self.tokens.grants

    @property
    def refreshes(self) -> int:
        return self.tokens.refreshes

    def expire_tokens(self) -> None:
        """Invalidate every access token issued so far (refresh tokens still work)."""
        self.tokens.expire_access()

    def issued_tokens(self) -> list[str]:
        """Every access, refresh and id token handed out, to prove none leaks into output."""
        return self.tokens.issued()

    def touch_contact(self, contact_id: int, minutes_from_now: float = 0) -> None:
        """Update a contact later, as ACW or a supervisor does; it shows again to updatedSince."""
        self.world.touch_contact(contact_id, minutes_from_now)

    def report_csv(self, report_id: int, include_headers: bool = True) -> str:
        """The file a custom report's job produces."""
        tables = {4087: self._contact_detail, 4112: self._skill_times, 4153: self._agent_logins}
        header, rows = tables[report_id]()
        return _csv(header if include_headers else None, rows)

    # Dispatch

    def start(self) -> InContactSandbox:
        self.world.contacts()  # drawn before the first request, not during a timed run
        return super().start()

    def inject(self, status: int | None = None, **options: Any) -> None:
        options["body"] = injected_body(status, options.get("body"))
        super().inject(status, **options)

    def respond(self, request: Request) -> Response | None:
        return as_incontact_answers(super().respond(request))

    def handle(self, request: Request) -> Response:
        try:
            return self._route(request)
        except ApiError as error:
            return error_answer(error)

    def _route(self, request: Request) -> Response:
        path, method = request.path, request.method
        if path.lower() == CENTRAL_AUTH_PATH.lower() and method == "POST":
            return auth.central_token(self, request)
        if path == CXONE_AUTH_PATH and method == "POST":
            return auth.cxone_token(self, request)
        if path == "/.well-known/openid-configuration":
            return auth.openid_configuration(self)
        if path == "/.well-known/cxone-configuration":
            return auth.cxone_configuration(self, request)
        match = _API_PATH.match(path)
        if match is None:
            raise Refusal(404, "Not Found")
        self.tokens.check_bearer(request, self.clock().timestamp())
        route = self._routes.match(f"{method} {match.group(2)}")
        if route is None:
            raise Refusal(404, f"No resource at {match.group(2)}")
        handler, params = route
        return handler(request, int(match.group(1)), params)

    # Admin lists and contacts

    def _server_time(self, request: Request, version: int, params: Params) -> Response:
        return admin.server_time(self.world)

    def _admin_list(self, name: str) -> Handler:
        def answer(request: Request, version: int, params: Params) -> Response:
            return admin.admin_list(
                self.world, name, request, version, base_url=self.url, bus_no=self.bus_no
            )

        return answer

    def _completed(self, request: Request, version: int, params: Params) -> Response:
        return contacts.completed(
            self.world, request, base_url=self.url, bus_no=self.bus_no, legacy=self.legacy_fields
        )

    # Performance and summaries

    def _agent_performance(self, request: Request, version: int, params: Params) -> Response:
        rows = [_times(row) for row in self._agent_numbers(*self._quarters(request))]
        return _answer({"agentPerformance": rows} if rows else None)

    def _team_performance(self, request: Request, version: int, params: Params) -> Response:
        teams: dict[int, list[Record]] = {}
        for row in self._agent_numbers(*self._quarters(request)):
            teams.setdefault(row["teamId"], []).append(row)
        rows = []
        for team_id, members in sorted(teams.items()):
            total = _derive({k: sum(m[k] for m in members) for k in members[0]})
            total |= {
                "teamId": team_id, "totalAvgHandled": round(total["totalHandled"] / len(members)),
                "avgAvailableTime": total["availableTime"] / len(members),
                "avgUnavailableTime": total["unavailableTime"] / len(members),
            }  # fmt: skip
            del total["agentId"]
            rows.append(_times(total))
        return _answer({"teamPerformanceTotal": rows} if rows else None)

    def _quarters(self, request: Request) -> tuple[int, int]:
        """A window on quarter hours that has closed."""
        start, end = (parse_date(request.param(n), n) for n in ("startDate", "endDate"))
        if start % (15 * MINUTE_MS) or end % (15 * MINUTE_MS):
            raise Refusal(400, "Invalid DateRange - startDate and endDate must be quarter hours")
        if end <= start:
            raise Refusal(400, "Invalid DateRange - endDate must be after startDate")
        if end > to_ms(self.clock()):
            raise Refusal(400, "Invalid DateRange - endDate must not be in the future")
        return start, end

    def _agent_numbers(self, start: int, end: int) -> list[Record]:
        """Per agent with contacts in [start, end): totals in seconds, before rendering."""
        data = self.world.contacts()
        sums: dict[int, list[int]] = {}
        for i in self.world.window_indices(start, end):
            if (position := data.agent[i]) >= 0:
                row, base = sums.setdefault(position, [0] * 7), 3 * SKILLS[data.skill[i]][2]
                row[base] += 1
                row[base + 1] += data.talk[i]
                row[base + 2] += data.hold[i]
                row[6] += data.acw[i]
        rows = []
        for position, (ih, italk, ihold, oh, otalk, ohold, acw) in sorted(sums.items()):
            agent = self.world.unit.active[position]
            rng = random.Random(f"{self.seed}:performance:{agent['agentId']}:{start}:{end}")
            busy = italk + ihold + otalk + ohold + acw
            available = round(rng.uniform(0.2, 0.6) * busy + 60, 1)
            unavailable = round(rng.uniform(0.05, 0.2) * busy, 1)
            refused = int(rng.random() < 0.15)
            rows.append(_derive({
                "agentId": agent["agentId"], "teamId": agent["teamId"],
                "agentOffered": ih + oh + refused, "inboundHandled": ih,
                "inboundTime": italk + ihold, "inboundTalkTime": italk, "outboundHandled": oh,
                "outboundTime": otalk + ohold, "outboundTalkTime": otalk,
                "totalHandled": ih + oh, "totalTalkTime": italk + otalk, "handleTime": busy,
                "consultTime": round(rng.uniform(0, 0.05) * (italk + otalk), 1),
                "availableTime": available, "unavailableTime": unavailable, "acwTime": acw,
                "refused": refused, "loginTime": round(busy + available + unavailable, 1),
            }))  # fmt: skip
        return rows

    def _skill_summary(self, request: Request, version: int, params: Params) -> Response:
        start, end = date_window(
            request.param("startDate"), request.param("endDate"), to_ms(self.clock())
        )
        data, groups = self.world.contacts(), dict[int, list[int]]()
        for i in self.world.window_indices(start, end):
            groups.setdefault(data.skill[i], []).append(i)
        media, outbound = request.param("mediaTypeId"), request.param("isOutbound")
        rows = []
        for position, indices in sorted(groups.items()):
            skill = self.world.unit.skills[position]
            if (not media or str(skill["mediaTypeId"]) == media) and (
                not outbound or str(skill["isOutbound"]).lower() == outbound.lower()
            ):
                row = self._summary_row(data, skill, indices, f"{start}:{end}")
                rows.append(row if self.legacy_fields else _times(row, SUMMARY_TIMES))
        return _answer({"skillSummaries": rows} if rows else None)

    def _summary_row(self, data: Contacts, skill: Record, indices: list[int], key: str) -> Record:
        handled = [i for i in indices if data.agent[i] >= 0]
        queued = [] if skill["isOutbound"] else [data.queue[i] for i in indices]
        within = sum(q <= skill["serviceLevelThreshold"] for q in queued)
        talk, hold, wrap = (
            sum(column[i] for i in handled) for column in (data.talk, data.hold, data.acw)
        )
        count, dials = max(1, len(handled)), len(indices) * skill["isOutbound"]
        aht, connects = (talk + hold + wrap) / count, len(handled) * skill["isOutbound"]
        rng = random.Random(f"{self.seed}:summary:{skill['skillId']}:{key}")
        right_party = round(connects * rng.uniform(0.55, 0.85))
        minute = to_ms(self.clock()) // MINUTE_MS  # snapshot fields: now, not the window
        now = random.Random(f"{self.seed}:snapshot:{skill['skillId']}:{minute}")
        working, acw, available, unavailable = (now.randint(0, n) for n in (6, 3, 4, 3))
        return {k: skill[k] for k in ("skillId", "skillName", "campaignId", "campaignName",
                                      "mediaTypeId", "mediaTypeName", "isOutbound",
                                      "serviceLevelGoal", "serviceLevelThreshold")} | {
            "businessUnitId": self.bus_no, "businessUnitName": f"{self.vendor_name} Contact Center",
            "contactsOffered": len(indices), "contactsHandled": len(handled),
            "contactsQueued": len(queued), "abandonCount": len(indices) - len(handled),
            "contactsWithinSLA": within, "contactsOutOfSLA": len(queued) - within,
            "dials": dials, "connects": connects, "rightPartyConnects": right_party,
            "abandonRate": round((len(indices) - len(handled)) / len(indices) * 100, 2),
            "serviceLevel": round(within / len(queued) * 100, 2) if queued else 0,
            "averageHandleTime": aht, "averageTalkTime": talk / count,
            "averageSpeedToAnswer": sum(data.queue[i] for i in handled) / count,
            "averageWrapTime": wrap / count, "holdTime": hold,
            "averageInqueueTime": sum(queued) / max(1, len(queued)),
            "longestQueueDur": max(queued, default=0), "totalContactTime": talk + hold + wrap,
            "connectsAHT": f"{aht if connects else 0:.2f}",
            "rightPartyConnectsAHT": f"{aht * rng.uniform(1, 1.2) if right_party else 0:.2f}",
            "agentsAcw": acw, "agentsAvailable": available, "agentsIdle": available,
            "agentsLoggedIn": working + acw + available + unavailable,
            "agentsUnavailable": unavailable, "agentsWorking": working,
            "contactsActive": working, "queueCount": now.randint(0, 5),
        }  # fmt: skip

    # Reports

    def _reports(self, request: Request, version: int, params: Params) -> Response:
        wanted = (request.param("reportType") or "").lower()
        base = f"{self.api_base}services/v{version}.0/report-jobs/"
        kinds = {"Data Download": "datadownload/", "Prebuilt": None}
        return Response(json={"reports": [{
            "businessUnitId": self.bus_no, "reportId": r.id, "reportName": r.name,
            "reportType": r.type, "reportSubType": "Custom" if r.id else "Standard",
            "reportDescription": r.description,
            "url": "" if r.id is None else f"{base}{kinds.get(r.type, '')}{r.id}",
        } for r in (*CUSTOM_REPORTS, *DOWNLOAD_REPORTS, PREBUILT_REPORT)
            if wanted in ("", r.type.lower())]})  # fmt: skip

    def _start_job(self, request: Request, version: int, params: Params) -> Response:
        report = _report_by_id(CUSTOM_REPORTS, params["report_id"])
        if (request.param("fileType") or "CSV").upper() != "CSV":
            raise Refusal(400, "Invalid fileType: the sandbox writes CSV only")
        headers = (request.param("includeHeaders") or "true").lower() != "false"
        with self._lock:
            job_id, self._next_job = self._next_job, self._next_job + 1
            name = f"{report.name.replace(' ', '_')}_{job_id}.csv"
            self._jobs[job_id] = _Job(job_id, report, self.clock(), name, headers)
        return Response(202, {"jobId": job_id})

    def _job(self, request: Request, version: int, params: Params) -> Response:
        """The first poll of every job is a 409; the second finds it Running; then Finished."""
        with self._lock:
            job = self._jobs.get(int(params["job_id"])) if params["job_id"].isdigit() else None
            if job is None:
                raise Refusal(404, f"Invalid jobId: {params['job_id']}")
            job.polls += 1
        if job.polls == 1:
            raise Refusal(409, "Interval data pending, try again later")
        finished = job.polls > 2
        if finished and job.report.id is not None:
            text = self.report_csv(job.report.id, job.headers)
            with self._lock:
                self._files[job.file_name] = text
        url = f"{self.api_base}services/v{version}.0/files?{urlencode({'fileName': job.file_name})}"
        return Response(json={
            "jobId": job.id, "reportId": job.report.id, "reportName": job.report.name,
            "jobStart": iso_z(to_ms(job.started)),
            "jobEnd": iso_z(to_ms(job.started) + 3000) if finished else None,
            "fileName": job.file_name, "resultFileURL": url if finished else "",
            "state": "Finished" if finished else "Running",
            "deleteTime": iso_z(to_ms(job.started) + 7 * DAY_MS),
        })  # fmt: skip

    def _file(self, request: Request, version: int, params: Params) -> Response:
        name = request.param("fileName") or ""
        with self._lock:
            text = self._files.get(name)
        if text is None:
            raise Refusal(404, f"File not found: {name}")
        return Response(json={"files": {"fileName": name, "file": _b64(text)}})

    def _data_download(self, request: Request, version: int, params: Params) -> Response:
        """Inline base64 CSV of the contacts that started in [startDate, endDate), in UTC."""
        report = _report_by_id(DOWNLOAD_REPORTS, params["report_id"])
        now = to_ms(self.clock())
        start, end = (
            parse_date(request.param(n), n, offset=False) for n in ("startDate", "endDate")
        )
        if end <= start:
            raise Refusal(400, "Invalid date range: endDate must be after startDate")
        if end - start > MAX_WINDOW_MS:
            raise Refusal(400, MAX_WINDOW_ERROR)
        if start < now - DOWNLOAD_HISTORY_MS:
            raise Refusal(400, "Invalid startDate: must be within the last 2 years")
        data = self.world.contacts()
        shown = [i for i in self.world.window_indices(start, end) if data.updated[i] <= now]
        agent_name = self.world.agent_name
        if report.id == 5201:
            header = ["contact_id", "start_time", "skill", "agent", "talk_seconds"]
            rows = [[contact_id(i), plain_utc(data.start[i]), SKILLS[data.skill[i]][0],
                     agent_name(data.agent[i]), data.talk[i]] for i in shown]  # fmt: skip
        else:
            header = ["Agent", "Contact", "Started (UTC)", "Hold Time (sec)", "ACW Time (sec)"]
            rows = [[agent_name(data.agent[i]), contact_id(i), plain_utc(data.start[i]),
                     data.hold[i], data.acw[i]] for i in shown if data.agent[i] >= 0]  # fmt: skip
        headers = (request.param("includeHeaders") or "true").lower() != "false"
        name = (
            request.param("fileName") or f"{report.name.replace(' ', '_')}_{iso_z(start)[:10]}.csv"
        )
        return Response(json={
            "errorMessage": None, "fileName": name, "fileType": "CSV", "URI": "",
            "file": _b64(_csv(header if headers else None, rows)),
        })  # fmt: skip

    def _days(self, count: int) -> list[tuple[date, range]]:
        """A custom report's saved range: the `count` whole days before `now`, with contacts."""
        days = [self.now.date() - timedelta(days=n) for n in range(count, 0, -1)]
        return [
            (day, self.world.window_indices(day_start_ms(day), day_start_ms(day) + DAY_MS))
            for day in days
        ]

    def _contact_detail(self) -> Table:
        data, rng = self.world.contacts(), random.Random(f"{self.seed}:report:4087")
        handled = [i for _, span in self._days(7) for i in span if data.agent[i] >= 0]
        header = ["Contact ID", "Skill Name", "Agent Name", "Start Date", "Duration",
                  "Disposition Notes"]  # fmt: skip
        return header, [
            [contact_id(i), SKILLS[data.skill[i]][0], self.world.agent_name(data.agent[i]),
             (EPOCH + timedelta(milliseconds=data.start[i])).strftime("%m/%d/%Y %I:%M:%S %p"),
             hms(data.talk[i] + data.hold[i]), data.notes.get(i, drawn_notes(i)) or ""]
            for i in handled[: rng.randint(20, 200)]
        ]  # fmt: skip

    def _skill_times(self) -> Table:
        data, rows = self.world.contacts(), []
        for day, span in self._days(10):
            for position, (name, media, *_) in enumerate(SKILLS):
                indices = [i for i in span if data.skill[i] == position]
                handled = [i for i in indices if data.agent[i] >= 0]
                busy = sum(data.talk[i] + data.hold[i] + data.acw[i] for i in handled)
                threshold = self.world.unit.skills[position]["serviceLevelThreshold"]
                level = sum(data.queue[i] <= threshold for i in indices) / max(1, len(indices))
                average = busy / max(1, len(handled))
                rows.append([day.isoformat(), name, MEDIA_TYPES[media], len(handled),
                             f"{average:.1f}", f"{level * 100:.1f}"])  # fmt: skip
        header = ["Date", "Skill", "Media Type", "Contacts Handled", "Avg. Handle Time (s)",
                  "Service Level %"]  # fmt: skip
        return header, rows

    def _agent_logins(self) -> Table:
        data, rows = self.world.contacts(), []
        for day, span in self._days(min(30, max(7, -(-20 // len(self.world.unit.active))))):
            handled = [data.agent[i] for i in span]
            for position, agent in enumerate(self.world.unit.active):
                rng = random.Random(f"{self.seed}:login:{agent['agentId']}:{day}")
                rows.append([day.isoformat(), agent["agentId"],
                             f"{agent['lastName']}, {agent['firstName']}", agent["teamName"],
                             hms(rng.randint(4, 9) * 3600 + rng.randint(0, 3599)),
                             handled.count(position)])  # fmt: skip
        header = ["Date", "Agent ID", "Agent Name (Last, First)", "Team",
                  "Login Time (hh:mm:ss)", "Contacts Handled"]  # fmt: skip
        return header, rows[-200:]


# Values and request parsing


def _derive(sums: Record) -> Record:
    """Averages and rates from performance totals in seconds."""
    busy = sums["handleTime"]

    def ratio(part: float, whole: float) -> float:
        return round(part / whole * 100, 2) if whole else 0

    return sums | {
        "inboundAvgTalkTime": sums["inboundTalkTime"] / max(1, sums["inboundHandled"]),
        "outboundAvgTalkTime": sums["outboundTalkTime"] / max(1, sums["outboundHandled"]),
        "totalAvgTalkTime": sums["totalTalkTime"] / max(1, sums["totalHandled"]),
        "totalAvgHandleTime": busy / max(1, sums["totalHandled"]),
        "percentRefused": ratio(sums["refused"], sums["agentOffered"]),
        "workingRate": ratio(busy + sums["availableTime"], sums["loginTime"]),
        "occupancy": ratio(busy, busy + sums["availableTime"]),
    }


def _times(row: Record, names: Iterable[str] = ()) -> Record:
    """Seconds as ISO 8601 durations: `names`, or every `...Time`; internal handleTime left out."""
    names = set(names) or {name for name in row if name.endswith("Time")}
    return {k: iso_duration(v) if k in names else v for k, v in row.items() if k != "handleTime"}


def _answer(body: Record | None) -> Response:
    return Response(json=body) if body else Response(204)


def _report_by_id(reports: Sequence[_Report], report_id: str) -> _Report:
    found = next((r for r in reports if str(r.id) == report_id), None)
    if found is None:
        raise Refusal(404, f"Invalid reportId: {report_id}")
    return found


def _csv(header: list[str] | None, rows: list[list[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows] if header else rows)
    return out.getvalue()


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
