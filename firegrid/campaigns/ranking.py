"""The units' ranking (单位排名): how far each employer unit has brought the landlords it claimed.

A unit's figures are over the campaign's target premises of the four-category landlords it holds an
active claim on: in scope, accepted, cancelled (left out of completion), completion % = accepted ÷
(in scope − cancelled) (`status.completion`). Order: higher completion first; on equal completion, more
accepted premises first; then the unit's name (Unicode order), so equal units always come out in the
same order and every unit has its own place. The figures are one grouped query; the daily report
freezes the same rows in its snapshot.
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

RANKING_RULE = _(
    "按认领房东的整治对象完成率（已验收 ÷ 整治对象，已撤销的不计）从高到低排名；完成率相同的，已验收户数多的在前；"
    "仍相同的，按单位名称排序。"
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
    # Why this unit is placed after the one above it: "completion", "accepted" or "name" (None: first).
    tie_break: str | None


def unit_figures(campaign: Campaign, day: dt.date | None = None) -> list[UnitFigures]:
    """Per unit with claimed landlords' target premises: in scope, accepted, cancelled (one query)."""
    claimed = status.targets(campaign).filter(
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


def sort_key(row: _Figures) -> tuple[float, int, str, int]:
    return (-row["completion"], -row["accepted"], row["unit_name"], row["unit_id"])


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
    previous: _Figures | None = None
    for rank, row in enumerate(rows, start=1):
        if previous is None:
            tie_break = None
        elif previous["completion"] != row["completion"]:
            tie_break = "completion"
        elif previous["accepted"] != row["accepted"]:
            tie_break = "accepted"
        else:
            tie_break = "name"
        ranked.append(UnitRow(rank=rank, tie_break=tie_break, **row))
        previous = row
    return ranked


def rank_of(ranking: list[UnitRow], unit_id: int) -> UnitRow | None:
    return next((row for row in ranking if row.unit_id == unit_id), None)
