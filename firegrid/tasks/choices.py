from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TaskKind(models.TextChoices):
    ORDINARY = "ordinary", _("工作任务")
    JOINT_TEAM = "joint_team", _("联合处置")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待办")
    IN_PROGRESS = "in_progress", _("办理中")
    DONE = "done", _("已办结")
    CANCELLED = "cancelled", _("已撤销")


# A task still to be worked on: it can be routed, escalated, assigned, and it can be overdue.
OPEN_STATUSES = frozenset({TaskStatus.OPEN, TaskStatus.IN_PROGRESS})


class ReplyKind(models.TextChoices):
    """What a line in a task's thread records: a reply someone wrote, or a step the task took."""

    REPLY = "reply", _("回复")
    ROUTED = "routed", _("交办")
    ESCALATED = "escalated", _("上报")
    ASSIGNED = "assigned", _("指派")
    STARTED = "started", _("开始办理")
    DONE = "done", _("办结")
    CANCELLED = "cancelled", pgettext_lazy("task", "撤销")
    REESCALATED = "reescalated", _("再次提级")
