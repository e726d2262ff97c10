"""Builders for the points tests: entries written as a scene, a plan taken the whole way to acceptance,
a patrol, and the entries of a landlord."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from firegrid.inspections.choices import InspectionKind
from firegrid.points import services
from firegrid.points.choices import PointsRule
from firegrid.points.models import PointsEntry
from firegrid.rectification import services as plans
from firegrid.rectification.testing import inspect, plan_with_hazards

# The day the points tests run on, pinned by conftest.pinned_day: points count per day and per
# calendar year, so a run crossing midnight or New Year must not move them under a test. Mid-June,
# so that last year and next year, and TODAY.replace(year=...), are always valid dates.
TODAY = dt.date(2026, 6, 15)
YEAR = TODAY.year


def entries(landlord=None, rule: str | None = None) -> list[PointsEntry]:
    rows = PointsEntry.objects.order_by("id")
    if landlord is not None:
        rows = rows.filter(landlord=landlord)
    if rule is not None:
        rows = rows.filter(rule=rule)
    return list(rows)


def source_of(entry: PointsEntry) -> models.Model | None:
    return entry.source


def give(
    landlord, amount: int, *, on: dt.date | None = None, rule: str = PointsRule.CORRECTION, **kw
) -> PointsEntry:
    """An entry written as a scene (no audit entry, no service): `amount` points for `landlord`."""
    return PointsEntry.objects.create(
        landlord=landlord,
        rule=rule,
        amount=amount,
        reason=kw.pop("reason", "测试"),
        occurred_on=on or timezone.localdate(),
        rule_set=services.default_rule_set(),
        **kw,
    )


def accepted_plan(premises, personas, *, fail=("SEP-01", "EXIT-03")):
    """A plan taken the whole way: hazards found, notice served, recheck requested, accepted."""
    gw = personas.grid_worker
    plan = plans.notify_plan(plan_with_hazards(premises, actor=gw, fail=fail), actor=gw)
    plans.start_rectification(plan, actor=gw)
    plans.request_recheck(plan, actor=gw)
    inspect(premises, actor=gw, kind=InspectionKind.ACCEPTANCE)
    plan.refresh_from_db()
    return plan


def content_type(model) -> ContentType:
    return ContentType.objects.get_for_model(model)


def make_patrol(area, creator):
    from firegrid.patrols.models import Patrol, PatrolTeam

    team = PatrolTeam.objects.create(name="房东自治巡查队", kind="landlords", area=area)
    now = timezone.now()
    return Patrol.objects.create(
        team=team,
        area=area,
        window_start=now - dt.timedelta(hours=2),
        window_end=now,
        finished_at=now,
        status="finished",
        created_by=creator,
    )
