"""The daily report's figures recomputed from the raw history in plain Python — a second, independent
reading of the definitions (campaigns/status.py, reports/services.py), for the proof in test_proof.py.

Everything is read once as plain rows; nothing here calls the code it checks."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from firegrid.areas.models import Area
from firegrid.campaigns.models import Campaign, CampaignTarget, Claim, WorkGroup
from firegrid.campaigns.status import STATE_PROGRESS, Progress, day_end
from firegrid.inspections.models import Inspection
from firegrid.rectification.models import PlanMove
from firegrid.registry.models import Premises

FLAGS = ("is_party_member", "is_official", "is_deputy", "is_public_payroll")
BUCKETS = {
    "with_hazards": Progress.WITH_HAZARDS,
    "notified": Progress.NOTIFIED,
    "rectifying": Progress.RECTIFYING,
    "overdue": Progress.OVERDUE,
    "accepted": Progress.ACCEPTED,
    "cancelled": Progress.CANCELLED,
}


@dataclass
class History:
    """The raw rows a campaign's figures are made of."""

    targets: list[CampaignTarget]
    moves: list[tuple[int, dt.datetime, int, str]]  # premises, time, pk, to_state
    surveys: list[tuple[int, dt.datetime]]  # premises, submitted_at
    claims: list[Claim]
    grid_of: dict[int, int]
    landlord_of: dict[int, int]
    flags_of: dict[int, dict[str, bool]]
    paths: dict[int, str]
    levels: dict[int, str]
    groups: dict[int, list[str]]  # work group → its areas' paths


def read(campaign: Campaign) -> History:
    premises = Premises.objects.values_list(
        "pk", "building__grid_id", "landlord_id", *[f"landlord__{f}" for f in FLAGS]
    )
    grid_of, landlord_of, flags_of = {}, {}, {}
    for pk, grid, landlord, *flags in premises:
        grid_of[pk], landlord_of[pk] = grid, landlord
        flags_of[pk] = dict(zip(FLAGS, flags, strict=True))
    return History(
        targets=list(CampaignTarget.objects.filter(campaign=campaign)),
        moves=list(
            PlanMove.objects.filter(plan__campaign=campaign).values_list(
                "plan__premises_id", "time", "pk", "to_state"
            )
        ),
        surveys=list(
            Inspection.objects.filter(status="submitted", premises__isnull=False).values_list(
                "premises_id", "submitted_at"
            )
        ),
        claims=list(Claim.objects.filter(campaign=campaign)),
        grid_of=grid_of,
        landlord_of=landlord_of,
        flags_of=flags_of,
        paths=dict(Area.objects.values_list("pk", "path")),
        levels=dict(Area.objects.values_list("pk", "level")),
        groups={g.pk: [a.path for a in g.areas.all()] for g in WorkGroup.objects.filter(campaign=campaign)},
    )


def members(history: History, day: dt.date, known_at: dt.datetime) -> set[int]:
    out = set()
    for t in history.targets:
        if t.joined_on > day or t.added_at > known_at:
            continue
        if t.left_on is not None and t.left_on <= day and t.left_at is not None and t.left_at <= known_at:
            continue
        out.add(t.premises_id)
    return out


def progress(history: History, premises: int, day: dt.date, known_at: dt.datetime) -> str:
    end = day_end(day)
    moves = [m for m in history.moves if m[0] == premises and m[1] < end and m[1] <= known_at]
    if moves:
        _pk, _time, _move, state = max(moves, key=lambda m: (m[1], m[2]))
        return STATE_PROGRESS[state].value
    surveyed = any(p == premises and t is not None and t < end and t <= known_at for p, t in history.surveys)
    return Progress.WITH_HAZARDS.value if surveyed else Progress.NOT_SURVEYED.value


def figures(progress_of: dict[int, str]) -> dict[str, int]:
    counts = Counter(progress_of.values())
    in_scope = len(progress_of)
    out = {"in_scope": in_scope, "surveyed": in_scope - counts[Progress.NOT_SURVEYED]}
    out.update({name: counts[value] for name, value in BUCKETS.items()})
    return out


def report(history: History, day: dt.date, known_at: dt.datetime) -> dict[tuple[str, str], dict[str, int]]:
    """Every row of the day's report, as known at `known_at`: (dimension, key) → figures."""
    progress_of = {p: progress(history, p, day, known_at) for p in members(history, day, known_at)}
    rows: dict[tuple[str, str], dict[int, str]] = {("total", "all"): dict(progress_of)}
    dimension_of_level = {"subdistrict": "subdistrict", "community": "community", "grid": "grid"}
    for p, value in progress_of.items():
        grid = history.grid_of[p]
        for area, path in history.paths.items():
            level = history.levels[area]
            if level in dimension_of_level and history.paths[grid].startswith(path):
                rows.setdefault((dimension_of_level[level], str(area)), {})[p] = value
    for group, prefixes in history.groups.items():
        rows[("work_group", str(group))] = {
            p: v
            for p, v in progress_of.items()
            if any(history.paths[history.grid_of[p]].startswith(x) for x in prefixes)
        }
    instant = min(day_end(day), known_at + dt.timedelta(microseconds=1))
    for claim in history.claims:
        if claim.claimed_at < instant and (claim.ended_at is None or claim.ended_at >= instant):
            unit_rows = rows.setdefault(("unit", str(claim.unit_id)), {})
            unit_rows.update(
                {p: v for p, v in progress_of.items() if history.landlord_of[p] == claim.landlord_id}
            )
    rows[("four_category", "all")] = {
        p: v for p, v in progress_of.items() if any(history.flags_of[p].values())
    }
    for flag in FLAGS:
        rows[("four_category", flag)] = {p: v for p, v in progress_of.items() if history.flags_of[p][flag]}
    return {key: figures(members_progress) for key, members_progress in rows.items()}
