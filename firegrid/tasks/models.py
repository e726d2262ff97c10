"""Tasks (任务): work created at any level and routed down the area chain (district department →
subdistrict → community → grid) or escalated back up, with a due date, an assignee, a status and a
thread of replies; and the joint-team tasks (联合处置) opened when a rectification plan is escalated.

A task is held by one area or one department at a time (its holder). Routing down creates a sub-task
per chosen child area (`parent`); escalating moves the task itself to the holder's parent.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.areas.choices import AREA_ROLES, Role
from firegrid.areas.models import Area
from firegrid.core.models import Record
from firegrid.core.permissions import Action, can
from firegrid.core.querysets import NOTHING, ScopedQuerySet

from .choices import OPEN_STATUSES, ReplyKind, TaskKind, TaskStatus

if TYPE_CHECKING:
    from firegrid.areas.models import Department, User
    from firegrid.registry.models import Premises

# Roles that see every task: the command and the system administrator. A department officer, though
# district-wide elsewhere, sees only their department's tasks here (a task list of the whole district
# would bury theirs).
ALL_TASKS_ROLES = frozenset({Role.DISTRICT_COMMANDER, Role.SYSTEM_ADMIN})


def task_scope_q(user: User, prefix: str = "") -> Q:
    """Tasks a user sees: those held by or created in their areas' subtrees (area roles), their
    department's (held, started, or taking part in a joint team), and any they created or are assigned."""
    mine = Q(**{f"{prefix}created_by": user}) | Q(**{f"{prefix}assignee": user})
    if user.role in AREA_ROLES:
        subtree = NOTHING
        for path in user.scope_paths:
            subtree |= Q(path__startswith=path)
        # Area ids by subquery, not a join on the nullable holder: a join would stop the row lock
        # (FOR UPDATE cannot lock the nullable side of an outer join on PostgreSQL).
        areas = Area.objects.filter(subtree).values("pk")
        return Q(**{f"{prefix}area_id__in": areas}) | Q(**{f"{prefix}origin_area_id__in": areas}) | mine
    if user.role == Role.DEPARTMENT_OFFICER and user.department_id:
        department = user.department_id
        joint = Task.departments.through.objects.filter(department_id=department).values("task_id")
        return (
            Q(**{f"{prefix}department_id": department})
            | Q(**{f"{prefix}origin_department_id": department})
            | Q(**{f"{prefix}pk__in": joint})
            | mine
        )
    return mine


class TaskQuerySet(ScopedQuerySet):
    def scope_q(self, user: User) -> Q:
        return task_scope_q(user)

    def visible_to(self, user: User, action: str = Action.VIEW) -> TaskQuerySet:
        if not can(user, action, self.model):
            return self.none()
        if user.is_superuser or user.role in ALL_TASKS_ROLES:
            return self.all()
        return self.filter(self.scope_q(user))

    def open(self) -> TaskQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: dt.date | None = None) -> TaskQuerySet:
        """Open tasks past their due date (today in Asia/Shanghai is not yet late)."""
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def held_by(self, user: User) -> TaskQuerySet:
        """我的任务: held by one of the user's own areas or their department (or a joint team it is in),
        or assigned to them."""
        q = Q(assignee=user)
        if user.role in AREA_ROLES:
            q |= Q(area__in=user.areas.all())
        if user.department_id:
            joint = Task.departments.through.objects.filter(department_id=user.department_id)
            q |= Q(department_id=user.department_id) | Q(pk__in=joint.values("task_id"))
        return self.filter(q)


class Task(Record):
    """A task (任务) held by an area or a department, due on a date, possibly assigned to a person."""

    scope_field = "area"

    kind = models.CharField(_("类型"), max_length=16, choices=TaskKind.choices, default=TaskKind.ORDINARY)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"), blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("专项整治行动"),
    )
    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("承办区域"),
    )
    department = models.ForeignKey(
        "areas.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("承办部门"),
    )
    departments = models.ManyToManyField(
        "areas.Department",
        blank=True,
        related_name="joint_tasks",
        verbose_name=_("参与部门"),
        help_text=_("联合处置的部门；各部门人员均可办理。"),
    )
    # Where the task was created (its holder then): the creators keep sight of it after it moves on.
    origin_area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起区域"),
    )
    origin_department = models.ForeignKey(
        "areas.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起部门"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subtasks",
        verbose_name=_("上级任务"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tasks",
        verbose_name=_("经办人"),
    )
    due_on = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    plan = models.ForeignKey(
        "rectification.Plan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("整改方案"),
    )
    premises = models.ForeignKey(
        "registry.Premises",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("出租户"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="created_tasks",
        verbose_name=_("创建人"),
        help_text=_("由系统（逾期处置阶梯）创建时为空。"),
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = pgettext_lazy("task", "任务")
        verbose_name_plural = pgettext_lazy("plural", "任务")
        constraints = [
            models.CheckConstraint(
                condition=(Q(area__isnull=False) & Q(department__isnull=True))
                | (Q(area__isnull=True) & Q(department__isnull=False)),
                name="task_one_holder",
                violation_error_message=_("任务须由一个区域或一个部门承办。"),
            ),
            # An escalated plan has one joint team working on it at a time.
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(kind=TaskKind.JOINT_TEAM, status__in=sorted(OPEN_STATUSES)),
                name="task_one_open_joint_team_per_plan",
                violation_error_message=_("该整改方案已有未办结的联合处置任务。"),
            ),
        ]
        indexes = [
            # Serves the overdue filter and the lists ordered by due date.
            models.Index(fields=["status", "due_on"], name="task_status_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tasks:task_detail", args=[self.pk])

    def premises_for_audit(self) -> Premises | None:
        return self.premises

    @property
    def holder(self) -> Area | Department | None:
        return self.area if self.area_id else self.department

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())

    @property
    def overdue(self) -> bool:
        return self.is_overdue()


def reply_attachment_path(reply: TaskReply, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"tasks/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class TaskReplyQuerySet(ScopedQuerySet):
    """A reply is seen by whoever sees its task."""

    def visible_to(self, user: User, action: str = Action.VIEW) -> TaskReplyQuerySet:
        return self.filter(task__in=Task.objects.visible_to(user, action).values("pk"))


class TaskReply(models.Model):
    """One line of a task's thread: a reply, or a step the task took (routed, escalated, done …)."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="replies", verbose_name=pgettext_lazy("task", "任务")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=ReplyKind.choices, default=ReplyKind.REPLY)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回复人"),
    )
    author_name = models.CharField(_("回复人姓名"), max_length=64)
    text = models.TextField(_("内容"), blank=True)
    time = models.DateTimeField(_("时间"), auto_now_add=True)
    attachment = models.FileField(_("附件"), upload_to=reply_attachment_path, blank=True)
    attachment_name = models.CharField(_("附件名"), max_length=200, blank=True)

    objects = TaskReplyQuerySet.as_manager()

    class Meta:
        ordering = ["time", "id"]
        verbose_name = _("任务回复")
        verbose_name_plural = pgettext_lazy("plural", "任务回复")

    def __str__(self) -> str:
        return f"{self.author_name} {self.get_kind_display()}"

    def premises_for_audit(self) -> Premises | None:
        return self.task.premises

    # Served through a scoped view, never straight from /media/.
    def get_attachment_url(self) -> str:
        return reverse("tasks:reply_attachment", args=[self.pk]) if self.attachment else ""
