"""Rectification (整改): one plan per premises (一户一方案) with its hazards, measures and deadlines, the
history of its moves, the documents issued on it, and the enforcement it met."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.core.models import Record
from firegrid.core.photos import AbstractPhoto
from firegrid.core.querysets import ScopedQuerySet
from firegrid.registry.models import premises_scope_q

from . import move_reasons
from .choices import (
    CLOSED_STATES,
    MAX_DETENTION_DAYS,
    MAX_SEALING_DAYS,
    OPEN_STATES,
    VISIT_STEPS,
    DocumentKind,
    DocumentStatus,
    EnforcementKind,
    MoveName,
    PlanState,
)

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.registry.models import Premises


class PlanQuerySet(ScopedQuerySet["Plan"]):
    def scope_q(self, user: User) -> Q:
        return premises_scope_q(user, "premises__")

    def open(self) -> PlanQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def past_deadline(self, today: dt.date) -> PlanQuerySet:
        from .choices import DEADLINE_STATES

        return self.filter(state__in=DEADLINE_STATES, deadline__lt=today)


class Plan(Record):
    """A rectification plan (一户一方案): the premises' hazards, a measure, deadline and acceptance
    standard for each, the plan's own deadline, the responsible officer and the landlord."""

    scope_field = "premises"

    premises = models.ForeignKey(
        "registry.Premises", on_delete=models.PROTECT, related_name="plans", verbose_name=_("出租户")
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("专项整治行动"),
        help_text=_("没有进行中的专项行动时，方案独立存在。"),
    )
    landlord = models.ForeignKey(
        "registry.Landlord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("房东"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("责任人"),
    )
    state = models.CharField(_("状态"), max_length=24, choices=PlanState.choices, default=PlanState.DRAFT)
    deadline = models.DateField(_("整改期限"))
    notified_on = models.DateField(_("通知送达日期"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    escalated_to = models.ManyToManyField(
        "areas.Department", blank=True, related_name="escalated_plans", verbose_name=_("联合处置部门")
    )
    # The key in the landlord's QR link; not guessable, unlike the id.
    public_key = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    note = models.TextField(_("备注"), blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("整改方案")
        verbose_name_plural = pgettext_lazy("plural", "整改方案")
        constraints = [
            # One open plan per premises per campaign, or one standalone open plan per premises.
            models.UniqueConstraint(
                fields=["premises", "campaign"],
                condition=~Q(state__in=CLOSED_STATES),
                name="plan_one_open_per_campaign",
                violation_error_message=_("该出租户在本次专项行动中已有未结束的整改方案。"),
            ),
            models.UniqueConstraint(
                fields=["premises"],
                condition=Q(campaign__isnull=True) & ~Q(state__in=CLOSED_STATES),
                name="plan_one_open_standalone",
                violation_error_message=_("该出租户已有未结束的整改方案。"),
            ),
        ]
        indexes = [
            # Serves the daily overdue job: plans in a running state past their deadline.
            models.Index(fields=["state", "deadline"], name="plan_state_deadline"),
        ]

    def __str__(self) -> str:
        return _("%(premises)s 整改方案") % {"premises": self.premises}

    def premises_for_audit(self) -> Premises:
        return self.premises

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

    def days_left(self, today: dt.date | None = None) -> int:
        """Days until the plan's deadline (negative when past): the landlord's countdown."""
        return (self.deadline - (today or timezone.localdate())).days

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("rectification:plan_detail", args=[self.pk])


class PlanItem(models.Model):
    """One hazard in a plan, with the measure that fixes it, its deadline and acceptance standard."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items", verbose_name=_("整改方案"))
    hazard = models.ForeignKey(
        "inspections.Hazard", on_delete=models.PROTECT, related_name="plan_items", verbose_name=_("隐患")
    )
    measure = models.TextField(_("整改措施"))
    acceptance = models.TextField(_("验收标准"), blank=True)
    deadline = models.DateField(_("整改期限"))

    class Meta:
        ordering = ["plan", "deadline", "id"]
        verbose_name = _("整改事项")
        verbose_name_plural = pgettext_lazy("plural", "整改事项")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "hazard"],
                name="plan_item_unique_hazard",
                violation_error_message=_("该隐患已在方案中。"),
            ),
        ]

    def __str__(self) -> str:
        return str(self.hazard)

    # The plan keeps its texts in Chinese (the notice prints them); the interface shows them in the reader's
    # language where they are still the checklist item's own, and an officer's edited text as written.
    @property
    def display_measure(self) -> str:
        return self.hazard.item.display_text(self.measure)

    @property
    def display_acceptance(self) -> str:
        return self.hazard.item.display_text(self.acceptance)


class PlanMove(models.Model):
    """One move of a plan (its history row): from which state to which, by whom, when and why."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="moves", verbose_name=_("整改方案"))
    name = models.CharField(_("操作"), max_length=24, choices=MoveName.choices)
    from_state = models.CharField(_("原状态"), max_length=24, choices=PlanState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=24, choices=PlanState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=64)
    time = models.DateTimeField(_("时间"), default=timezone.now)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    deadline = models.DateField(_("新期限"), null=True, blank=True)
    inspection = models.ForeignKey(
        "inspections.Inspection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_moves",
        verbose_name=_("依据检查"),
    )

    class Meta:
        ordering = ["plan", "time", "id"]
        indexes = [
            # Serves "the plan's state at the end of a day" (campaigns.status): its last move before then.
            models.Index(fields=["plan", "-time", "-id"], name="plan_move_latest"),
        ]
        verbose_name = _("方案流转记录")
        verbose_name_plural = pgettext_lazy("plural", "方案流转记录")

    def __str__(self) -> str:
        return f"{self.get_name_display()} {self.time:%Y-%m-%d %H:%M}"

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language where the system wrote it; a typed one as typed."""
        return move_reasons.shown(self.reason)


class SerialCounter(models.Model):
    """The last number issued for one serial prefix in one year (衢江消整〔2019〕第0001号)."""

    prefix = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="serial_counter_unique")]

    def __str__(self) -> str:
        return f"{self.prefix} {self.year} {self.last}"


class DocumentQuerySet(ScopedQuerySet["Document"]):
    def scope_q(self, user: User) -> Q:
        return premises_scope_q(user, "plan__premises__")


def document_path(document: Document, filename: str) -> str:
    return f"documents/{document.issued_at:%Y/%m}/{uuid.uuid4().hex}.pdf"


class Document(models.Model):
    """A document issued on a plan: its content is frozen when issued and the PDF is kept, so a
    reprint is the same file and later edits to the plan never change it."""

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="documents", verbose_name=_("整改方案")
    )
    kind = models.CharField(_("文书类型"), max_length=16, choices=DocumentKind.choices)
    serial = models.CharField(_("文号"), max_length=64, unique=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.ISSUED
    )
    content = models.JSONField(_("内容"))
    # Rendered from `content` on issue or on first download, then kept: every reprint is this file.
    pdf = models.FileField(_("PDF"), upload_to=document_path, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(_("出具时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("替代文书"),
    )
    # A pledge is signed by the landlord in the portal: typed name, time and address kept as evidence.
    signed_name = models.CharField(_("签名"), max_length=32, blank=True)
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    signed_ip = models.GenericIPAddressField(_("签署IP"), null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("文书")
        verbose_name_plural = pgettext_lazy("plural", "文书")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"

    def premises_for_audit(self) -> Premises:
        return self.plan.premises


class EnforcementQuerySet(ScopedQuerySet["EnforcementAction"]):
    def scope_q(self, user: User) -> Q:
        return premises_scope_q(user, "premises__")


class EnforcementAction(Record):
    """An enforcement step (执法) taken on a premises: a sanction, or a visit where the door stayed shut
    or the landlord refused."""

    scope_field = "premises"

    premises = models.ForeignKey(
        "registry.Premises",
        on_delete=models.PROTECT,
        related_name="enforcement_actions",
        verbose_name=_("出租户"),
    )
    plan = models.ForeignKey(
        Plan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enforcement_actions",
        verbose_name=_("整改方案"),
    )
    kind = models.CharField(_("措施"), max_length=16, choices=EnforcementKind.choices)
    department = models.ForeignKey(
        "areas.Department",
        on_delete=models.PROTECT,
        related_name="enforcement_actions",
        verbose_name=_("执法部门"),
    )
    legal_basis = models.CharField(_("法律依据"), max_length=300, blank=True)
    document_number = models.CharField(_("文书编号"), max_length=64, blank=True)
    date = models.DateField(_("日期"))
    fine_amount = models.DecimalField(
        _("罚款金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    period_days = models.PositiveSmallIntegerField(
        _("期限（天）"), null=True, blank=True, help_text=_("临时查封的期限，或行政拘留的天数。")
    )
    note = models.TextField(_("情况说明"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )

    objects = EnforcementQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("执法措施")
        verbose_name_plural = pgettext_lazy("plural", "执法措施")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=EnforcementKind.FINE) | Q(fine_amount__gt=0),
                name="enforcement_fine_has_amount",
                violation_error_message=_("罚款必须填写金额。"),
            ),
            models.CheckConstraint(
                condition=~Q(kind=EnforcementKind.SEALING)
                | Q(period_days__gte=1, period_days__lte=MAX_SEALING_DAYS),
                name="enforcement_sealing_period",
                violation_error_message=_("临时查封期限为 1 至 30 天。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"

    def premises_for_audit(self) -> Premises:
        return self.premises

    def clean(self) -> None:
        errors: dict[str, str | Promise] = {}
        if self.kind == EnforcementKind.FINE and not (self.fine_amount and self.fine_amount > 0):
            errors["fine_amount"] = _("罚款必须填写大于 0 的金额。")
        if self.kind == EnforcementKind.SEALING and not (
            self.period_days and 1 <= self.period_days <= MAX_SEALING_DAYS
        ):
            errors["period_days"] = _("临时查封期限为 1 至 %(max)s 天（不超过一个月）。") % {
                "max": MAX_SEALING_DAYS
            }
        if self.kind == EnforcementKind.DETENTION and not (
            self.period_days and 1 <= self.period_days <= MAX_DETENTION_DAYS
        ):
            errors["period_days"] = _("行政拘留天数为 1 至 %(max)s 天。") % {"max": MAX_DETENTION_DAYS}
        if self.kind not in VISIT_STEPS and not self.legal_basis.strip():
            errors["legal_basis"] = _("请填写法律依据。")
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("日期不能晚于今天。")
        if self.plan_id and self.premises_id and self.plan and self.plan.premises_id != self.premises_id:
            errors["plan"] = _("整改方案不属于该出租户。")
        if errors:
            raise ValidationError(errors)


def attachment_path(attachment: EnforcementAttachment, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"enforcement/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class EnforcementAttachment(models.Model):
    """A scanned document or photo attached to an enforcement step."""

    action = models.ForeignKey(
        EnforcementAction, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("执法措施")
    )
    file = models.FileField(_("附件"), upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        ordering = ["action", "id"]
        verbose_name = _("执法附件")
        verbose_name_plural = pgettext_lazy("plural", "执法附件")

    def __str__(self) -> str:
        return self.name


class EscalationStepQuerySet(ScopedQuerySet["EscalationStep"]):
    def scope_q(self, user: User) -> Q:
        # The ladder is the district command's configuration: only district-wide roles are granted it.
        return Q(pk__in=[])


class EscalationStep(models.Model):
    """One rung of the district's escalation ladder: after this many days overdue, the plan is moved
    (escalated to a joint team, or into enforcement) by the daily job."""

    district = models.ForeignKey(
        "areas.Area", on_delete=models.CASCADE, related_name="escalation_steps", verbose_name=_("区")
    )
    days_overdue = models.PositiveSmallIntegerField(_("逾期天数"))
    move = models.CharField(
        _("处置"),
        max_length=24,
        choices=[(MoveName.ESCALATE, MoveName.ESCALATE.label), (MoveName.ENFORCE, MoveName.ENFORCE.label)],
    )
    departments = models.ManyToManyField(
        "areas.Department", blank=True, related_name="+", verbose_name=_("处置部门")
    )
    suggested_action = models.CharField(
        _("建议措施"), max_length=16, choices=EnforcementKind.choices, blank=True
    )

    objects = EscalationStepQuerySet.as_manager()

    class Meta:
        ordering = ["district", "days_overdue"]
        verbose_name = _("逾期处置阶梯")
        verbose_name_plural = pgettext_lazy("plural", "逾期处置阶梯")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "move"],
                name="escalation_step_unique_move",
                violation_error_message=_("每种处置在阶梯中只能出现一次。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.days_overdue} · {self.get_move_display()}"


class ProofPhotoQuerySet(ScopedQuerySet["ProofPhoto"]):
    def scope_q(self, user: User) -> Q:
        return premises_scope_q(user, "item__plan__premises__")


class ProofPhoto(AbstractPhoto):
    """An after-photo the landlord (or a contractor) uploads for one hazard of a plan, as proof of the fix
    before the recheck; the recheck itself is still an inspection."""

    upload_folder = "proof"
    file_url_name = "rectification:proof_file"

    item = models.ForeignKey(
        PlanItem, on_delete=models.CASCADE, related_name="proof_photos", verbose_name=_("整改事项")
    )

    objects = ProofPhotoQuerySet.as_manager()

    class Meta(AbstractPhoto.Meta):
        verbose_name = _("整改照片")
        verbose_name_plural = pgettext_lazy("plural", "整改照片")

    def __str__(self) -> str:
        return f"{self.item} {self.uploaded_at:%Y-%m-%d %H:%M}"

    def premises_for_audit(self) -> Premises:
        return self.item.plan.premises


class PremisesNoteQuerySet(ScopedQuerySet["PremisesNote"]):
    def scope_q(self, user: User) -> Q:
        return premises_scope_q(user, "premises__")


class PremisesNote(models.Model):
    """A note written into a premises file (一户一档): what a visit, a call or a neighbour told the officers.

    Notes are for the officers unless marked public: a landlord (or a unit liaison) sees only the
    public ones in their file.
    """

    premises = models.ForeignKey(
        "registry.Premises", on_delete=models.CASCADE, related_name="notes", verbose_name=_("出租户")
    )
    text = models.TextField(_("内容"), max_length=2000)
    public = models.BooleanField(_("房东可见"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    # Copied so the file still reads right after a user is renamed or removed.
    author_name = models.CharField(_("记录人姓名"), max_length=64)
    time = models.DateTimeField(_("时间"), default=timezone.now)

    objects = PremisesNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("档案备注")
        verbose_name_plural = pgettext_lazy("plural", "档案备注")
        indexes = [
            # Serves the premises file: a premises' notes newest first.
            models.Index(fields=["premises", "-time"], name="premises_note_time"),
        ]

    def __str__(self) -> str:
        return f"{self.author_name} {self.time:%Y-%m-%d %H:%M}"

    def premises_for_audit(self) -> Premises:
        return self.premises
