"""People of the demo: resident ID numbers unique by construction, names, mobiles."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random

from firegrid.core.validators import id_check_character

from .. import data
from .streams import seeded_rng

LANDLORD_BORN = (dt.date(1940, 1, 1), dt.date(1990, 12, 31))
TENANT_BORN = (dt.date(1958, 1, 1), dt.date(2000, 12, 31))


class IdNumbers:
    """Resident ID numbers (GB 11643-1999) unique by construction: the n-th number is a bijection of n.

    The pair (birth date, 3-digit sequence) is taken from position m = (offset + n·k) mod N, N = days × 999,
    with k coprime to N: distinct n below N (about 18 million here) give distinct pairs, so distinct
    numbers whatever the region prefix, with birth dates spread over the whole range.
    """

    def __init__(self, born: tuple[dt.date, dt.date], seed: int, stream: str):
        self.start = born[0]
        self.days = (born[1] - born[0]).days + 1
        self.size = self.days * 999
        step = int(self.size * 0.6180339887)
        while math.gcd(step, self.size) != 1:
            step += 1
        self.step = step
        self.offset = seeded_rng(seed, stream).randrange(self.size)

    def make(self, n: int, region: str) -> tuple[str, bool]:
        """The n-th ID number, and whether it is a man's (odd sequence number)."""
        if not 0 <= n < self.size:
            raise ValueError(f"only {self.size} distinct ID numbers in this birth-date range")
        m = (self.offset + n * self.step) % self.size
        born = self.start + dt.timedelta(days=m % self.days)
        sequence = m // self.days + 1
        first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
        return first17 + id_check_character(first17), sequence % 2 == 1


_SURNAMES = [s for s, _ in data.SURNAMES]
_SURNAME_CUM = list(itertools.accumulate(w for _, w in data.SURNAMES))
_REGIONS = [r for r, _ in data.TENANT_REGIONS]
_REGION_CUM = list(itertools.accumulate(w for _, w in data.TENANT_REGIONS))


def person_name(rng: random.Random, male: bool) -> str:
    surname = rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0]
    return surname + rng.choice(data.MALE_GIVEN if male else data.FEMALE_GIVEN)


def tenant_region(rng: random.Random) -> str:
    """The region prefix of a tenant household's ID number: where the head of the household comes from."""
    return rng.choices(_REGIONS, cum_weights=_REGION_CUM)[0]


def mobile(rng: random.Random) -> str:
    return f"{rng.choice(data.MOBILE_PREFIXES)}{rng.randrange(100_000_000):08d}"
