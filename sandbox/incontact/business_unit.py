"""The generated business unit's admin records: campaigns, teams, skills and agents.

Drawn from the seed, in this order, so the same seed gives the same unit. What the lists
carry on purpose: a retired team and a retired campaign (`isActive` false), about one agent
in ten inactive, and skills that differ in media type, direction and service-level
threshold. Each skill has one point of contact, the address its contacts come in on.
Every record also carries fields a tap's schema may not declare, as real answers do: agents
their city, state, country and atHome, teams their thresholds, skills and campaigns a few
settings more.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sandbox.core.fake import CITIES, FIRST_NAMES, LAST_NAMES, phone
from sandbox.incontact.dates import iso_z, to_ms

Record = dict[str, Any]
#: A timestamp between `low` and `high` days before the data's `now`, drawn from the seed.
DaysAgo = Callable[[float, float], str]


class SkillPlan(NamedTuple):
    name: str
    media: int  # a MEDIA_TYPES key
    outbound: bool
    campaign: int  # position in CAMPAIGNS
    weight: int  # share of the contacts


MEDIA_TYPES = {1: "Email", 3: "Chat", 4: "Phone Call", 5: "Voice Mail", 6: "Work Item"}
TEAMS = ("Customer Care", "Billing", "Sales", "Tech Support", "Retention", "Night Shift (retired)")
CAMPAIGNS = ("Inbound Service", "Collections", "Outbound Sales", "Digital Care", "Legacy IVR")
SKILLS = (
    SkillPlan("CS Phone", 4, False, 0, 30), SkillPlan("Billing Phone", 4, False, 0, 14),
    SkillPlan("Tech Support Phone", 4, False, 0, 12), SkillPlan("Spanish Phone", 4, False, 0, 5),
    SkillPlan("Sales Outbound", 4, True, 2, 8), SkillPlan("Collections Outbound", 4, True, 1, 6),
    SkillPlan("CS Email", 1, False, 3, 6), SkillPlan("Billing Email", 1, False, 3, 3),
    SkillPlan("Web Chat", 3, False, 3, 8), SkillPlan("Sales Chat", 3, False, 2, 3),
    SkillPlan("Voicemail", 5, False, 0, 3), SkillPlan("CRM Work Items", 6, False, 3, 2),
)  # fmt: skip
DISPOSITIONS = ((1, "Resolved"), (2, "Callback Scheduled"), (3, "Escalated"), (4, "Sale"),
                (5, "No Answer"), (6, "Wrong Number"))  # fmt: skip
ZONES = ("Eastern Standard Time", "Central Standard Time", "Pacific Standard Time")


@dataclass
class BusinessUnit:
    campaigns: list[Record]
    teams: list[Record]
    skills: list[Record]  # in SKILLS order
    points: list[Record]  # points of contact, one per skill, in SKILLS order
    agents: list[Record]
    #: The active agents: contacts name their agent by position in this list.
    active: list[Record]

    def records(self, name: str) -> list[Record]:
        """An admin list by its endpoint name: agents, teams, skills or campaigns."""
        return {
            "agents": self.agents, "teams": self.teams, "skills": self.skills,
            "campaigns": self.campaigns,
        }[name]  # fmt: skip


def draw_business_unit(seed: int, now: datetime, agents: int) -> BusinessUnit:
    rng = random.Random(f"incontact:{seed}:admin")

    def days_ago(low: float, high: float) -> str:
        return iso_z(to_ms(now - timedelta(days=rng.uniform(low, high))))

    campaigns = _campaigns(rng, days_ago)
    teams = _teams(rng, days_ago)
    skills, points = _skills(rng, campaigns)
    agent_list = _agents(rng, days_ago, teams, agents)
    active = [agent for agent in agent_list if agent["isActive"]]
    return BusinessUnit(campaigns, teams, skills, points, agent_list, active)


def _campaigns(rng: random.Random, days_ago: DaysAgo) -> list[Record]:
    return [{
        "campaignId": 1101 + 7 * k, "campaignName": name, "isActive": k < len(CAMPAIGNS) - 1,
        "description": f"{name} campaign", "notes": rng.choice(("", "Reviewed quarterly")),
        "lastUpdateTime": days_ago(1, 400), "campaignType": "Standard",
    } for k, name in enumerate(CAMPAIGNS)]  # fmt: skip


def _teams(rng: random.Random, days_ago: DaysAgo) -> list[Record]:
    return [{
        "teamId": 103_748 + 13 * k, "teamName": name, "isActive": k < len(TEAMS) - 1,
        "description": f"The {name} team", "notes": "", "lastUpdateTime": days_ago(1, 300),
        "agentCount": 0, "maxConcurrentChats": rng.choice((1, 2, 3)), "chatThreshold": 2,
        "emailThreshold": 1, "workItemThreshold": 1, "voiceThreshold": 1,
        "niceAnalyticsEnabled": rng.random() < 0.5, "niceQmEnabled": rng.random() < 0.5,
        "niceWfmEnabled": rng.random() < 0.5, "niceScreenRecordingEnabled": False,
    } for k, name in enumerate(TEAMS)]  # fmt: skip


def _skills(rng: random.Random, campaigns: list[Record]) -> tuple[list[Record], list[Record]]:
    skills, points = [], []
    for k, (name, media, outbound, campaign, _) in enumerate(SKILLS):
        owner = campaigns[campaign]
        skills.append({
            "skillId": 4_000_101 + 11 * k, "skillName": name, "mediaTypeId": media,
            "mediaTypeName": MEDIA_TYPES[media], "isActive": True,
            "campaignId": owner["campaignId"], "campaignName": owner["campaignName"],
            "isOutbound": outbound,
            "outboundStrategy": "Personal Connection" if outbound else None,
            "serviceLevelThreshold": 30 if media in (3, 4) else 3600, "serviceLevelGoal": 80,
            "requireDisposition": media != 5, "priorityBlending": media == 4,
            "useScreenPops": False,
            "dispositions": [dict(zip(("dispositionId", "dispositionName"), d, strict=True))
                             for d in DISPOSITIONS],
        })  # fmt: skip
        address = {1: f"support{k}@demovendor.example", 3: f"webchat-{k}",
                   6: f"crm-queue-{k}"}.get(media) or phone(rng)  # fmt: skip
        points.append({"id": 7_200 + k, "name": f"{name} POC", "address": address})
    return skills, points


def _agents(rng: random.Random, days_ago: DaysAgo, teams: list[Record], count: int) -> list[Record]:
    """Agents dealt round the active teams; a team's first agent supervises it."""
    active_teams, supervisors = [t for t in teams if t["isActive"]], dict[int, int]()
    agents = []
    for k in range(count):
        team = active_teams[k % len(active_teams)]
        boss = supervisors.setdefault(team["teamId"], _agent_id(k))
        team["agentCount"] += 1
        agents.append(_agent(rng, days_ago, k, team, boss))
    return agents


def _agent_id(k: int) -> int:
    return 645_328 + 37 * k


def _agent(rng: random.Random, days_ago: DaysAgo, k: int, team: Record, boss: int) -> Record:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    agent_id, email = _agent_id(k), f"{first}.{last}{k}"
    active = k == 0 or rng.random() < 0.9  # the first always, so someone takes the contacts
    city, state, country, *_ = rng.choice(CITIES)
    return {
        "agentId": agent_id, "userName": f"{email}@demovendor.example".lower(),
        "firstName": first, "middleName": None, "lastName": last,
        "emailAddress": f"{email}@demovendor.example".lower(), "isActive": active,
        "teamId": team["teamId"], "teamName": team["teamName"], "reportToId": boss,
        "isSupervisor": boss == agent_id, "lastLogin": days_ago(0, 3),
        "lastUpdated": days_ago(0, 120), "createDate": days_ago(400, 2000),
        "inactiveDate": None if active else days_ago(1, 90),
        "hireDate": f"{days_ago(400, 2000)[:10]}T00:00:00.000Z",
        "terminationDate": None if active else days_ago(1, 90),
        "profileId": 2 if boss == agent_id else 1,
        "profileName": "Supervisor" if boss == agent_id else "Agent",
        "timeZone": rng.choice(ZONES), "country": country, "state": state, "city": city,
        "location": city, "custom1": rng.choice(("", "Tier 1", "Tier 2")), "custom2": "",
        "custom3": "", "custom4": "", "custom5": "", "internalId": f"E{10_000 + k}",
        "isBillable": rng.random() < 0.8, "atHome": rng.random() < 0.4,
    }  # fmt: skip
