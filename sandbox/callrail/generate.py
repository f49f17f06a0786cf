"""How the simulated CallRail accounts come to be: each from a generator seeded by the sandbox
seed and its index, so the same seed gives the same data.

The data carries the API's drift: one account has integer user ids, as older examples show;
a disabled company is a soft delete that is still listed; trackers are source trackers or
session pools whose callers bring their own source; only verified caller ids reach a company's
`verified_caller_ids`. Every entity also carries a field the API documents nowhere (marked
`# undeclared`), as the real API does: a client must keep what it does not know.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox.callrail.catalogue import (
    BUSINESSES,
    CALL_FLOWS,
    CAMPAIGNS,
    COMPANY_ZONES,
    LOCATIONS,
    OWNER_ZONES,
    SESSION_SOURCE_OBJECT,
    TAG_NAMES,
    TRACKER_KINDS,
)
from sandbox.callrail.dates import DAY_MS, epoch_ms, utc_z
from sandbox.callrail.forms_and_texts import make_conversation, make_form
from sandbox.callrail.world import Account
from sandbox.core.fake import FIRST_NAMES, LAST_NAMES, masked_id, phone, pretty_phone

HISTORY_DAYS = 730


class AccountBuilder:
    """Makes accounts in index order; integer ids and conversation ids are unique across them."""

    def __init__(self, seed: int, now: datetime) -> None:
        self.seed = seed
        self.now = now
        self._serial = 7_000_000
        self._short_ids: set[str] = set()

    def account(self, index: int, companies: int, calls: int) -> Account:
        rng = random.Random(f"callrail:{self.seed}:{index}")
        name = BUSINESSES[index % len(BUSINESSES)]
        if index >= len(BUSINESSES):
            name += f" {index // len(BUSINESSES) + 1}"
        account_id, numeric_id = masked_id(rng, "ACC"), rng.randint(10**8, 10**9 - 1)
        record = {
            "id": account_id, "name": name, "outbound_recording_enabled": rng.random() < 0.5,
            "hipaa_account": index % 4 == 3, "numeric_id": numeric_id,
            "account_status": "active",  # undeclared: CallRail sends more than it documents
        }  # fmt: skip
        zone = ZoneInfo(OWNER_ZONES[index % len(OWNER_ZONES)])
        record["time_zone"] = zone.key  # the account's own zone (Assumed in docs/api)
        domain = re.sub(r"\W", "", name.lower()) + ".com"
        account = Account(index, account_id, numeric_id, name, domain, zone, record)
        self._add_companies(rng, account, companies)
        self._add_users(rng, account)
        self._add_trackers(rng, account)
        self._add_tags(rng, account)
        self._add_notifications(rng, account)
        self._add_caller_ids(rng, account)
        self._add_summary_emails(rng, account)
        end, span = epoch_ms(self.now), HISTORY_DAYS * DAY_MS
        forms = sorted(end - int(rng.random() * span) for _ in range(rng.randint(250, 350)))
        account.form_submissions = [(ms, make_form(rng, account, ms)) for ms in forms]
        texts = sorted(end - int(rng.random() * span) for _ in range(rng.randint(180, 240)))
        account.conversations = [
            (ms, make_conversation(rng, account, ms, self.now, self._short_ids)) for ms in texts
        ]
        # A few calls in the last hour, so "today" and near-real-time windows have data.
        recent = min(calls, 3)
        times = [end - int(rng.random() * span) for _ in range(calls - recent)]
        times += [end - int(rng.random() * 3_600_000) for _ in range(recent)]
        account.calls = (sorted(times), list(range(calls)))
        account.next_key = calls
        return account

    def _ago(self, rng: random.Random, least_days: int, most_days: int) -> datetime:
        days = rng.uniform(least_days, most_days)
        return self.now - timedelta(days=days)

    def _next_serial(self, rng: random.Random) -> int:
        self._serial += rng.randint(1, 40)
        return self._serial

    def _add_companies(self, rng: random.Random, account: Account, count: int) -> None:
        for j in range(count):
            disabled = j >= 2 and j == count - 1  # a soft delete, still listed
            script = f"{rng.randint(10**8, 10**9)}/{rng.getrandbits(80):020x}"
            account.companies.append({
                "id": masked_id(rng, "COM"),
                "name": f"{account.name} {LOCATIONS[j % len(LOCATIONS)]}",
                "status": "disabled" if disabled else "active",
                "time_zone": COMPANY_ZONES[(account.index + j) % len(COMPANY_ZONES)],
                "created_at": utc_z(self._ago(rng, 760, 2500)),
                "disabled_at": utc_z(self._ago(rng, 20, 300)) if disabled else None,
                "dni_active": not disabled and rng.random() < 0.8,
                "script_url": f"//cdn.callrail.com/companies/{script}/12/swap.js",
                "callscore_enabled": rng.random() < 0.3, "lead_scoring_enabled": rng.random() < 0.6,
                "callscribe_enabled": False, "swap_exclude_jquery": None,
                "swap_ppc_override": rng.random() < 0.5,
                "swap_landing_override": rng.choice((None, "utm_source")),
                "swap_cookie_duration": 6, "swap_cookie_duration_unit": "months",
                "keyword_spotting_enabled": None, "form_capture": rng.random() < 0.5,
                "verified_caller_ids": [],
                "external_form_capture": {"enabled": rng.random() < 0.3},  # undeclared
            })  # fmt: skip

    def _add_users(self, rng: random.Random, account: Account) -> None:
        integer_ids = account.index % 3 == 1  # as the older examples show
        for position in range(rng.randint(3, 8)):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            role = "admin" if position == 0 else rng.choice(("admin", "manager", "reporting"))
            companies = account.companies
            if role != "admin":
                companies = rng.sample(companies, rng.randint(1, len(companies)))
            account.users.append({
                "id": self._next_serial(rng) if integer_ids else masked_id(rng, "USR"),
                "email": f"{first}.{last}{position}@{account.domain}".lower(),
                "created_at": self._ago(rng, 30, 1500), "role": role,
                "first_name": first, "last_name": last, "name": f"{first} {last}",
                "accepted": position == 0 or rng.random() < 0.85,
                "companies": [{"id": c["id"], "name": c["name"]} for c in companies],
                "permissions": {"recordings": role != "reporting"},  # undeclared
            })  # fmt: skip

    def _add_trackers(self, rng: random.Random, account: Account) -> None:
        for position in range(rng.randint(3, 10)):
            company = account.companies[position % len(account.companies)]
            session = position == 0 or rng.random() < 0.2
            kind, source, source_object = rng.choice(TRACKER_KINDS)
            if session:  # a website's number pool: each visitor brings their own source
                kind, source, source_object = "Website Pool", "", SESSION_SOURCE_OBJECT
            area = phone(rng)[2:5]
            destination = phone(rng, area)
            disabled = company["status"] == "disabled" or rng.random() < 0.1
            numbers = [phone(rng, area) for _ in range(rng.randint(4, 8) if session else 1)]
            tracker = {
                "id": masked_id(rng, "TRK"), "name": f"{kind} - {company['name']}",
                "type": "session" if session else "source",
                "status": "disabled" if disabled else "active",
                "destination_number": destination, "tracking_numbers": numbers,
                "whisper_message": rng.choice((None, f"Call from {kind}")),
                "sms_enabled": rng.random() < 0.5, "sms_supported": True,
                "company": {"id": company["id"], "name": company["name"]},
                "call_flow": rng.choice(CALL_FLOWS) | {"destination_number": destination},
                "source": source_object,
                "message_flow": rng.choice((None, {"type": "forward", "number": destination})),
                "created_at": utc_z(self._ago(rng, 740, 2000)),
                "disabled_at": utc_z(self._ago(rng, 10, 200)) if disabled else None,
                "campaign_name": rng.choice(CAMPAIGNS) if source in ("Google Paid", "Bing Paid")
                                 else None,
                "swap_targets": [pretty_phone(destination)] if session else [],
                "numbers_purchased": len(numbers),  # undeclared
            }  # fmt: skip
            account.trackers.append(tracker)
            if company["status"] == "active":
                account.call_trackers.append((tracker, source or None))

    def _add_tags(self, rng: random.Random, account: Account) -> None:
        for name in TAG_NAMES[: rng.randint(5, len(TAG_NAMES))]:
            company = rng.choice((None, *account.companies))
            account.tags.append({
                "id": self._next_serial(rng), "name": name,
                "tag_level": "company" if company else "account",
                "color": rng.choice(("gray1", "blue1", "green1", "red1", "orange1")),
                "background_color": rng.choice(("gray1", "blue1", "green1")),
                "company_id": company["id"] if company else None,
                "status": "disabled" if rng.random() < 0.1 else "enabled",
                "created_at": self._ago(rng, 1, 700),
                "tagged_calls": rng.randint(0, 400),  # undeclared
            })  # fmt: skip

    def _add_notifications(self, rng: random.Random, account: Account) -> None:
        for _ in range(rng.randint(2, 5)):
            user = rng.choice(account.users)
            account.notifications.append({
                "id": self._next_serial(rng), "user_id": user["id"], "email": user["email"],
                "alert_type": rng.choice(("all", "first_call", "missed_and_vm", "vm_only")),
                "call_enabled": rng.random() < 0.8, "sms_enabled": rng.random() < 0.4,
                "company_id": rng.choice((None, account.companies[0]["id"])),
                "tracker_id": rng.choice((None, None, account.trackers[0]["id"])),
                "name": f"{user['name']} alerts",
                **{f"send_{way}": rng.random() < 0.5 for way in ("desktop", "email", "push")},
                "quiet_hours": None if rng.random() < 0.5 else {"from": "20:00", "to": "07:00"},
            })  # fmt: skip

    def _add_caller_ids(self, rng: random.Random, account: Account) -> None:
        for company in account.companies:
            for label in rng.sample(("Front Desk", "Main Line", "Owner Cell"), rng.randint(1, 3)):
                verified, number = rng.random() < 0.7, phone(rng)
                account.caller_ids.append({
                    "id": self._next_serial(rng), "phone_number": number, "name": label,
                    "company_id": company["id"], "verified": verified,
                    "created_at": self._ago(rng, 1, 700),
                    "validation_code": None if verified else f"{rng.randint(0, 999999):06d}",
                    "verification_method": rng.choice(("call", "sms")),  # undeclared
                })  # fmt: skip
                if verified:
                    company["verified_caller_ids"].append({"name": label, "phone_number": number})

    def _add_summary_emails(self, rng: random.Random, account: Account) -> None:
        """One or two account-level subscriptions, and up to two per company."""
        scopes = [{"id": account.id, "type": "Account", "name": account.name}] * rng.randint(1, 2)
        for company in account.companies:
            scope = {"id": company["id"], "type": "Company", "name": company["name"]}
            scopes += [scope] * rng.randint(0, 2)
        for scope in scopes:
            user = rng.choice(account.users)
            config = ("summary_statistics", "top_sources", "top_keywords", "call_log")
            account.summary_emails.append({
                "id": masked_id(rng, "CSS"), "scope": scope,
                "frequency": rng.choice((["daily"], ["weekly"], ["weekly", "monthly"])),
                "config": {name: rng.random() < 0.7 for name in config},
                "user": {"id": user["id"], "name": user["name"], "email": user["email"]},
                "email": user["email"],
                "filters": rng.choice((None, {"lead_status": "good_lead"})),
                "paused": rng.random() < 0.2,  # undeclared
            })  # fmt: skip
