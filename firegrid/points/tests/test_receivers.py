"""The ledger rules: each cause the system sees adds exactly one entry for the right landlord, with its
amount from the rule set, its reason and a link to what caused it; a replayed signal adds none."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.inspections.choices import HazardStatus, InspectionKind
from firegrid.inspections.models import Hazard
from firegrid.inspections.signals import inspection_submitted
from firegrid.longterm import services as longterm
from firegrid.longterm.models import SelfInspection, SelfInspectionMiss, Verification
from firegrid.longterm.signals import self_inspection_contradicted, self_inspection_missed
from firegrid.longterm.tests.self_checks import make_self_inspection
from firegrid.patrols.models import Patrol
from firegrid.patrols.signals import patrol_completed
from firegrid.points import services
from firegrid.points.choices import PointsRule
from firegrid.points.models import PointsEntry
from firegrid.rectification import services as plans
from firegrid.rectification.choices import MoveName, PlanState
from firegrid.rectification.models import EscalationStep, Plan, PlanMove
from firegrid.rectification.signals import plan_moved
from firegrid.rectification.testing import inspect, plan_with_hazards
from firegrid.registry import services as registry
from firegrid.registry.models import TenantHousehold
from firegrid.registry.signals import tenant_moved

from .scene import TODAY, accepted_plan, entries, make_patrol

pytestmark = pytest.mark.django_db


def only(landlord, rule) -> PointsEntry:
    rows = entries(landlord, rule)
    assert len(rows) == 1, rows
    return rows[0]


# --- self-inspection ----------------------------------------------------------------------------------------


def test_a_self_inspection_in_its_period_adds_one_entry_linked_to_it(district, checklist):
    period = TODAY.replace(day=1)
    row = make_self_inspection(district.premises_a, period)
    entry = only(district.landlord_a, PointsRule.SELF_INSPECTION_ON_TIME)
    assert (entry.amount, entry.source, entry.premises) == (2, row, district.premises_a)
    assert entry.source_url == reverse("registry:premises_detail", args=[district.premises_a.pk])
    assert f"{period:%Y-%m} 自查按时提交" in entry.reason
    assert entry.created_by is None and entry.year == TODAY.year
    # A replay of the creation, and a later save, add nothing.
    post_save.send(sender=SelfInspection, instance=row, created=True)
    row.save()
    assert len(entries(rule=PointsRule.SELF_INSPECTION_ON_TIME)) == 1
    # The entry is in the operation log, on the premises' file.
    log = AuditEntry.objects.for_object(entry).get()
    assert (log.action, log.premises_id, log.actor_name) == (
        AuditAction.CREATE,
        district.premises_a.pk,
        "system",
    )


def test_a_self_inspection_recorded_after_its_period_earns_nothing(district, checklist):
    make_self_inspection(district.premises_a, dt.date(TODAY.year - 1, 1, 1))
    assert entries() == []


def test_a_missed_self_inspection_costs_points_once_linked_to_the_miss(district):
    period = dt.date(2026, 3, 1)
    miss = SelfInspectionMiss.objects.create(
        premises=district.premises_a, landlord=district.landlord_a, period=period
    )
    for _ in range(2):
        self_inspection_missed.send(
            sender=SelfInspection,
            premises=district.premises_a,
            landlord=district.landlord_a,
            period=period,
            miss=miss,
            actor=None,
        )
    entry = only(district.landlord_a, PointsRule.SELF_INSPECTION_MISSED)
    assert (entry.amount, entry.source) == (-3, miss)
    assert entry.source_url == reverse("registry:premises_detail", args=[district.premises_a.pk])
    assert "2026-03 未按时自查" in entry.reason


def test_a_missed_self_inspection_without_its_record_counts_once_per_premises_and_period(district):
    def send(premises, period):
        self_inspection_missed.send(
            sender=SelfInspection, premises=premises, landlord=district.landlord_a, period=period, actor=None
        )

    send(district.premises_a, dt.date(2026, 3, 1))
    send(district.premises_a, dt.date(2026, 3, 1))
    entry = only(district.landlord_a, PointsRule.SELF_INSPECTION_MISSED)
    assert (entry.source, entry.source_key) == (district.premises_a, "2026-03")
    send(district.premises_a, dt.date(2026, 4, 1))
    send(district.shop_a, dt.date(2026, 3, 1))
    assert len(entries(district.landlord_a, PointsRule.SELF_INSPECTION_MISSED)) == 3


def test_a_contradicted_self_inspection_costs_points_linked_to_the_verification(
    district, personas, checklist
):
    period = dt.date(2026, 3, 1)
    make_self_inspection(district.premises_a, period)
    longterm.draw_verifications(period, actor=None, rate=1, seed=1)
    inspection = inspect(district.premises_a, actor=personas.grid_worker, fail=("EXIT-01",))
    verification = Verification.objects.get(contradicted=True)
    entry = only(district.landlord_a, PointsRule.FALSE_SELF_REPORT)
    assert (entry.amount, entry.source) == (-10, verification)
    assert entry.source_url == reverse("inspections:inspection_detail", args=[inspection.pk])
    assert "EXIT-01" in entry.reason
    self_inspection_contradicted.send(
        sender=Verification, verification=verification, actor=personas.grid_worker
    )
    assert len(entries(rule=PointsRule.FALSE_SELF_REPORT)) == 1


# --- rectification ------------------------------------------------------------------------------------------


def test_a_plan_accepted_before_its_deadline_earns_points_linked_to_the_move(district, personas, checklist):
    plan = accepted_plan(district.premises_a, personas)
    assert plan.state == PlanState.ACCEPTED
    move = PlanMove.objects.get(plan=plan, name=MoveName.ACCEPT)
    entry = only(district.landlord_a, PointsRule.FIXED_BEFORE_DEADLINE)
    assert (entry.amount, entry.source) == (5, move)
    assert entry.source_url == reverse("rectification:plan_detail", args=[plan.pk])
    plan_moved.send(sender=Plan, plan=plan, move=MoveName.ACCEPT, actor=personas.grid_worker)
    assert len(entries(rule=PointsRule.FIXED_BEFORE_DEADLINE)) == 1


def test_a_plan_accepted_after_its_deadline_earns_nothing(district, personas, checklist):
    gw = personas.grid_worker
    plan = plans.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)
    plans.start_rectification(plan, actor=gw)
    plans.request_recheck(plan, actor=gw)
    Plan.objects.filter(pk=plan.pk).update(deadline=TODAY - dt.timedelta(days=1))
    inspect(district.premises_a, actor=gw, kind=InspectionKind.ACCEPTANCE)
    assert Plan.objects.get(pk=plan.pk).state == PlanState.ACCEPTED
    assert entries(rule=PointsRule.FIXED_BEFORE_DEADLINE) == []


def test_overdue_and_enforcement_each_cost_points_once_per_move(district, personas, checklist):
    gw, fire = personas.grid_worker, personas.fire_officer
    plan = plans.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)
    EscalationStep.objects.create(district=district.d, days_overdue=3, move=MoveName.ESCALATE)
    assert plans.mark_overdue(plan.deadline + dt.timedelta(days=1)) == 1
    overdue = only(district.landlord_a, PointsRule.OVERDUE)
    assert (overdue.amount, overdue.source) == (
        -5,
        PlanMove.objects.get(plan=plan, name=MoveName.MARK_OVERDUE),
    )
    assert plans.apply_escalation_ladder(plan.deadline + dt.timedelta(days=3)) == 1
    plan.refresh_from_db()
    plans.enforce_plan(plan, actor=fire, reason="拒不整改")
    enforced = only(district.landlord_a, PointsRule.ENFORCEMENT)
    assert (enforced.amount, enforced.source.name) == (-10, MoveName.ENFORCE)
    plan_moved.send(sender=Plan, plan=plan, move=MoveName.ENFORCE, actor=fire)
    plan_moved.send(sender=Plan, plan=plan, move=MoveName.MARK_OVERDUE, actor=None)
    assert len(entries(district.landlord_a)) == 2
    assert services.landlord_points(district.landlord_a, TODAY.year) == 85


def test_a_plan_overdue_twice_costs_points_twice(district, personas, checklist):
    gw = personas.grid_worker
    plan = plans.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)
    assert plans.mark_overdue(plan.deadline + dt.timedelta(days=1)) == 1
    plan.refresh_from_db()
    plans.extend_plan(
        plan, actor=personas.community_officer, reason="材料未到", deadline=TODAY + dt.timedelta(days=10)
    )
    plan.refresh_from_db()
    assert plans.mark_overdue(plan.deadline + dt.timedelta(days=1)) == 1
    assert len(entries(district.landlord_a, PointsRule.OVERDUE)) == 2


# --- repeat hazards -----------------------------------------------------------------------------------------


def test_a_hazard_found_again_within_a_year_of_its_removal_costs_points(district, personas, checklist):
    accepted_plan(district.premises_a, personas, fail=("SEP-01",))
    removed = Hazard.objects.get(item__code="SEP-01", premises=district.premises_a)
    assert removed.status == HazardStatus.ACCEPTED
    again = inspect(district.premises_a, actor=personas.grid_worker, fail=("SEP-01", "EXIT-03"))
    repeat = Hazard.objects.get(inspection=again, item__code="SEP-01")
    entry = only(district.landlord_a, PointsRule.REPEAT_HAZARD)
    assert (entry.amount, entry.source, entry.premises) == (-5, repeat, district.premises_a)
    assert entry.source_url == reverse("inspections:hazard_detail", args=[repeat.pk])
    assert "SEP-01" in entry.reason
    inspection_submitted.send(sender=type(again), inspection=again, actor=personas.grid_worker)
    assert len(entries(rule=PointsRule.REPEAT_HAZARD)) == 1


def test_a_hazard_removed_more_than_a_year_before_or_on_another_item_is_no_repeat(
    district, personas, checklist
):
    gw = personas.grid_worker
    first = inspect(district.premises_a, actor=gw, fail=("SEP-01", "EXIT-03"))
    Hazard.objects.filter(inspection=first, item__code="SEP-01").update(
        status=HazardStatus.ACCEPTED, closed_at=timezone.now() - dt.timedelta(days=400)
    )
    Hazard.objects.filter(inspection=first, item__code="EXIT-03").update(
        status=HazardStatus.VOID, closed_at=timezone.now() - dt.timedelta(days=10)
    )
    inspect(district.premises_a, actor=gw, fail=("SEP-01", "EXIT-03", "EXIT-01"))
    inspect(district.premises_b, actor=personas.outsider, fail=("SEP-01",))
    assert entries(rule=PointsRule.REPEAT_HAZARD) == []


# --- tenant moves -------------------------------------------------------------------------------------------


def move_in(premises, actor, days_ago: int) -> TenantHousehold:
    return registry.register_move_in(
        premises,
        head_name="陈新来",
        id_number=t.valid_id_number(),
        people=2,
        moved_in=TODAY - dt.timedelta(days=days_ago),
        actor=actor,
    )


def test_a_move_in_reported_by_the_landlord_in_time_earns_a_point(district, personas):
    household = move_in(district.premises_a, personas.landlord, 1)
    entry = only(district.landlord_a, PointsRule.TENANT_ON_TIME)
    assert (entry.amount, entry.source) == (1, household)
    assert entry.source_url == reverse("registry:tenanthousehold_detail", args=[household.pk])
    tenant_moved.send(sender=TenantHousehold, household=household, move="in", actor=personas.landlord)
    assert len(entries()) == 1


def test_a_move_in_found_at_a_visit_after_the_days_allowed_costs_points(district, personas):
    late = settings.FIREGRID_TENANT_REPORT_DAYS + 2
    household = move_in(district.premises_a, personas.grid_worker, late)
    entry = only(district.landlord_a, PointsRule.TENANT_LATE)
    assert (entry.amount, entry.source) == (-3, household)
    assert "走访时发现未按时登记" in entry.reason


def test_a_late_report_by_the_landlord_or_a_timely_one_by_staff_is_neither(district, personas):
    late = settings.FIREGRID_TENANT_REPORT_DAYS + 2
    move_in(district.premises_a, personas.landlord, late)
    move_in(district.shop_a, personas.grid_worker, 0)
    household = move_in(district.premises_a, personas.landlord, 0)
    registry.register_move_out(household, TODAY, actor=personas.landlord)
    assert [e.rule for e in entries()] == [PointsRule.TENANT_ON_TIME]


# --- patrols ------------------------------------------------------------------------------------------------


def test_landlords_who_took_part_in_a_patrol_earn_points_staff_nothing(district, personas):
    volunteer = t.make_user("volunteer", Role.LANDLORD, landlord=district.landlord_b)
    patrol = make_patrol(district.grid_a, personas.grid_worker)
    for _ in range(2):
        patrol_completed.send(
            sender=Patrol,
            patrol=patrol,
            participants=[personas.landlord, volunteer, personas.grid_worker],
            actor=personas.grid_worker,
        )
    assert sorted(e.landlord_id for e in entries(rule=PointsRule.PATROL_PARTICIPATION)) == sorted(
        [district.landlord_a.pk, district.landlord_b.pk]
    )
    entry = only(district.landlord_b, PointsRule.PATROL_PARTICIPATION)
    assert (entry.amount, entry.source, entry.premises) == (3, patrol, None)


# --- the rule set -------------------------------------------------------------------------------------------


def test_a_rule_the_district_set_to_zero_writes_nothing(district, personas):
    rule_set = services.default_rule_set()
    draft = services.create_rule_set_draft(rule_set, code="points-2026.2", actor=personas.admin)
    services.update_rule_set_parameters(draft, {"amounts": {"tenant_on_time": 0}}, actor=personas.admin)
    services.publish_rule_set(draft, actor=personas.admin)
    move_in(district.premises_a, personas.landlord, 0)
    assert entries() == []


def test_entries_keep_the_rule_set_version_their_amount_came_from(district, personas):
    move_in(district.premises_a, personas.landlord, 0)
    draft = services.create_rule_set_draft(
        services.default_rule_set(), code="points-2026.2", actor=personas.admin
    )
    services.update_rule_set_parameters(draft, {"amounts": {"tenant_on_time": 4}}, actor=personas.admin)
    services.publish_rule_set(draft, actor=personas.admin)
    move_in(district.shop_a, personas.landlord, 0)
    assert [(e.amount, e.rule_set.code) for e in entries()] == [(1, "points-2026.1"), (4, "points-2026.2")]
