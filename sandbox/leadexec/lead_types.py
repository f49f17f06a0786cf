"""LeadExec lead types (verticals), each with fields of its own: the simulator's Mortgage (1841),
Auto Insurance (2207) and Solar (3115), or copies of them under any other `lid`.

Traps reproduced: the field sets differ per lead type and keep odd names
(`IndustrySub-Category`); some values are empty; ZIP codes start with 0 and must stay
strings; `AnnualUsageKwh` is mostly numbers but sometimes "N/A".
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox.core.fake import CITIES, FIRST_NAMES, LAST_NAMES

STATES = ("GA", "TX", "CO", "IL", "AZ", "MA", "NJ", "CA")
ZIPS = ("30303", "78701", "80202", "60601", "85004", "02134", "07030", "94107")
MAKES = ("Toyota", "Ford", "Honda", "Tesla")
MODELS = ("Camry", "F-150", "Civic", "RAV4", "Escape", "Model 3")
INSURERS = ("GEICO", "Progressive", "State Farm", "Allstate")
ROOFS = ("Asphalt Shingle", "Metal", "Tile", "Flat")
UTILITIES = ("Georgia Power", "Austin Energy", "Xcel Energy", "ComEd", "APS")
SUB_CATEGORIES = ("Refinance", "Purchase", "Home Equity", "Reverse Mortgage")

Generator = Callable[[random.Random, datetime], Any]


@dataclass(frozen=True)
class LeadType:
    """A lead vertical: its id (the `lid`), name and the fields its leads carry."""

    lid: int
    name: str
    #: Field name -> value from (the lead's generator, its DateAdded as naive Pacific time).
    fields: tuple[tuple[str, Generator], ...]


def _name(rng: random.Random, _: datetime) -> str:
    return rng.choice(FIRST_NAMES)


def _surname(rng: random.Random, _: datetime) -> str:
    return rng.choice(LAST_NAMES)


def _email(rng: random.Random, _: datetime) -> str | None:
    if rng.random() < 0.05:
        return None
    return f"{rng.choice(FIRST_NAMES).lower()}.{rng.randint(10, 9999)}@example.com"


def _phone(rng: random.Random, _: datetime) -> str:
    return (
        f"({rng.choice(CITIES)[3] if rng.random() < 0.5 else '404'}) 555-{rng.randint(0, 9999):04d}"
    )


def _sometimes(value: Any, chance: float, rng: random.Random, empty: Any = None) -> Any:
    """`value`, or `empty` with probability `chance`."""
    return empty if rng.random() < chance else value


def _consent(rng: random.Random, added: datetime) -> datetime:
    return added - timedelta(seconds=rng.randint(5, 600))


MORTGAGE = LeadType(
    1841,
    "Mortgage",
    (
        ("FirstName", _name),
        ("LastName", _surname),
        ("Email", _email),
        ("Phone", _phone),
        ("LoanAmount", lambda rng, _: round(rng.randint(60_000, 900_000) + rng.random(), 2)),
        ("CreditScore", lambda rng, _: _sometimes(rng.randint(520, 840), 0.12, rng)),
        ("IsVeteran", lambda rng, _: rng.random() < 0.15),
        ("PropertyState", lambda rng, _: rng.choice(STATES)),
        # Some ZIP codes start with 0: the field must stay a string.
        ("PropertyZip", lambda rng, _: rng.choice(ZIPS)),
        ("IndustrySub-Category", lambda rng, _: rng.choice(SUB_CATEGORIES)),
        ("ConsentDate", _consent),
    ),
)
AUTO_INSURANCE = LeadType(
    2207,
    "Auto Insurance",
    (
        ("FirstName", _name),
        ("LastName", _surname),
        ("Email", _email),
        ("VehicleYear", lambda rng, _: rng.randint(2004, 2026)),
        ("Make", lambda rng, _: rng.choice(MAKES)),
        ("Model", lambda rng, _: rng.choice(MODELS)),
        ("HasAccidents", lambda rng, _: rng.random() < 0.2),
        ("CurrentInsurer", lambda rng, _: _sometimes(rng.choice(INSURERS), 0.2, rng, "")),
        ("MonthlyPremium", lambda rng, _: _sometimes(round(rng.uniform(60, 400), 2), 0.1, rng)),
        ("Drivers", lambda rng, _: rng.randint(1, 4)),
    ),
)
SOLAR = LeadType(
    3115,
    "Solar",
    (
        ("FirstName", _name),
        ("LastName", _surname),
        ("Email", _email),
        ("MonthlyBill", lambda rng, _: round(rng.uniform(40, 600), 2)),
        ("RoofType", lambda rng, _: rng.choice(ROOFS)),
        ("HomeOwner", lambda rng, _: rng.random() < 0.9),
        ("Utility", lambda rng, _: rng.choice(UTILITIES)),
        # Mostly numbers, sometimes "N/A": the values do not agree on a type.
        ("AnnualUsageKwh", lambda rng, _: _sometimes(rng.randint(3000, 25000), 0.1, rng, "N/A")),
        ("RoofAgeYears", lambda rng, _: _sometimes(rng.randint(0, 40), 0.15, rng)),
    ),
)
LEAD_TYPES = (MORTGAGE, AUTO_INSURANCE, SOLAR)


def resolve_lead_types(wanted: int | Sequence[LeadType | int]) -> list[LeadType]:
    """Lead types from specs, from lids (known ones, else the catalogue's fields in turn under
    that lid) or from a count (the catalogue's first, then copies under new lids)."""
    if isinstance(wanted, int):
        wanted = [spec.lid for spec in LEAD_TYPES[:wanted]] + [
            9000 + n for n in range(max(0, wanted - len(LEAD_TYPES)))
        ]
    known = {spec.lid: spec for spec in LEAD_TYPES}
    chosen = []
    for index, item in enumerate(wanted):
        if isinstance(item, LeadType):
            chosen.append(item)
        elif item in known:
            chosen.append(known[item])
        else:
            template = LEAD_TYPES[index % len(LEAD_TYPES)]
            chosen.append(LeadType(int(item), f"{template.name} {item}", template.fields))
    return chosen
