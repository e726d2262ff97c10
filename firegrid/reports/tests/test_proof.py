"""The proof that stays (issue 12): for every day of a generated campaign history, every figure of the
stored report equals (a) the count of its drill-down list and (b) a recomputation from the raw history in
plain Python (recompute.py) — and still does after random later membership changes (added, removed,
dated into the past) and corrections. Hypothesis draws the histories."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firegrid.campaigns import services as campaigns
from firegrid.campaigns.models import Campaign, CampaignTarget, Claim, WorkGroup
from firegrid.inspections.choices import COVERING_OUTCOMES
from firegrid.inspections.coverage import SURVEY_FIGURES
from firegrid.inspections.models import Inspection
from firegrid.reports import services
from firegrid.reports.models import FIGURES, DailySnapshot
from firegrid.reports.testing import history
from firegrid.testing import make_building, make_landlord, make_premises

from . import recompute

pytestmark = pytest.mark.django_db
ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
DAYS = 4
STATES = ["draft", "notified", "rectifying", "overdue", "escalated", "accepted", "cancelled"]


def at(start: dt.date, day: int, hour: int) -> dt.datetime:
    return dt.datetime.combine(start + dt.timedelta(days=day), dt.time(hour), tzinfo=ZONE)


premises_spec = st.fixed_dictionaries(
    {
        "grid": st.integers(0, 2),
        "flags": st.sets(st.sampled_from(recompute.FLAGS), max_size=2),
        "claim": st.sampled_from([None, 0, 1]),
        "joined": st.integers(0, DAYS - 1),
        "left": st.one_of(st.none(), st.integers(0, DAYS)),
        "survey": st.one_of(st.none(), st.tuples(st.integers(0, DAYS - 1), st.integers(8, 22))),
        "moves": st.lists(
            st.tuples(st.integers(0, DAYS - 1), st.integers(8, 22), st.sampled_from(STATES)), max_size=3
        ),
    }
)
later_change = st.one_of(
    st.tuples(st.just("remove"), st.integers(0, 7), st.integers(0, DAYS - 1)),
    st.tuples(st.just("add"), st.integers(0, 7), st.integers(0, DAYS - 1)),
    st.tuples(st.just("correct"), st.integers(0, 7), st.integers(0, DAYS - 1)),
)


class Rollback(Exception):
    pass


def assert_stored_reports_hold(campaign: Campaign) -> int:
    """Every stored version of every day: figures = lists = recomputation as known when it was made."""
    history = recompute.read(campaign)
    checked = 0
    for snapshot in DailySnapshot.objects.filter(campaign=campaign).order_by("day", "version"):
        expected = recompute.report(history, snapshot.day, snapshot.generated_at)
        stored = {(r.dimension, r.key): r for r in snapshot.rows.all()}
        assert set(stored) == {k for k, f in expected.items() if f["in_scope"] or k[0] != "unit"}, snapshot
        for key, row in stored.items():
            # The row's list (one query), then each figure's list is its premises in that figure's progress.
            listed = list(
                services.snapshot_premises(snapshot, row.dimension, row.key, "in_scope").values_list(
                    "pk", "progress"
                )
            )
            for figure in FIGURES:
                value = getattr(row, figure)
                assert value == expected[key][figure], (snapshot.day, snapshot.version, key, figure)
                wanted = services.FIGURE_PROGRESS[figure]
                assert sum(progress in wanted for _pk, progress in listed) == value, (
                    snapshot.day,
                    key,
                    figure,
                )
                checked += 1
        # The frozen survey: covered premises = those with a covering visit submitted by the report's instant.
        instant = dt.datetime.fromisoformat(snapshot.survey["at"])
        covered = {
            premises
            for premises, outcome, submitted in Inspection.objects.values_list(
                "premises_id", "outcome", "submitted_at"
            )
            if outcome in COVERING_OUTCOMES and submitted <= instant
        }
        frozen = snapshot.survey["by_grid"].values()
        assert sum(values[SURVEY_FIGURES.index("premises_covered")] for values in frozen) == len(covered)
        # And the lists themselves, figure by figure, for the total row.
        total = stored[("total", "all")]
        for figure in FIGURES:
            count = services.snapshot_premises(snapshot, "total", "all", figure).count()
            assert count == getattr(total, figure), (snapshot.day, snapshot.version, figure)
    return checked


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(premises_spec, min_size=1, max_size=5), changes=st.lists(later_change, max_size=3))
def test_every_stored_figure_equals_its_list_and_the_history(checklist, district, personas, specs, changes):
    d = district
    # Read per example, not at import: the campaign ends two days before today, whenever it runs.
    start = timezone.localdate() - dt.timedelta(days=DAYS + 2)
    grids, units = [d.grid_a, d.grid_a2, d.grid_b], [d.unit, d.other_unit]
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                name="证明",
                code="proof",
                starts_on=start,
                ends_on=start + dt.timedelta(days=DAYS),
                status="running",
            )
            WorkGroup.objects.create(campaign=campaign, name="一组").areas.set([d.c1])
            made = []
            for n, spec in enumerate(specs):
                landlord = make_landlord(**dict.fromkeys(spec["flags"], True))
                premises = make_premises(make_building(grids[spec["grid"]], f"证明路{n}号"), landlord)
                made.append(premises)
                joined = spec["joined"]
                left = spec["left"] if spec["left"] is not None and spec["left"] >= joined else None
                CampaignTarget.objects.create(
                    campaign=campaign,
                    premises=premises,
                    joined_on=start + dt.timedelta(days=joined),
                    added_at=at(start, joined, 7),
                    left_on=start + dt.timedelta(days=left) if left is not None else None,
                    left_at=at(start, left, 7) if left is not None else None,
                )
                if spec["survey"] is not None:
                    Inspection.objects.create(
                        premises=premises,
                        building=premises.building,
                        template=checklist,
                        kind="survey",
                        status="submitted",
                        outcome="inspected",
                        started_at=at(start, *spec["survey"]) - dt.timedelta(minutes=30),
                        submitted_at=at(start, *spec["survey"]),
                    )
                moves = sorted((at(start, day, hour), state) for day, hour, state in spec["moves"])
                if moves:
                    history(campaign, premises, personas.grid_worker, moves)
                if spec["claim"] is not None:
                    Claim.objects.create(
                        campaign=campaign,
                        landlord=landlord,
                        unit=units[spec["claim"]],
                        claimed_by=personas.commander,
                        claimed_at=at(start, 0, 8),
                    )
            # Each day's report made by the job at 17:00 that day: later hours of the day are not in it.
            for day in range(DAYS):
                with time_machine.travel(at(start, day, 17), tick=False):
                    services.generate_snapshot(campaign, start + dt.timedelta(days=day))
            assert_stored_reports_hold(campaign)

            # Later (today): membership changes dated into the past, and corrections.
            for kind, which, day in changes:
                on = start + dt.timedelta(days=day)
                current = campaign.targets.filter(left_on__isnull=True).order_by("pk")
                if kind == "remove" and current.exists():
                    row = current[which % current.count()]
                    if on >= row.joined_on:
                        campaigns.remove_target(row, actor=personas.commander, reason="复核移出", on=on)
                elif kind == "add":
                    premises = made[which % len(made)]
                    if not current.filter(premises=premises).exists():
                        last = campaign.targets.filter(premises=premises).order_by("-left_on").first()
                        if last is None or on >= last.left_on:
                            campaigns.add_target(
                                campaign, premises, actor=personas.commander, reason="补录", on=on
                            )
                else:
                    services.generate_snapshot(campaign, on, correction=True, reason="更正")
            assert assert_stored_reports_hold(campaign) >= DAYS * len(FIGURES)
            raise Rollback
    except Rollback:
        pass
