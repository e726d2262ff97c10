"""JobRun: one run of a registered job — the claim that keeps two workers from running it twice, and the
record of what happened (status, progress, result, error)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.areas.choices import Role
from firegrid.areas.models import User


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


FINISHED = frozenset({JobStatus.DONE, JobStatus.FAILED})


class JobRunQuerySet(models.QuerySet["JobRun"]):
    def for_user(self, user: User | AnonymousUser) -> JobRunQuerySet:
        """The runs a user started (a batch print is theirs to follow); a system admin sees every run."""
        if not isinstance(user, User):
            return self.none()
        if is_system_admin(user):
            return self.all()
        return self.filter(created_by=user)


def is_system_admin(user: User | AnonymousUser) -> bool:
    return isinstance(user, User) and (user.is_superuser or user.role == Role.SYSTEM_ADMIN)


def stale_q(now: dt.datetime, stale_after: dt.timedelta) -> Q:
    """Runs whose claimer is taken to be dead: running without a heartbeat, or queued and never picked
    up (the web process that was to start its thread stopped, or the Celery message was lost)."""
    cutoff = now - stale_after
    return Q(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff) | Q(
        status=JobStatus.QUEUED, queued_at__lt=cutoff
    )


class ProgressReporter(Protocol):
    """What writes a running job's progress for it (the runner's heartbeat thread, `services._Reporter`)."""

    def touch(self) -> None: ...


class JobRun(models.Model):
    """One run of a job, for one key: the date of a daily job ("2026-11-29"), a random id for an ad-hoc
    run such as a batch print. The (name, key) pair is unique: inserting the row is the claim."""

    name = models.CharField(_("任务"), max_length=100)
    key = models.CharField(_("运行标识"), max_length=100)
    status = models.CharField(_("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    params = models.JSONField(_("参数"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    progress_done = models.PositiveIntegerField(_("已完成"), default=0)
    progress_total = models.PositiveIntegerField(_("总数"), default=0)
    result = models.JSONField(_("结果"), null=True, blank=True, encoder=DjangoJSONEncoder)
    message = models.CharField(_("说明"), max_length=200, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    # host:pid of the process running it; with `attempts`, which claim a write belongs to.
    claimed_by = models.CharField(_("执行进程"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    queued_at = models.DateTimeField(_("排队时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)

    objects = JobRunQuerySet.as_manager()

    # Set by the runner while it executes the run (not a column).
    _reporter: ProgressReporter | None

    class Meta:
        ordering = ["-queued_at", "-pk"]
        verbose_name = _("任务运行记录")
        verbose_name_plural = pgettext_lazy("plural", "任务运行记录")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "key"],
                name="jobs_jobrun_one_run_per_key",
                violation_error_message=_("该任务已有同一标识的运行记录。"),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"], name="jobs_jobrun_status_beat"),
            models.Index(fields=["created_by", "-queued_at"], name="jobs_jobrun_creator"),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.key}"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == JobStatus.DONE else 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Report progress from inside a job: `run.progress(i, len(items))`. Cheap to call per item —
        while the run is executed by the framework the numbers are written at most about once a second,
        by the heartbeat thread on its own connection (so a page can poll them even while the job sits
        inside a long transaction on PostgreSQL)."""
        self.progress_done = max(0, int(done))
        if total is not None:
            self.progress_total = max(0, int(total))
        if message is not None:
            self.message = str(message)[:200]
        reporter = getattr(self, "_reporter", None)
        if reporter is not None:
            reporter.touch()
        else:
            type(self).objects.filter(pk=self.pk).update(**self.progress_fields())

    def progress_fields(self) -> dict[str, Any]:
        return {
            "progress_done": self.progress_done,
            "progress_total": self.progress_total,
            "message": self.message,
        }
