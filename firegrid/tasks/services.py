"""Task operations: create, edit, route down to child areas, escalate to the parent, assign, start, finish,
cancel, reply; and the joint-team task an escalated rectification plan opens.

Each function checks the actor (role, scope, and that they act for the task's holder), runs in one
transaction and writes the audit entry; steps are also written to the task's thread (TaskReply), so the
task page reads as its history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from firegrid.areas.choices import AREA_ROLES, AreaLevel, Role
from firegrid.areas.models import Area, Department
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action, can
from firegrid.core.services import (
    lock_in_scope,
    record_change,
    require,
    require_visible,
    save_update,
    snapshot,
    update_record,
)
from firegrid.core.tables import enumerate_items
from firegrid.core.uploads import UploadKind, check_upload, stored_name, upload_name

from .choices import OPEN_STATUSES, ReplyKind, TaskKind, TaskStatus
from .models import ALL_TASKS_ROLES, Task, TaskReply

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from firegrid.areas.models import User
    from firegrid.rectification.models import Plan

# A joint team's time when the district's ladder has no enforcement rung to set it (a week, the usual
# term of a 联合处置 in the 2019 campaign).
JOINT_TEAM_DAYS = 7

# --- who acts for a task ---------------------------------------------------------------------------------


def acts_for(user: User, task: Task) -> bool:
    """May this person act for the task's holder (route, escalate, assign, finish it)? The command for
    any task; an area role for tasks held inside their areas; a department officer for their department's
    tasks and the joint teams it takes part in."""
    if not getattr(user, "is_authenticated", False) or not can(user, Action.CHANGE, Task):
        return False
    if user.is_superuser or user.role in ALL_TASKS_ROLES:
        return True
    if user.role in AREA_ROLES and task.area_id and task.area is not None:
        area = task.area
        return any(area.path.startswith(path) for path in user.scope_paths)
    if user.role == Role.DEPARTMENT_OFFICER and user.department_id:
        if task.department_id == user.department_id:
            return True
        return task.departments.filter(pk=user.department_id).exists()
    return False


def _require_acts_for(user: User, task: Task, *, or_assignee: bool = False) -> None:
    if acts_for(user, task) or (or_assignee and task.assignee_id == user.pk):
        return
    raise PermissionDenied(_("只有承办单位（%(holder)s）的人员可以办理该任务。") % {"holder": task.holder})


def _require_open(task: Task, verb: str) -> None:
    if task.status not in OPEN_STATUSES:
        raise ValidationError(
            {
                "status": _("任务当前状态为“%(status)s”，不能%(verb)s。")
                % {"status": task.get_status_display(), "verb": verb}
            }
        )


def _check_due(due_on: dt.date | None, *, field: str = "due_on", latest: dt.date | None = None) -> None:
    if due_on is None:
        raise ValidationError({field: _("请填写完成期限。")})
    today = timezone.localdate()
    if due_on < today:
        raise ValidationError(
            {field: _("完成期限不能早于今天（%(today)s）。") % {"today": today.isoformat()}}
        )
    if latest is not None and due_on > latest:
        raise ValidationError(
            {field: _("下级任务的完成期限不能晚于本任务的期限 %(due)s。") % {"due": latest.isoformat()}}
        )


def _district_of(area: Area | None) -> Area | None:
    if area is not None:
        return Area.objects.get(pk=area.ancestor_ids[0])
    return Area.objects.filter(parent=None).order_by("pk").first()


def route_targets(task: Task) -> QuerySet[Area]:
    """The areas a task may be routed down to: the direct children of its area; for a department, the
    children of the department's area, or the subdistricts when it is a district department."""
    if task.area_id:
        return Area.objects.filter(parent_id=task.area_id).order_by("code")
    department = task.department
    assert department is not None  # a task has one holder, an area or a department (task_one_holder)
    if department.area_id:
        return Area.objects.filter(parent_id=department.area_id).order_by("code")
    return Area.objects.filter(level=AreaLevel.SUBDISTRICT).order_by("code")


def escalation_target(task: Task) -> Area | None:
    """Where escalating hands the task: the holder area's parent; a department hands it to the district
    (the command). None at the top."""
    if task.area_id and task.area is not None:
        return task.area.parent
    department = task.department
    assert department is not None  # a task has one holder, an area or a department (task_one_holder)
    return _district_of(department.area)


def assignee_candidates(task: Task) -> QuerySet[User]:
    """The people who may be named to handle the task: officers of its area (or of an area above it), or
    of its department and the joint team's departments."""
    from firegrid.areas.models import User

    departments = [d for d in [task.department_id, *task.departments.values_list("pk", flat=True)] if d]
    q = Q(role=Role.DEPARTMENT_OFFICER, department_id__in=departments)
    if task.area_id and task.area is not None:
        q |= Q(role__in=AREA_ROLES, areas__in=task.area.ancestor_ids)
    return User.objects.filter(q, is_active=True).distinct().order_by("role", "username")


def _reply(task: Task, kind: str, *, actor: User | None, text: str = "") -> TaskReply:
    return TaskReply.objects.create(
        task=task, kind=kind, author=actor, author_name=str(actor) if actor else _("系统"), text=text
    )


def _check_assignee(task: Task, assignee: User | None) -> None:
    if assignee is None:
        return
    if not assignee.is_active or not acts_for(assignee, task) or assignee.role in ALL_TASKS_ROLES:
        raise ValidationError(
            {
                "assignee": _("%(user)s 不是承办单位（%(holder)s）的人员，不能指派。")
                % {"user": assignee, "holder": task.holder}
            }
        )


def _check_links(data: dict[str, Any], actor: User) -> None:
    """A plan and a premises named on a task must be ones the actor sees, and agree with each other."""
    plan, premises = data.get("plan"), data.get("premises")
    if plan is not None:
        try:
            require_visible(plan, actor)
        except PermissionDenied:
            raise ValidationError({"plan": _("该整改方案不在您的管辖范围内。")}) from None
        if premises is None:
            data["premises"] = premises = plan.premises
        elif premises.pk != plan.premises_id:
            raise ValidationError({"premises": _("出租户与整改方案不一致。")})
        if data.get("campaign") is None and plan.campaign_id:
            data["campaign"] = plan.campaign
    if premises is not None:
        try:
            require_visible(premises, actor)
        except PermissionDenied:
            raise ValidationError({"premises": _("该出租户不在您的管辖范围内。")}) from None


def _check_holder(area: Area | None, department: Department | None, actor: User) -> None:
    if (area is None) == (department is None):
        raise ValidationError({"area": _("请选择承办区域或承办部门（二选一）。")})
    if actor.is_superuser or actor.role in ALL_TASKS_ROLES:
        return
    if area is not None:
        if actor.role not in AREA_ROLES or not any(area.path.startswith(p) for p in actor.scope_paths):
            raise ValidationError({"area": _("%(area)s 不在您的管辖范围内。") % {"area": area}})
    elif department is not None and (
        actor.role != Role.DEPARTMENT_OFFICER or department.pk != actor.department_id
    ):
        raise ValidationError({"department": _("只能由本部门承办：%(dept)s。") % {"dept": department}})


# --- create and edit -------------------------------------------------------------------------------------

EDITABLE = ("title", "body", "due_on", "campaign")


@transaction.atomic
def create_task(
    data: dict[str, Any], *, actor: User, departments: Iterable[Department] = (), assignee: User | None = None
) -> Task:
    """Create a task held by an area in the actor's scope or by their department (the command: any)."""
    require(actor, Action.ADD, Task)
    data = dict(data)
    area, department = data.get("area"), data.get("department")
    _check_holder(area, department, actor)
    _check_due(data.get("due_on"))
    _check_links(data, actor)
    task = Task(
        **data,
        kind=TaskKind.ORDINARY,
        status=TaskStatus.OPEN,
        created_by=actor,
        origin_area=area,
        origin_department=actor.department if actor.role == Role.DEPARTMENT_OFFICER else department,
    )
    task.full_clean()
    task.save()
    if departments:
        task.departments.set(departments)
    _check_assignee(task, assignee)
    if assignee is not None:
        task.assignee = assignee
        task.save(update_fields=["assignee"])
    require_visible(task, actor, Action.ADD)
    record_change(actor=actor, action=AuditAction.CREATE, obj=task, after=snapshot(task))
    return task


def _locked(task: Task, actor: User) -> Task:
    require(actor, Action.CHANGE, Task)
    return lock_in_scope(task, actor, Action.CHANGE)


@transaction.atomic
def update_task(
    task: Task, data: dict[str, Any], *, actor: User, expected_version: int | None, reason: str = ""
) -> Task:
    """Edit the title, content, due date or campaign: the holder's people or the creator."""
    current = _locked(task, actor)
    if current.created_by_id != actor.pk:
        _require_acts_for(actor, current)
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: _("该字段不能在此修改。") for name in sorted(unknown)})
    if "due_on" in data and data["due_on"] != current.due_on:
        _check_due(data["due_on"])
    # The version check, the save and the audit entry are the shared record update's.
    return update_record(current, data, actor=actor, expected_version=expected_version, reason=reason)


# --- routing ---------------------------------------------------------------------------------------------


@transaction.atomic
def route_task(
    task: Task, areas: Iterable[Area], *, actor: User, due_on: dt.date | None = None, note: str = ""
) -> list[Task]:
    """Hand the task down: one sub-task per chosen area, each a direct child of the holder (a district
    department's children are the subdistricts). The task itself stays with its holder, in progress."""
    task = _locked(task, actor)
    _require_acts_for(actor, task)
    _require_open(task, _("交办"))
    areas = list(areas)
    if not areas:
        raise ValidationError({"areas": _("请选择至少一个下级区域。")})
    allowed = list(route_targets(task))
    allowed_ids = {a.pk for a in allowed}
    wrong = [a for a in areas if a.pk not in allowed_ids]
    if wrong:
        raise ValidationError(
            {
                "areas": _("只能交办给%(holder)s的直接下级：%(allowed)s。%(wrong)s 不是其直接下级。")
                % {
                    "holder": task.holder,
                    "allowed": enumerate_items(a.name for a in allowed) if allowed else _("无"),
                    "wrong": enumerate_items(a.name for a in wrong),
                }
            }
        )
    already = list(
        Area.objects.filter(pk__in=task.subtasks.open().filter(area__in=areas).values("area_id")).order_by(
            "code"
        )
    )
    if already:
        raise ValidationError(
            {
                "areas": _("已交办给 %(names)s，且尚未办结。")
                % {"names": enumerate_items(a.name for a in already)}
            }
        )
    due_on = due_on or task.due_on
    _check_due(due_on, latest=task.due_on)
    note = (note or "").strip()
    origin_department = task.origin_department_id or task.department_id
    children = []
    for area in sorted(areas, key=lambda a: a.code):
        child = Task(
            kind=task.kind,
            title=task.title,
            body=task.body if not note else f"{task.body}\n\n{note}".strip(),
            campaign_id=task.campaign_id,
            area=area,
            origin_area_id=task.area_id,
            origin_department_id=origin_department,
            parent=task,
            due_on=due_on,
            plan_id=task.plan_id,
            premises_id=task.premises_id,
            created_by=actor,
        )
        child.full_clean()
        child.save()
        record_change(
            actor=actor, action=AuditAction.CREATE, obj=child, after=snapshot(child), reason=_("交办")
        )
        children.append(child)
    names = enumerate_items(a.name for a in sorted(areas, key=lambda a: a.code))
    text = _("交办给 %(names)s，期限 %(due)s。") % {"names": names, "due": due_on.isoformat()}
    _reply(task, ReplyKind.ROUTED, actor=actor, text=f"{text}\n{note}".strip())
    before = snapshot(task)
    if task.status == TaskStatus.OPEN:
        task.status = TaskStatus.IN_PROGRESS
    save_update(task, before, actor=actor, reason=text)
    return children


@transaction.atomic
def escalate_task(task: Task, *, actor: User, reason: str) -> Task:
    """Hand the task back up to the holder's parent, with the reason; it waits there, unassigned."""
    task = _locked(task, actor)
    _require_acts_for(actor, task, or_assignee=True)
    _require_open(task, _("上报"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("上报需要填写原因。")})
    target = escalation_target(task)
    if target is None:
        raise ValidationError(
            {"reason": _("%(holder)s 已是最高层级，不能再上报。") % {"holder": task.holder}}
        )
    before = snapshot(task)
    holder = task.holder
    task.area, task.department, task.assignee = target, None, None
    task.status = TaskStatus.OPEN
    task.full_clean()
    # No scope re-check: handing a task up is meant to take it out of the hands of who escalates it.
    save_update(task, before, actor=actor, reason=reason)
    text = _("由 %(from)s 上报至 %(to)s：%(reason)s") % {"from": holder, "to": target, "reason": reason}
    _reply(task, ReplyKind.ESCALATED, actor=actor, text=text)
    return task


@transaction.atomic
def assign_task(task: Task, assignee: User | None, *, actor: User) -> Task:
    """Name (or clear, with None) the person of the holder who handles the task."""
    task = _locked(task, actor)
    _require_acts_for(actor, task)
    _require_open(task, _("指派"))
    _check_assignee(task, assignee)
    if task.assignee_id == getattr(assignee, "pk", None):
        return task
    before = snapshot(task)
    task.assignee = assignee
    text = _("指派给 %(user)s") % {"user": assignee} if assignee else _("取消指派")
    save_update(task, before, actor=actor, reason=text)
    _reply(task, ReplyKind.ASSIGNED, actor=actor, text=text)
    return task


@transaction.atomic
def start_task(task: Task, *, actor: User) -> Task:
    task = _locked(task, actor)
    _require_acts_for(actor, task, or_assignee=True)
    if task.status != TaskStatus.OPEN:
        raise ValidationError(
            {
                "status": _("任务当前状态为“%(status)s”，不能开始办理。")
                % {"status": task.get_status_display()}
            }
        )
    before = snapshot(task)
    task.status = TaskStatus.IN_PROGRESS
    save_update(task, before, actor=actor, reason=str(ReplyKind.STARTED.label))
    _reply(task, ReplyKind.STARTED, actor=actor)
    return task


@transaction.atomic
def complete_task(task: Task, *, actor: User, note: str = "") -> Task:
    """办结: the holder's people or the assignee; open sub-tasks must be finished (or cancelled) first."""
    task = _locked(task, actor)
    _require_acts_for(actor, task, or_assignee=True)
    _require_open(task, _("办结"))
    pending = list(task.subtasks.open().select_related("area", "department"))
    if pending:
        raise ValidationError(
            {
                "status": _("下级任务尚未办结：%(names)s。")
                % {"names": enumerate_items(str(t.holder) for t in pending)}
            }
        )
    before = snapshot(task)
    task.status = TaskStatus.DONE
    task.closed_at = timezone.now()
    note = (note or "").strip()
    save_update(task, before, actor=actor, reason=note or str(ReplyKind.DONE.label))
    _reply(task, ReplyKind.DONE, actor=actor, text=note)
    return task


def _cancel(task: Task, *, actor: User, reason: str) -> None:
    for child in task.subtasks.open().select_for_update():
        _cancel(child, actor=actor, reason=reason)
    before = snapshot(task)
    task.status = TaskStatus.CANCELLED
    task.closed_at = timezone.now()
    save_update(task, before, actor=actor, reason=reason)
    _reply(task, ReplyKind.CANCELLED, actor=actor, text=reason)


@transaction.atomic
def cancel_task(task: Task, *, actor: User, reason: str) -> Task:
    """Withdraw a task (the holder's people or its creator), and with it its open sub-tasks."""
    task = _locked(task, actor)
    if task.created_by_id != actor.pk:
        _require_acts_for(actor, task)
    _require_open(task, pgettext("task", "撤销"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("撤销需要填写原因。")})
    _cancel(task, actor=actor, reason=reason)
    task.refresh_from_db()
    return task


@transaction.atomic
def add_reply(
    task: Task, *, actor: User, text: str, attachment: UploadedFile[bytes] | None = None
) -> TaskReply:
    """A reply in the task's thread, by anyone who sees the task and works with tasks."""
    require(actor, Action.CHANGE, Task)
    require_visible(task, actor)
    text = (text or "").strip()
    if not text and not attachment:
        raise ValidationError({"text": _("请填写回复内容。")})
    reply = TaskReply(task=task, kind=ReplyKind.REPLY, author=actor, author_name=str(actor), text=text)
    if attachment is not None:
        # Checked by its content (core.uploads: PDF, images, Word, Excel) and stored under that type.
        try:
            checked = check_upload(attachment, UploadKind.ATTACHMENT)
        except ValidationError as exc:
            raise ValidationError({"attachment": exc.error_list}) from exc
        reply.attachment_name = upload_name(attachment)[:200]
        reply.attachment.save(stored_name(checked), attachment, save=False)
    reply.save()
    record_change(
        actor=actor,
        action=AuditAction.CREATE,
        obj=reply,
        after={"task": task.pk, "text": text[:500], "attachment": reply.attachment_name},
    )
    return reply


# --- joint teams for escalated plans ---------------------------------------------------------------------


def joint_team_due(plan: Plan, today: dt.date) -> dt.date:
    """The joint team has until the ladder would move the plan into enforcement, if the district set
    that rung and it is still ahead; otherwise a week."""
    from firegrid.rectification.choices import MoveName
    from firegrid.rectification.models import EscalationStep

    grid = plan.premises.building.grid
    step = EscalationStep.objects.filter(district_id=grid.ancestor_ids[0], move=MoveName.ENFORCE).first()
    if step is not None:
        due = plan.deadline + dt.timedelta(days=step.days_overdue)
        if due > today:
            return due
    return today + dt.timedelta(days=JOINT_TEAM_DAYS)


def open_joint_team_task(plan: Plan, *, actor: User | None, reason: str = "") -> Task:
    """The joint-team task (联合处置) of an escalated plan, held by the premises' subdistrict with the
    departments the plan was escalated to. Called inside the escalation's transaction (no permission
    check of its own: it follows a move the machine allowed). A plan escalated again while its joint team
    is still at work keeps that task, with a line in its thread."""
    existing: Task | None = (
        Task.objects.select_for_update().filter(plan=plan, kind=TaskKind.JOINT_TEAM).open().first()
    )
    if existing is not None:
        _reply(existing, ReplyKind.REESCALATED, actor=actor, text=reason)
        return existing
    premises = plan.premises
    grid = premises.building.grid
    subdistrict = Area.objects.get(pk=grid.ancestor_ids[1]) if len(grid.ancestor_ids) > 1 else grid
    today = timezone.localdate()
    task = Task(
        kind=TaskKind.JOINT_TEAM,
        title=_("联合处置：%(premises)s") % {"premises": premises},
        body=reason,
        campaign_id=plan.campaign_id,
        area=subdistrict,
        origin_area=subdistrict,
        due_on=joint_team_due(plan, today),
        plan=plan,
        premises=premises,
        created_by=actor,
    )
    task.full_clean(validate_constraints=False)
    task.save()
    departments = list(plan.escalated_to.all())
    if departments:
        task.departments.set(departments)
    after = snapshot(task)
    after["departments"] = enumerate_items(d.name for d in departments)
    record_change(actor=actor, action=AuditAction.CREATE, obj=task, after=after, reason=reason)
    return task


def add_joint_team_departments(plan: Plan, department_ids: Iterable[int]) -> None:
    """Departments added to an escalated plan join its open joint team."""
    task = Task.objects.filter(plan=plan, kind=TaskKind.JOINT_TEAM).open().first()
    if task is not None and department_ids:
        task.departments.add(*department_ids)
