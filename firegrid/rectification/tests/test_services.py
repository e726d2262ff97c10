"""The plan's life: made from hazards, notified, signed, rechecked, accepted; overdue, escalated,
enforced; every illegal move refused with a message naming the state and what is allowed."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from firegrid.core.models import AuditAction, AuditEntry
from firegrid.inspections.choices import HazardStatus, InspectionKind
from firegrid.inspections.models import Hazard
from firegrid.rectification import services as s
from firegrid.rectification.choices import DocumentKind, MoveName, PlanState
from firegrid.rectification.machine import IllegalMove
from firegrid.rectification.models import EscalationStep, Plan
from firegrid.rectification.testing import FAILING, inspect, plan_with_hazards

pytestmark = pytest.mark.django_db


def test_plan_takes_the_open_hazards_with_measures_and_deadlines_from_the_checklist(
    checklist, district, personas
):
    gw = personas.grid_worker
    plan = plan_with_hazards(district.premises_a, actor=gw)
    items = {i.hazard.item.code: i for i in plan.items.select_related("hazard__item")}
    assert set(items) == set(FAILING)
    sep = items["SEP-01"]
    # 整改措施 and 验收标准 are the checklist's two distinct texts, not one repeated.
    assert sep.measure == sep.hazard.item.measure and sep.acceptance == sep.hazard.item.acceptance
    assert sep.measure and sep.measure != sep.acceptance
    assert sep.deadline == dt.date.today() + dt.timedelta(days=7) or sep.deadline >= dt.date.today()
    assert plan.deadline == max(i.deadline for i in items.values())
    assert plan.state == PlanState.DRAFT
    assert plan.landlord == district.landlord_a
    assert list(plan.moves.values_list("name", flat=True)) == [MoveName.CREATE]


def test_an_item_without_a_measure_text_falls_back_to_its_acceptance_standard(checklist, district, personas):
    from firegrid.inspections.models import ChecklistItem

    ChecklistItem.objects.filter(code="SEP-01").update(measure="")
    plan = plan_with_hazards(district.premises_a, actor=personas.grid_worker)
    sep = plan.items.select_related("hazard__item").get(hazard__item__code="SEP-01")
    assert sep.measure == sep.acceptance == sep.hazard.item.acceptance


def test_one_open_plan_per_premises(checklist, district, personas):
    gw = personas.grid_worker
    plan_with_hazards(district.premises_a, actor=gw)
    with pytest.raises(ValidationError) as exc:
        s.create_plan(district.premises_a, actor=gw)
    assert "hazards" in exc.value.message_dict or "premises" in exc.value.message_dict


def test_the_whole_way_to_acceptance(checklist, district, personas):
    gw, landlord = personas.grid_worker, personas.landlord
    plan = plan_with_hazards(district.premises_a, actor=gw)
    plan = s.notify_plan(plan, actor=gw)
    assert plan.state == PlanState.NOTIFIED
    assert set(plan.items.values_list("hazard__status", flat=True)) == {HazardStatus.IN_RECTIFICATION}
    notice = plan.documents.get(kind=DocumentKind.NOTICE)
    assert notice.serial.endswith("第0001号") and notice.content["hazards"]
    s.sign_pledge(plan, actor=landlord, name="张建国", ip="10.0.0.8")
    plan.refresh_from_db()
    assert plan.state == PlanState.RECTIFYING
    with pytest.raises(ValidationError, match="不能重复签署"):
        s.sign_pledge(plan, actor=landlord, name="张建国", ip="10.0.0.8")
    s.request_recheck(plan, actor=landlord)
    inspect(district.premises_a, actor=gw, kind=InspectionKind.ACCEPTANCE)
    plan.refresh_from_db()
    assert plan.state == PlanState.ACCEPTED
    assert plan.documents.filter(kind=DocumentKind.ACCEPTANCE).exists()
    assert not plan.items.exclude(hazard__status=HazardStatus.ACCEPTED).exists()
    assert list(plan.moves.values_list("to_state", flat=True)) == [
        PlanState.DRAFT,
        PlanState.NOTIFIED,
        PlanState.RECTIFYING,
        PlanState.RECHECK_REQUESTED,
        PlanState.ACCEPTED,
    ]


def test_failed_recheck_returns_to_rectifying_with_a_new_deadline(checklist, district, personas):
    gw = personas.grid_worker
    plan = s.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)
    s.start_rectification(plan, actor=gw)
    s.request_recheck(plan, actor=gw)
    inspect(district.premises_a, actor=gw, kind=InspectionKind.ACCEPTANCE, fail=["SEP-01"])
    plan.refresh_from_db()
    assert plan.state == PlanState.RECTIFYING
    last = plan.moves.last()
    assert last.name == MoveName.FAIL_RECHECK and "SEP-01" in last.reason and last.deadline > dt.date.today()


def test_acceptance_without_a_recheck_is_refused(checklist, district, personas):
    gw = personas.grid_worker
    plan = s.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)
    acceptance = inspect(district.premises_a, actor=gw, kind=InspectionKind.ACCEPTANCE)
    plan.refresh_from_db()
    assert plan.state == PlanState.NOTIFIED  # the acceptance did not close the plan by itself
    with pytest.raises(IllegalMove) as exc:
        s.accept_plan(plan, acceptance, actor=gw)
    assert "已送达通知" in exc.value.messages[0] and "开始整改" in exc.value.messages[0]


def test_deadline_before_the_notice_date_is_refused(checklist, district, personas):
    gw = personas.grid_worker
    with pytest.raises(ValidationError) as exc:
        plan_with_hazards(district.premises_a, actor=gw)
        s.create_plan(district.premises_a, actor=gw, deadline=dt.date.today() - dt.timedelta(days=1))
    assert "deadline" in exc.value.message_dict or "hazards" in exc.value.message_dict
    plan = Plan.objects.get()
    with pytest.raises(ValidationError) as exc:
        s.update_plan(
            plan,
            {"deadline": dt.date.today() - dt.timedelta(days=1)},
            actor=gw,
            expected_version=plan.version,
        )
    assert "早于通知日期" in exc.value.message_dict["deadline"][0]


def test_overdue_escalation_and_enforcement(checklist, district, personas):
    gw, fire = personas.grid_worker, personas.fire_officer
    plan = s.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)
    step = EscalationStep.objects.create(district=district.d, days_overdue=3, move=MoveName.ESCALATE)
    step.departments.add(district.fire)
    assert s.mark_overdue(plan.deadline) == 0
    assert s.mark_overdue(plan.deadline + dt.timedelta(days=1)) == 1
    assert s.mark_overdue(plan.deadline + dt.timedelta(days=1)) == 0  # idempotent
    plan.refresh_from_db()
    assert plan.state == PlanState.OVERDUE
    assert s.apply_escalation_ladder(plan.deadline + dt.timedelta(days=2)) == 0
    assert s.apply_escalation_ladder(plan.deadline + dt.timedelta(days=3)) == 1
    assert s.apply_escalation_ladder(plan.deadline + dt.timedelta(days=3)) == 0
    plan.refresh_from_db()
    assert plan.state == PlanState.ESCALATED and list(plan.escalated_to.all()) == [district.fire]
    s.record_enforcement(
        district.premises_a,
        {"kind": "no_entry", "date": dt.date.today()},
        actor=fire,
        plan=plan,
    )
    plan.refresh_from_db()
    assert plan.state == PlanState.ESCALATED  # a shut door is a step, not a sanction
    with pytest.raises(ValidationError) as exc:
        s.record_enforcement(
            district.premises_a,
            {"kind": "sealing", "date": dt.date.today(), "period_days": 45, "legal_basis": "消防法第七十条"},
            actor=fire,
            plan=plan,
        )
    assert "period_days" in exc.value.message_dict
    s.record_enforcement(
        district.premises_a,
        {"kind": "fine", "date": dt.date.today(), "fine_amount": 500, "legal_basis": "消防法第六十条"},
        actor=fire,
        plan=plan,
    )
    plan.refresh_from_db()
    assert plan.state == PlanState.ENFORCEMENT
    s.resume_plan(plan, actor=fire, deadline=dt.date.today() + dt.timedelta(days=5), reason="罚款后限期整改")
    plan.refresh_from_db()
    assert plan.state == PlanState.RECTIFYING


def test_cancel_needs_a_reason_and_a_supervisor(checklist, district, personas):
    gw = personas.grid_worker
    plan = plan_with_hazards(district.premises_a, actor=gw)
    with pytest.raises(PermissionDenied):
        s.cancel_plan(plan, actor=gw, reason="已拆除")
    with pytest.raises(ValidationError) as exc:
        s.cancel_plan(plan, actor=personas.community_officer, reason=" ")
    assert "reason" in exc.value.message_dict
    plan = s.cancel_plan(plan, actor=personas.community_officer, reason="房屋已拆除")
    assert plan.state == PlanState.CANCELLED and plan.cancel_reason == "房屋已拆除"


def test_a_stale_version_is_a_conflict(checklist, district, personas):
    from firegrid.core.services import ConcurrentEditError

    gw = personas.grid_worker
    plan = plan_with_hazards(district.premises_a, actor=gw)
    stale = plan.version
    s.notify_plan(plan, actor=gw, expected_version=stale)
    with pytest.raises(ConcurrentEditError):
        s.cancel_plan(plan, actor=personas.community_officer, reason="x", expected_version=stale)
    with pytest.raises(IllegalMove, match="已送达通知"):
        s.notify_plan(plan, actor=gw)


def test_outsider_and_other_landlord_cannot_touch_the_plan(checklist, district, personas):
    from firegrid import testing as t
    from firegrid.areas.choices import Role

    gw = personas.grid_worker
    plan = s.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)
    with pytest.raises(PermissionDenied):
        s.start_rectification(plan, actor=personas.outsider)
    other = t.make_user("landlord-b", Role.LANDLORD, landlord=district.landlord_b)
    with pytest.raises(PermissionDenied):
        s.sign_pledge(plan, actor=other, name="李秀英", ip=None)
    assert not Plan.objects.visible_to(other).exists()
    assert Plan.objects.visible_to(personas.landlord).get() == plan
    assert Plan.objects.visible_to(personas.liaison).get() == plan
    assert not Plan.objects.visible_to(personas.other_liaison).exists()


def test_reissue_is_refused_after_acceptance(checklist, district, personas):
    gw = personas.grid_worker
    plan = s.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)
    notice = plan.documents.get()
    new = s.reissue_document(notice, actor=gw, reason="地址更正")
    notice.refresh_from_db()
    assert notice.status == "superseded" and new.supersedes == notice and new.serial != notice.serial
    s.start_rectification(plan, actor=gw)
    s.request_recheck(plan, actor=gw)
    inspect(district.premises_a, actor=gw, kind=InspectionKind.ACCEPTANCE)
    with pytest.raises(ValidationError, match="已验收"):
        s.reissue_document(new, actor=gw, reason="再次更正")


@time_machine.travel(dt.datetime(2019, 10, 8, 9, 0, tzinfo=dt.UTC))
def test_serials_count_per_kind_and_year(checklist, district, personas):
    gw = personas.grid_worker
    s.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)
    s.notify_plan(
        plan_with_hazards(district.premises_b, actor=personas.outsider), actor=personas.outsider, order=True
    )
    serials = set(
        __import__("firegrid").rectification.models.Document.objects.values_list("serial", flat=True)
    )
    assert serials == {"衢江消整〔2019〕第0001号", "衢江消责〔2019〕第0001号"}


# --- hazards move with their plan, versioned and audited ---------------------------------------------------


def test_serving_the_notice_moves_its_hazards_with_a_new_version_and_an_audit_entry(
    checklist, district, personas
):
    gw = personas.grid_worker
    plan = plan_with_hazards(district.premises_a, actor=gw)
    hazards = list(Hazard.objects.filter(plan_items__plan=plan).order_by("pk"))
    read = {h.pk: h.version for h in hazards}
    s.notify_plan(plan, actor=gw)
    for hazard in hazards:
        hazard.refresh_from_db()
        assert (hazard.status, hazard.version) == (HazardStatus.IN_RECTIFICATION, read[hazard.pk] + 1)
        entry = AuditEntry.objects.for_object(hazard).get(action=AuditAction.UPDATE)
        assert (entry.before["status"], entry.after["status"]) == ("open", "in_rectification")
        assert (entry.before["version"], entry.after["version"]) == (read[hazard.pk], read[hazard.pk] + 1)
        assert (entry.actor, entry.premises_id, entry.reason) == (gw, plan.premises_id, "送达通知")


def test_a_hazard_found_later_joins_the_running_plan_versioned_and_audited(checklist, district, personas):
    gw = personas.grid_worker
    plan = s.notify_plan(plan_with_hazards(district.premises_a, actor=gw, fail=("SEP-01",)), actor=gw)
    inspect(district.premises_a, actor=gw, kind=InspectionKind.PATROL, fail=("SEP-01", "EXIT-03"))
    (found,) = Hazard.objects.filter(premises=district.premises_a, item__code="EXIT-03")
    assert plan.items.filter(hazard=found).exists()
    assert found.status == HazardStatus.IN_RECTIFICATION and found.version == 2
    moved = AuditEntry.objects.for_object(found).get(action=AuditAction.UPDATE)
    assert (moved.before["status"], moved.after["status"]) == ("open", "in_rectification")
    assert moved.actor is None and moved.actor_name == "system"  # the inspection's result, not a person's
