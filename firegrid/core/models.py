"""What every record shares (version, timestamps), the audit trail and the login log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .querysets import ScopedQuerySet

if TYPE_CHECKING:
    # Users belong to the areas app, above core: a type-only import, allowed by the layer contract.
    from firegrid.areas.models import User
    from firegrid.registry.models import Premises


class Record(models.Model):
    """Base of every editable domain record.

    `version` goes up by one on every saved change; an edit carries the version it was based on, so a
    concurrent edit is detected instead of silently overwritten (see `firegrid.core.services`).
    """

    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Field names holding personal data that are masked unless revealed (PIPL).
    personal_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def premises_for_audit(self) -> Premises | None:
        """The premises whose file (一户一档) collects this record's changes, if any."""
        return None


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    REVEAL = "reveal", _("查看完整个人信息")
    MOVE = "move", _("移动")
    EXPORT = "export", _("导出")


class AuditEntryQuerySet(ScopedQuerySet["AuditEntry"]):
    def scope_q(self, user: User) -> Q:
        return Q(actor=user)

    def for_object(self, obj: models.Model) -> AuditEntryQuerySet:
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class AuditEntry(models.Model):
    """One change (or reveal of personal data) made by someone: the trace every figure and file rests on."""

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    # Copied so the trail still reads right after a user is renamed or removed.
    actor_name = models.CharField(_("操作人姓名"), max_length=64, blank=True)
    action = models.CharField(_("操作"), max_length=16, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.CharField(_("对象ID"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    premises = models.ForeignKey(
        "registry.Premises",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("所属出租户"),
    )
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    request_id = models.CharField(_("请求ID"), max_length=36, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("操作日志")
        verbose_name_plural = pgettext_lazy("plural", "操作日志")
        indexes = [
            # Serves an object's history page.
            models.Index(fields=["content_type", "object_id", "-time"], name="audit_object_time"),
        ]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def field_label(self, attname: str) -> str:
        """The field's verbose name (grid_id → 网格), or the raw name when the model no longer has it."""
        model = self.content_type.model_class()
        if model is not None:
            for field in model._meta.concrete_fields:
                if attname in (field.attname, field.name):
                    return str(field.verbose_name)
        return attname

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(label, before, after) for each field whose value differs."""
        before, after = self.before or {}, self.after or {}
        keys = [k for k in (after or before) if before.get(k) != after.get(k)]
        return [(self.field_label(k), before.get(k), after.get(k)) for k in keys]

    def revealed_field_label(self) -> str:
        return self.field_label((self.after or {}).get("field", ""))


class LoginRecordQuerySet(ScopedQuerySet["LoginRecord"]):
    def scope_q(self, user: User) -> Q:
        return Q(user=user)


class LoginRecord(models.Model):
    """One sign-in attempt, successful or not (登录日志)."""

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    username = models.CharField(_("用户名"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    success = models.BooleanField(_("成功"))
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=300, blank=True)

    objects = LoginRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("登录日志")
        verbose_name_plural = pgettext_lazy("plural", "登录日志")

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.username} {'✓' if self.success else '✗'}"


class NotificationKind(models.TextChoices):
    DEADLINE_REMINDER = "deadline_reminder", _("整改期限提醒")
    OVERDUE_DIGEST = "overdue_digest", _("逾期方案日报")
    SELF_INSPECTION_REMINDER = "self_inspection_reminder", _("房东自查提醒")
    ALERT_CASE = "alert_case", _("报警通知")


class NotificationQuerySet(ScopedQuerySet["Notification"]):
    def scope_q(self, user: User) -> Q:
        return Q(recipient=user)

    def visible_to(self, user: User, action: str = "view") -> Self:
        # An inbox is its owner's alone, whatever the role: the commander does not read officers' mail.
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)


class Notification(models.Model):
    """A message the system sent: to a user's inbox (消息), and by SMS when a mobile is given.

    `key` names what the message is about (a plan, a deadline, a day); one (kind, key) is sent once,
    so a job that runs twice sends nothing more.
    """

    kind = models.CharField(_("类型"), max_length=24, choices=NotificationKind.choices)
    key = models.CharField(_("标识"), max_length=120)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    mobile = models.CharField(_("短信号码"), max_length=11, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("消息")
        verbose_name_plural = pgettext_lazy("plural", "消息")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="notification_sent_once")]
        indexes = [
            # Serves the inbox: a user's unread messages, newest first.
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.title
