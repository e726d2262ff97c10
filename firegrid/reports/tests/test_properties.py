"""Property test on random small data: every figure's drill-down list has that many premises, a parent's
additive figures are the sums of its children's, and snapshots never change."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firegrid.campaigns.models import Claim, WorkGroup
from firegrid.reports import services
from firegrid.reports.models import FIGURES, Dimension, SnapshotRow
from firegrid.reports.testing import at, history, make_campaign, target
from firegrid.testing import make_building, make_landlord, make_premises

pytestmark = pytest.mark.django_db
STATES = [
    "draft",
    "notified",
    "rectifying",
    "recheck_requested",
    "overdue",
    "escalated",
    "enforcement",
    "accepted",
    "cancelled",
]

move = st.tuples(st.integers(0, 3), st.integers(0, 23), st.sampled_from(STATES))
premises_spec = st.fixed_dictionaries(
    {
        "grid": st.integers(0, 2),
        "flags": st.sets(
            st.sampled_from(["is_party_member", "is_official", "is_deputy", "is_public_payroll"])
        ),
        "claim": st.sampled_from([None, 0, 1]),
        "moves": st.lists(move, max_size=4),
    }
)
CHILD = {Dimension.SUBDISTRICT: Dimension.COMMUNITY, Dimension.COMMUNITY: Dimension.GRID}


class Rollback(Exception):
    pass


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(premises_spec, min_size=1, max_size=8), day_offset=st.integers(0, 3))
def test_figures_equal_their_lists_and_add_up(district, personas, specs, day_offset):
    d = district
    grids = [d.grid_a, d.grid_a2, d.grid_b]
    units = [d.unit, d.other_unit]
    try:
        with transaction.atomic():
            campaign = make_campaign(code="prop", days_before=3)
            # The campaign's own first day, not a date read at import (a run may cross midnight).
            start = campaign.starts_on
            day = start + dt.timedelta(days=day_offset)
            group = WorkGroup.objects.create(campaign=campaign, name="一组")
            group.areas.set([d.c1, d.grid_b])
            for n, spec in enumerate(specs):
                landlord = make_landlord(**dict.fromkeys(spec["flags"], True))
                building = make_building(grids[spec["grid"]], f"属性测试路{n}号")
                premises = make_premises(building, landlord)
                target(campaign, premises)
                moves = sorted((at(start + dt.timedelta(days=o), h), s) for o, h, s in spec["moves"])
                if moves:
                    history(campaign, premises, personas.grid_worker, moves)
                if spec["claim"] is not None:
                    Claim.objects.create(
                        campaign=campaign,
                        landlord=landlord,
                        unit=units[spec["claim"]],
                        claimed_by=personas.commander,
                        claimed_at=at(start, 0),
                    )
            snapshot = services.generate_snapshot(campaign, day)
            rows = {(r.dimension, r.key): r for r in snapshot.rows.all()}
            stored = list(SnapshotRow.objects.filter(snapshot=snapshot).order_by("pk").values())

            for row in rows.values():
                for figure in FIGURES:
                    listed = services.snapshot_premises(snapshot, row.dimension, row.key, figure).count()
                    assert listed == getattr(row, figure), (row.dimension, row.name, figure)
                assert row.surveyed <= row.in_scope
                assert (
                    row.in_scope
                    - row.surveyed
                    + sum(getattr(row, f) for f in FIGURES if f not in ("in_scope", "surveyed"))
                    == row.in_scope
                )

            total = rows[(Dimension.TOTAL, "all")]
            assert total.in_scope == len(specs)
            for figure in FIGURES:
                subdistricts = [r for r in rows.values() if r.dimension == Dimension.SUBDISTRICT]
                assert sum(getattr(r, figure) for r in subdistricts) == getattr(total, figure)
                for (dimension, key), parent in rows.items():
                    if dimension in CHILD:
                        children = [
                            r
                            for r in rows.values()
                            if r.dimension == CHILD[dimension] and r.parent_key == key
                        ]
                        assert sum(getattr(r, figure) for r in children) == getattr(parent, figure)
                # The work group owns every grid here: its figures are the total's.
                assert getattr(rows[(Dimension.WORK_GROUP, str(group.pk))], figure) == getattr(total, figure)

            for dimension in (Dimension.GRID, Dimension.UNIT):
                ranked = sorted((r for r in rows.values() if r.dimension == dimension), key=services.rank_key)
                # Competition ranking: a rank is 1 + the number of rows with a better outcome.
                assert [r.rank for r in ranked] == [
                    1 + sum(o.completion_permille > r.completion_permille for o in ranked) for r in ranked
                ]

            # Regenerating gives the same figures and leaves the stored rows as they were.
            again = services.generate_snapshot(campaign, day, correction=True, reason="复核")
            assert {(r.dimension, r.key): [getattr(r, f) for f in FIGURES] for r in again.rows.all()} == {
                k: [getattr(r, f) for f in FIGURES] for k, r in rows.items()
            }
            assert list(SnapshotRow.objects.filter(snapshot=snapshot).order_by("pk").values()) == stored
            raise Rollback
    except Rollback:
        pass
