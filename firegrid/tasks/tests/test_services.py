"""Tasks: routing down only to direct children, escalating to the parent, scope, replies, overdue, and the
joint-team task an escalated plan opens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from firegrid import testing as t
from firegrid.areas.choices import DepartmentKind, Role
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.rectification import services as plans
from firegrid.rectification.choices import MoveName, PlanState
from firegrid.rectification.models import EscalationStep, Plan
from firegrid.rectification.testing import plan_with_hazards
from firegrid.tasks import services
from firegrid.tasks.choices import ReplyKind, TaskKind, TaskStatus
from firegrid.tasks.models import Task


@pytest.fixture
def next_week(today) -> dt.date:
    return today + dt.timedelta(days=7)


def community_task(district, personas, **kw) -> Task:
    """A task of community C1, due a week from the day it is made."""
    due_on = timezone.localdate() + dt.timedelta(days=7)
    data = {"title": "排查樟树潭社区群租房", "area": district.c1, "due_on": due_on, **kw}
    return services.create_task(data, actor=personas.community_officer)


def test_create_is_audited_and_needs_an_area_in_scope(district, personas, today, next_week):
    task = community_task(district, personas)
    assert task.origin_area == district.c1 and task.status == TaskStatus.OPEN
    assert AuditEntry.objects.for_object(task).get().action == AuditAction.CREATE
    with pytest.raises(ValidationError) as exc:
        services.create_task(
            {"title": "x", "area": district.c2, "due_on": next_week}, actor=personas.community_officer
        )
    assert "浮石社区" in exc.value.message_dict["area"][0]
    with pytest.raises(ValidationError) as exc:
        services.create_task(
            {"title": "x", "area": district.c1, "due_on": today - dt.timedelta(days=1)},
            actor=personas.community_officer,
        )
    assert "due_on" in exc.value.message_dict


def test_routing_down_creates_a_subtask_per_child_area(district, personas):
    task = community_task(district, personas)
    children = services.route_task(
        task, [district.grid_a, district.grid_a2], actor=personas.community_officer, note="本周内完成"
    )
    assert {c.area for c in children} == {district.grid_a, district.grid_a2}
    assert all(
        c.parent == task and c.origin_area == district.c1 and c.due_on == task.due_on for c in children
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    assert task.replies.get().kind == ReplyKind.ROUTED
    # The same area twice while its sub-task is open is refused.
    with pytest.raises(ValidationError) as exc:
        services.route_task(task, [district.grid_a], actor=personas.community_officer)
    assert "已交办" in exc.value.message_dict["areas"][0]


def test_routing_only_to_direct_children_names_the_allowed_areas(district, personas, next_week):
    task = services.create_task(
        {"title": "街道任务", "area": district.s1, "due_on": next_week}, actor=personas.subdistrict_officer
    )
    with pytest.raises(ValidationError) as exc:
        services.route_task(task, [district.grid_a], actor=personas.subdistrict_officer)
    message = exc.value.message_dict["areas"][0]
    assert "樟树潭社区" in message and "樟树潭一网格" in message
    with pytest.raises(ValidationError) as exc:
        services.route_task(task, [district.c2], actor=personas.subdistrict_officer)
    assert "浮石社区" in exc.value.message_dict["areas"][0]
    assert not Task.objects.filter(parent=task).exists()
    # A sub-task may not be due after its parent.
    with pytest.raises(ValidationError) as exc:
        services.route_task(
            task, [district.c1], actor=personas.subdistrict_officer, due_on=next_week + dt.timedelta(days=1)
        )
    assert "due_on" in exc.value.message_dict


def test_a_district_department_routes_to_the_subdistricts(district, personas, next_week):
    task = services.create_task(
        {"title": "消防宣传月", "department": district.fire, "due_on": next_week}, actor=personas.fire_officer
    )
    assert task.origin_department == district.fire
    children = services.route_task(task, [district.s1, district.s2], actor=personas.fire_officer)
    assert {c.area for c in children} == {district.s1, district.s2}
    # The department keeps sight of the chain it started, a level further down too.
    grand = services.route_task(children[0], [district.c1], actor=personas.subdistrict_officer)
    assert Task.objects.visible_to(personas.fire_officer).filter(pk=grand[0].pk).exists()
    with pytest.raises(ValidationError):
        services.route_task(task, [district.c1], actor=personas.fire_officer)


def test_escalation_goes_to_the_parent_with_a_reason(district, personas):
    task = community_task(district, personas)
    grid_task = services.route_task(task, [district.grid_a], actor=personas.community_officer)[0]
    services.assign_task(grid_task, personas.grid_worker, actor=personas.community_officer)
    with pytest.raises(ValidationError) as exc:
        services.escalate_task(grid_task, actor=personas.grid_worker, reason="  ")
    assert "reason" in exc.value.message_dict
    grid_task = services.escalate_task(grid_task, actor=personas.grid_worker, reason="房东拒不开门")
    assert (
        grid_task.area == district.c1 and grid_task.assignee is None and grid_task.status == TaskStatus.OPEN
    )
    reply = grid_task.replies.filter(kind=ReplyKind.ESCALATED).get()
    assert "房东拒不开门" in reply.text and "樟树潭一网格" in reply.text
    assert AuditEntry.objects.for_object(grid_task).filter(reason="房东拒不开门").exists()
    # Up to the subdistrict, the district, then no further.
    services.escalate_task(grid_task, actor=personas.community_officer, reason="需街道协调")
    services.escalate_task(grid_task, actor=personas.subdistrict_officer, reason="需区级协调")
    grid_task.refresh_from_db()
    assert grid_task.area == district.d
    with pytest.raises(ValidationError) as exc:
        services.escalate_task(grid_task, actor=personas.commander, reason="再上报")
    assert "最高层级" in exc.value.message_dict["reason"][0]


def test_only_the_holders_people_take_steps(district, personas, next_week):
    task = community_task(district, personas)
    grid_task = services.route_task(task, [district.grid_a], actor=personas.community_officer)[0]
    # The community's own task is held above the grid: the grid worker does not see it.
    assert not Task.objects.visible_to(personas.grid_worker).filter(pk=task.pk).exists()
    services.escalate_task(grid_task, actor=personas.grid_worker, reason="无法处理")
    # A department officer neither holds nor takes part in it.
    with pytest.raises(PermissionDenied):
        services.route_task(task, [district.grid_a2], actor=personas.fire_officer)
    other = t.make_user("other_grid", Role.GRID_WORKER, [district.grid_a2])
    mine = services.create_task(
        {"title": "网格自查", "area": district.grid_a, "due_on": next_week}, actor=personas.grid_worker
    )
    with pytest.raises(PermissionDenied):
        services.complete_task(mine, actor=other)
    with pytest.raises(ValidationError) as exc:
        services.assign_task(mine, other, actor=personas.grid_worker)
    assert "assignee" in exc.value.message_dict


def test_scope_a_grid_worker_sees_their_grids_tasks_not_another_grids(district, personas, next_week):
    task = community_task(district, personas)
    a, a2 = services.route_task(task, [district.grid_a, district.grid_a2], actor=personas.community_officer)
    b = services.create_task(
        {"title": "浮石任务", "area": district.grid_b, "due_on": next_week}, actor=personas.outsider
    )
    seen = set(Task.objects.visible_to(personas.grid_worker).values_list("pk", flat=True))
    assert a.pk in seen and a2.pk not in seen and b.pk not in seen and task.pk not in seen
    assert set(Task.objects.visible_to(personas.community_officer).values_list("pk", flat=True)) == {
        task.pk,
        a.pk,
        a2.pk,
    }
    assert b.pk in set(Task.objects.visible_to(personas.commander).values_list("pk", flat=True))
    # A department officer sees their department's tasks only, not the area chain's.
    assert not Task.objects.visible_to(personas.fire_officer).exists()
    assert not Task.objects.visible_to(personas.liaison).exists()
    assert set(Task.objects.held_by(personas.grid_worker).values_list("pk", flat=True)) == {a.pk}


def test_replies_and_done(district, personas, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    task = community_task(district, personas)
    with pytest.raises(ValidationError):
        services.add_reply(task, actor=personas.community_officer, text=" ")
    reply = services.add_reply(
        task,
        actor=personas.community_officer,
        text="已通知各网格",
        attachment=SimpleUploadedFile("名单.xlsx", t.sample_xlsx()),
    )
    assert reply.author == personas.community_officer and reply.attachment_name == "名单.xlsx"
    assert reply.attachment.name.endswith(".xlsx")  # stored under the type read from its content
    with pytest.raises(PermissionDenied):
        services.add_reply(task, actor=personas.outsider, text="看不到的任务")
    child = services.route_task(task, [district.grid_a], actor=personas.community_officer)[0]
    with pytest.raises(ValidationError) as exc:
        services.complete_task(task, actor=personas.community_officer)
    assert "樟树潭一网格" in exc.value.message_dict["status"][0]
    services.complete_task(child, actor=personas.grid_worker, note="已完成")
    task = services.complete_task(task, actor=personas.community_officer)
    assert task.status == TaskStatus.DONE and task.closed_at is not None
    with pytest.raises(ValidationError):
        services.escalate_task(task, actor=personas.community_officer, reason="x")


def test_cancel_takes_open_subtasks_with_it(district, personas):
    task = community_task(district, personas)
    a, a2 = services.route_task(task, [district.grid_a, district.grid_a2], actor=personas.community_officer)
    services.complete_task(a, actor=personas.grid_worker)
    services.cancel_task(task, actor=personas.community_officer, reason="任务调整")
    a.refresh_from_db()
    a2.refresh_from_db()
    assert (a.status, a2.status) == (TaskStatus.DONE, TaskStatus.CANCELLED)


def test_overdue_is_computed(district, personas, today):
    task = community_task(district, personas)
    assert not task.overdue
    Task.objects.filter(pk=task.pk).update(due_on=today - dt.timedelta(days=1))
    task.refresh_from_db()
    assert task.overdue and task.is_overdue(today)
    assert not task.is_overdue(today - dt.timedelta(days=2))
    assert list(Task.objects.overdue()) == [task]
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE)
    assert not Task.objects.overdue().exists()


# --- joint teams -------------------------------------------------------------------------------------------


@pytest.fixture
def overdue_plan(district, personas, checklist, today):
    plan = plan_with_hazards(district.premises_a, actor=personas.grid_worker)
    plans.notify_plan(plan, actor=personas.grid_worker)
    Plan.objects.filter(pk=plan.pk).update(deadline=today - dt.timedelta(days=10))
    plans.mark_overdue(today)
    plan.refresh_from_db()
    assert plan.state == PlanState.OVERDUE
    return plan


def test_escalating_a_plan_opens_one_joint_team_task(district, personas, overdue_plan):
    housing = t.make_department("衢江区住建局", DepartmentKind.HOUSING)
    plans.escalate_plan(
        overdue_plan,
        actor=personas.subdistrict_officer,
        reason="屡次催告未整改",
        departments=[district.fire, housing],
    )
    task = Task.objects.get(plan=overdue_plan)
    assert task.kind == TaskKind.JOINT_TEAM and task.area == district.s1
    assert set(task.departments.all()) == {district.fire, housing}
    assert task.premises == district.premises_a and task.body == "屡次催告未整改"
    assert task.created_by == personas.subdistrict_officer
    # The departments taking part see it and act on it; another grid does not see it.
    assert Task.objects.visible_to(personas.fire_officer).filter(pk=task.pk).exists()
    assert services.acts_for(personas.fire_officer, task)
    assert not Task.objects.visible_to(personas.outsider).filter(pk=task.pk).exists()
    assert AuditEntry.objects.for_object(task).get().action == AuditAction.CREATE


def test_a_plan_escalated_again_keeps_its_open_joint_team(district, personas, overdue_plan, today):
    """The machine lets a plan be escalated again (enforcement → resumed → overdue → escalated); while the
    first joint team is at work no second task opens — a line in its thread says so."""
    plans.escalate_plan(
        overdue_plan, actor=personas.subdistrict_officer, reason="第一次", departments=[district.fire]
    )
    plans.enforce_plan(overdue_plan, actor=personas.subdistrict_officer, reason="转执法")
    plans.resume_plan(overdue_plan, actor=personas.subdistrict_officer, reason="房东承诺整改", deadline=today)
    Plan.objects.filter(pk=overdue_plan.pk).update(deadline=today - dt.timedelta(days=3))
    plans.mark_overdue(today)
    plans.escalate_plan(overdue_plan, actor=personas.subdistrict_officer, reason="第二次")
    task = Task.objects.get(plan=overdue_plan)
    assert task.replies.filter(kind=ReplyKind.REESCALATED, text="第二次").exists()
    # Once that team has finished, a new escalation opens a new task.
    services.complete_task(task, actor=personas.fire_officer)
    plans.enforce_plan(overdue_plan, actor=personas.subdistrict_officer, reason="转执法")
    plans.resume_plan(overdue_plan, actor=personas.subdistrict_officer, reason="再给机会", deadline=today)
    Plan.objects.filter(pk=overdue_plan.pk).update(deadline=today - dt.timedelta(days=3))
    plans.mark_overdue(today)
    plans.escalate_plan(overdue_plan, actor=personas.subdistrict_officer, reason="第三次")
    assert Task.objects.filter(plan=overdue_plan).count() == 2
    assert Task.objects.filter(plan=overdue_plan).open().count() == 1


def test_the_ladder_opens_the_joint_team_with_its_departments_and_due_date(
    district, personas, overdue_plan, today
):
    escalate = EscalationStep.objects.create(district=district.d, days_overdue=3, move=MoveName.ESCALATE)
    escalate.departments.add(district.fire)
    EscalationStep.objects.create(district=district.d, days_overdue=20, move=MoveName.ENFORCE)
    assert plans.apply_escalation_ladder(today) == 1
    task = Task.objects.get(plan=overdue_plan)
    assert task.created_by is None and list(task.departments.all()) == [district.fire]
    # Due when the ladder would move the plan into enforcement: deadline + 20 days.
    assert task.due_on == today - dt.timedelta(days=10) + dt.timedelta(days=20)
    assert plans.apply_escalation_ladder(today) == 0
    assert Task.objects.filter(plan=overdue_plan).count() == 1


def test_other_moves_open_no_task(district, personas, overdue_plan, next_week):
    plans.extend_plan(overdue_plan, actor=personas.subdistrict_officer, reason="延期", deadline=next_week)
    assert not Task.objects.exists()
