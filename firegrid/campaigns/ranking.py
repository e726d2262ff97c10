"""The units' ranking (单位排名): how far each employer unit has brought the landlords it claimed.

A unit's figures are over the campaign's target premises on the day (`status.members_on`) of the
four-category landlords it holds an active claim on: in scope, accepted, cancelled (left out of
completion), completion % = accepted ÷ (in scope − cancelled) (`status.completion`). The rank is by the
outcome alone, completion, as the daily report ranks (competition ranking: equal completion shares a
rank, the next rank skips — 1, 2, 2, 4); the unit's name (Unicode order) only orders equal units on the
page. The size of a unit (its accepted count) never breaks a tie: at 100 % it would make ranks jump with
no change in outcome. The figures are one grouped query; the daily report freezes the same rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypedDict

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from . import status
from .choices import ClaimStatus
from .models import Campaign

# Rows a ranking shows on a phone before 展开全部 (the reader's own row is shown besides, pinned first).
PHONE_TOP = 10

RANKING_RULE = _(
    "只按认领房东的整治对象完成率（已验收 ÷ 整治对象，已撤销的不计）从高到低排名；完成率相同者名次并列"
    "（如 1、2、2、4），并列者按单位名称先后列出。"
)


class UnitFigures(TypedDict):
    """One row of `unit_figures`: the claiming unit and its claimed landlords' target premises."""

    landlord__claims__unit: int
    landlord__claims__unit__name: str
    in_scope: int
    accepted: int
    cancelled: int


class _Figures(TypedDict):
    """A unit's figures before ranking."""

    unit_id: int
    unit_name: str
    in_scope: int
    accepted: int
    cancelled: int
    completion: float


@dataclass(frozen=True)
class UnitRow:
    rank: int
    unit_id: int
    unit_name: str
    in_scope: int
    accepted: int
    cancelled: int
    completion: float
    # How this unit stands to the one above it: "completion" (lower) or "shared" (equal: the same rank).
    tie_break: str | None


def unit_figures(campaign: Campaign, day: dt.date | None = None) -> list[UnitFigures]:
    """Per unit with claimed landlords' target premises: in scope, accepted, cancelled (one query)."""
    day = day or status.reference_day(campaign)
    claimed = status.members_on(campaign, day).filter(
        landlord__claims__campaign=campaign, landlord__claims__status=ClaimStatus.ACTIVE
    )
    return list(
        status.with_progress(claimed, campaign, day)
        .values("landlord__claims__unit", "landlord__claims__unit__name")
        .annotate(
            in_scope=Count("pk"),
            accepted=Count("pk", filter=Q(progress=status.Progress.ACCEPTED)),
            cancelled=Count("pk", filter=Q(progress=status.Progress.CANCELLED)),
        )
        .order_by()
    )


def sort_key(row: _Figures) -> tuple[float, str, int]:
    """The order on the page: completion first, then the unit's name (which never decides a rank)."""
    return (-row["completion"], row["unit_name"], row["unit_id"])


def unit_ranking(campaign: Campaign, day: dt.date | None = None) -> list[UnitRow]:
    rows: list[_Figures] = [
        {
            "unit_id": r["landlord__claims__unit"],
            "unit_name": r["landlord__claims__unit__name"],
            "in_scope": r["in_scope"],
            "accepted": r["accepted"],
            "cancelled": r["cancelled"],
            "completion": status.completion(r["accepted"], r["in_scope"], r["cancelled"]),
        }
        for r in unit_figures(campaign, day)
    ]
    rows.sort(key=sort_key)
    ranked: list[UnitRow] = []
    for position, row in enumerate(rows, start=1):
        above = ranked[-1] if ranked else None
        if above is None:
            rank, tie_break = position, None
        elif above.completion == row["completion"]:
            rank, tie_break = above.rank, "shared"
        else:
            rank, tie_break = position, "completion"
        ranked.append(UnitRow(rank=rank, tie_break=tie_break, **row))
    return ranked


def rank_of(ranking: list[UnitRow], unit_id: int) -> UnitRow | None:
    return next((row for row in ranking if row.unit_id == unit_id), None)
