"""Invented but plausible people, places and phone numbers, shared by the simulators.

Real caller data is not all North American: some places have no state or ZIP code, and UK
numbers do not fit the +1 pattern, so the simulators hand out a few of each.
"""

from __future__ import annotations

import random

FIRST_NAMES = ("James", "Maria", "Robert", "Linda", "Aisha", "David", "Carlos", "Wei", "Priya")
LAST_NAMES = ("Smith", "Garcia", "Johnson", "Nguyen", "Brown", "Patel", "Kim", "Lopez", "Okafor")
CITIES = (  # city, state, country, area code, zip
    ("Atlanta", "GA", "US", "404", "30303"), ("Marietta", "GA", "US", "770", "30060"),
    ("Austin", "TX", "US", "512", "78701"), ("Denver", "CO", "US", "303", "80202"),
    ("Chicago", "IL", "US", "312", "60601"), ("Phoenix", "AZ", "US", "602", "85004"),
    ("Toronto", "ON", "CA", "416", None), ("London", None, "GB", "20", None),
)  # fmt: skip
US_AREAS = ("404", "770", "512", "303", "312", "602")


def full_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def phone(rng: random.Random, area: str | None = None, country: str = "US") -> str:
    """An E.164 number; UK numbers for country GB, otherwise North American."""
    if country == "GB":
        return f"+44{area or '20'}{rng.randint(10**7, 10**8 - 1)}"
    return f"+1{area or rng.choice(US_AREAS)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"


def pretty_phone(number: str) -> str:
    """`(404) 555-0123` for North American numbers; others as they are."""
    if number.startswith("+1") and len(number) == 12:
        return f"({number[2:5]}) {number[5:8]}-{number[8:]}"
    return number


def masked_id(rng: random.Random, prefix: str) -> str:
    """An id like CallRail's `CAL` + 32 hex digits."""
    return f"{prefix}{rng.getrandbits(128):032x}"
