"""Matching a reported address to a premises of the registry: exact, then normalised, then fuzzy with a
score for an officer to confirm.

The fire service writes the address as the caller gave it: "樟潭街道樟树潭路13号1楼店面", "樟树潭路１３号 一楼",
"樟潭街道樟树潭路十三号". A premises is known by its building's address and its unit label ("整幢" for a
whole building). The keys tried, in order:

1. **exact**: the address is a premises' "<building address><unit label>" (or its building's address
   alone, for a whole building or a building with one premises);
2. **normalised**: the same after folding full-width forms, dropping spaces and punctuation, the province,
   city and district in front, and 號/# for 号;
3. **fuzzy**: the most similar normalised key among the premises of the incident's area (difflib's ratio,
   0–100); at least `FUZZY_MIN` (80) is a proposal (待确认), never a match by itself.

A key two premises share is ambiguous and matches neither: the officer decides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from firegrid.registry.ledger.books import WHOLE_BUILDING
from firegrid.registry.models import Premises

from .choices import MatchMethod

# Below this a similarity says little: addresses of one area share their subdistrict and road names.
FUZZY_MIN = 80
_NOISE = re.compile(r"[\s,，.。·・、:：;；()（）\[\]【】\-—_]+")
_PREFIXES = ("浙江省", "衢州市", "衢江区")


def normalise(address: str) -> str:
    text = unicodedata.normalize("NFKC", address or "")
    text = _NOISE.sub("", text).replace("號", "号").replace("#", "号")
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


@dataclass(frozen=True)
class Match:
    premises_id: int | None
    method: str = ""
    score: int | None = None


@dataclass(frozen=True)
class Candidate:
    premises_id: int
    grid_id: int
    key: str  # normalised


class Matcher:
    """The registry's premises, keyed for matching (built once for a batch of incidents)."""

    def __init__(self, rows: Iterable[tuple[int, int, str, str, int]]) -> None:
        """rows: (premises id, grid id, building address, unit label, premises in the building)."""
        exact: dict[str, set[int]] = {}
        normalised: dict[str, set[int]] = {}
        self.candidates: list[Candidate] = []
        for pk, grid_id, address, unit, in_building in rows:
            keys = [f"{address}{unit}"]
            if unit == WHOLE_BUILDING or in_building == 1:
                keys.append(address)
            for key in keys:
                exact.setdefault(key, set()).add(pk)
                normalised.setdefault(normalise(key), set()).add(pk)
            self.candidates.append(Candidate(pk, grid_id, normalise(keys[0])))
        self.exact = {k: next(iter(v)) for k, v in exact.items() if len(v) == 1}
        self.normalised = {k: next(iter(v)) for k, v in normalised.items() if len(v) == 1}

    def match(self, address: str, grid_ids: set[int] | None = None) -> Match:
        """The premises `address` names; fuzzy proposals only among `grid_ids` when given."""
        text = (address or "").strip()
        if text in self.exact:
            return Match(self.exact[text], MatchMethod.EXACT, 100)
        key = normalise(text)
        if key in self.normalised:
            return Match(self.normalised[key], MatchMethod.NORMALISED, 100)
        best: tuple[float, int] | None = None
        matcher = SequenceMatcher(autojunk=False)
        matcher.set_seq2(key)
        for candidate in self.candidates:
            if grid_ids is not None and candidate.grid_id not in grid_ids:
                continue
            matcher.set_seq1(candidate.key)
            if matcher.real_quick_ratio() * 100 < FUZZY_MIN or matcher.quick_ratio() * 100 < FUZZY_MIN:
                continue
            ratio = matcher.ratio()
            if best is None or ratio > best[0] or (ratio == best[0] and candidate.premises_id < best[1]):
                best = (ratio, candidate.premises_id)
        if best is not None and best[0] * 100 >= FUZZY_MIN:
            return Match(best[1], MatchMethod.FUZZY, round(best[0] * 100))
        return Match(None)


def matcher_for(grid_ids: Iterable[int] | None = None) -> Matcher:
    """A matcher over the premises of `grid_ids` (every premises when None), in one query."""
    from django.db.models import Count, OuterRef, Subquery

    premises = Premises.objects.all()
    if grid_ids is not None:
        premises = premises.filter(building__grid_id__in=list(grid_ids))
    in_building = (
        Premises.objects.filter(building_id=OuterRef("building_id"))
        .order_by()
        .values("building_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        premises.order_by("pk")
        .annotate(in_building=Subquery(in_building))
        .values_list("pk", "building__grid_id", "building__address", "unit_label", "in_building")
    )
    return Matcher(rows)
