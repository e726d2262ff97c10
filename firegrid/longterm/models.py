"""Landlord self-inspection (房东自查) and its verification sampling (自查抽检): a landlord's monthly answers
to the self-check list with a photo for the items that ask for one, the monthly random draw of
self-inspections to verify, the result of the grid worker's visit that verifies one, and the record of a
self-inspection owed and not made (逾期未自查)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.core.models import Record
from firegrid.core.photos import AbstractPhoto
from firegrid.core.querysets import NOTHING, ScopedQuerySet
from firegrid.registry.models import Premises, premises_scope_q

from .choices import SelfCheckResult, SelfInspectionStatus


def self_inspection_scope_q(user: User, prefix: str = "") -> Q:
    """Rows reaching a premises through `prefix`: the premises' scope (a landlord their own, area roles
    their grids, district-wide roles all), except that a unit liaison follows claims, not self-checks."""
    if user.role == Role.UNIT_LIAISON:
        return NOTHING
    return premises_scope_q(user, f"{prefix}premises__")


class VerificationDrawQuerySet(ScopedQuerySet["VerificationDraw"]):
    def scope_q(self, user: User) -> Q:
        # The district's draw: the same record for everyone allowed to read it (which premises it drew
        # is read through the scoped self-inspections).
        return Q()


class VerificationDraw(Record):
    """One month's random verification sample (自查抽检): which submitted self-inspections a grid worker
    visits to verify. Recorded with its rate and seed, so the same seed over the same self-inspections
    draws the same sample again; stratified by risk grade (each grade drawn at the rate, rounded up), and
    premises under watch after a contradiction are always drawn."""

    period = models.DateField(_("自查月份"), unique=True, help_text=_("该月第一天。"))
    rate = models.DecimalField(_("抽检比例"), max_digits=4, decimal_places=3)
    seed = models.BigIntegerField(_("随机种子"))
    drawn_at = models.DateTimeField(_("抽取时间"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("抽取人"),
        help_text=_("为空：由每月定时任务抽取。"),
    )
    population = models.PositiveIntegerField(_("自查总数"), default=0)
    # {grade or "ungraded": {"population": n, "drawn": k}} and "watch": premises always drawn.
    strata = models.JSONField(_("分层"), default=dict, blank=True)

    objects = VerificationDrawQuerySet.as_manager()

    class Meta:
        ordering = ["-period"]
        verbose_name = _("自查抽检")
        verbose_name_plural = pgettext_lazy("plural", "自查抽检")

    def __str__(self) -> str:
        return _("%(period)s 自查抽检") % {"period": f"{self.period:%Y-%m}"}


class SelfInspectionQuerySet(ScopedQuerySet["SelfInspection"]):
    def scope_q(self, user: User) -> Q:
        return self_inspection_scope_q(user)

    def awaiting_verification(self) -> SelfInspectionQuerySet:
        """Drawn for verification and not yet visited: these are in the grid workers' queues."""
        return self.filter(draw__isnull=False, status=SelfInspectionStatus.SUBMITTED)


class SelfInspection(Record):
    """A landlord's self-inspection (房东自查) of one premises for one period: yes/no answers to the
    self-check list (the self-checkable items of the published checklist template), submitted from the
    phone. One per premises per period; a replay with the same `client_uuid` is the same submission."""

    scope_field = "premises"

    premises = models.ForeignKey(
        Premises, on_delete=models.CASCADE, related_name="self_inspections", verbose_name=_("出租户")
    )
    landlord = models.ForeignKey(
        "registry.Landlord", on_delete=models.PROTECT, related_name="self_inspections", verbose_name=_("房东")
    )
    template = models.ForeignKey(
        "inspections.ChecklistTemplate",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("检查表版本"),
    )
    period = models.DateField(_("自查月份"), help_text=_("该月第一天。"))
    submitted_at = models.DateTimeField(_("提交时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提交人")
    )
    client_uuid = models.UUIDField(_("客户端编号"), default=uuid.uuid4, unique=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=SelfInspectionStatus.choices, default=SelfInspectionStatus.SUBMITTED
    )
    draw = models.ForeignKey(
        VerificationDraw,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="self_inspections",
        verbose_name=_("抽检批次"),
    )

    objects = SelfInspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "premises_id"]
        verbose_name = _("房东自查")
        verbose_name_plural = pgettext_lazy("plural", "房东自查")
        constraints = [
            models.UniqueConstraint(
                fields=["premises", "period"],
                name="selfinspection_one_per_period",
                violation_error_message=_("该出租户本期已提交自查。"),
            ),
        ]
        indexes = [
            # Serves the queue's "drawn, not yet verified" subquery per premises.
            models.Index(fields=["premises", "status"], name="selfinspection_premises_status"),
            # Serves one period's figures and list (figures.py, the staff list filtered by period).
            models.Index(fields=["period", "status"], name="selfinspection_period_status"),
            # Drawn and not yet verified: the work queue's candidates (the drawn ones of past months are
            # verified and stay out of it).
            models.Index(
                fields=["premises"],
                condition=Q(draw__isnull=False, status=SelfInspectionStatus.SUBMITTED),
                name="selfinspection_awaiting",
            ),
        ]

    def __str__(self) -> str:
        return _("%(premises)s %(period)s 自查") % {
            "premises": self.premises,
            "period": f"{self.period:%Y-%m}",
        }

    def premises_for_audit(self) -> Premises:
        return self.premises


class SelfInspectionAnswer(models.Model):
    """The landlord's answer to one self-check item (by its checklist item code) in a self-inspection."""

    self_inspection = models.ForeignKey(SelfInspection, on_delete=models.CASCADE, related_name="answers")
    item_code = models.CharField(_("检查项编号"), max_length=16)
    result = models.CharField(_("结论"), max_length=8, choices=SelfCheckResult.choices)

    class Meta:
        ordering = ["self_inspection_id", "item_code"]
        verbose_name = _("自查结果")
        verbose_name_plural = pgettext_lazy("plural", "自查结果")
        constraints = [
            models.UniqueConstraint(
                fields=["self_inspection", "item_code"], name="selfinspectionanswer_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_code} {self.get_result_display()}"


class VerificationQuerySet(ScopedQuerySet["Verification"]):
    def scope_q(self, user: User) -> Q:
        return self_inspection_scope_q(user, "self_inspection__")


class Verification(Record):
    """The result of verifying a drawn self-inspection (自查核实): the grid worker's inspection of that
    premises, and the items the landlord declared fine that the inspection failed (a contradiction)."""

    self_inspection = models.OneToOneField(
        SelfInspection, on_delete=models.CASCADE, related_name="verification", verbose_name=_("房东自查")
    )
    inspection = models.ForeignKey(
        "inspections.Inspection", on_delete=models.PROTECT, related_name="+", verbose_name=_("核实检查")
    )
    verified_at = models.DateTimeField(_("核实时间"))
    contradicted = models.BooleanField(_("与自查不符"), default=False)
    contradicted_items = models.JSONField(_("不符项"), default=list, blank=True)

    objects = VerificationQuerySet.as_manager()

    class Meta:
        ordering = ["-verified_at", "-pk"]
        verbose_name = _("自查核实")
        verbose_name_plural = pgettext_lazy("plural", "自查核实")

    def __str__(self) -> str:
        return _("%(self_inspection)s 核实") % {"self_inspection": self.self_inspection}

    def premises_for_audit(self) -> Premises:
        return self.self_inspection.premises


class SelfInspectionPhotoQuerySet(ScopedQuerySet["SelfInspectionPhoto"]):
    def scope_q(self, user: User) -> Q:
        return self_inspection_scope_q(user)

    def pending(self) -> SelfInspectionPhotoQuerySet:
        """Uploaded with a submission that was refused (or not yet made): kept for the next try."""
        return self.filter(self_inspection__isnull=True)


class SelfInspectionPhoto(AbstractPhoto):
    """A landlord's photo proving one self-check item fine (自查照片): the extinguisher, its gauge, the smoke
    alarm, the escape route (`selfcheck.PHOTO_CODES`). Uploaded with a submission (its `client_uuid`); a
    photo whose submission was refused waits, pending, for the same submission's next try, so a landlord
    who forgot one photo does not take the others again."""

    upload_folder = "self-inspection"
    file_url_name = "longterm:selfinspectionphoto_file"

    premises = models.ForeignKey(
        Premises, on_delete=models.CASCADE, related_name="self_inspection_photos", verbose_name=_("出租户")
    )
    self_inspection = models.ForeignKey(
        SelfInspection,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("房东自查"),
        help_text=_("为空：所属自查尚未提交成功。"),
    )
    client_uuid = models.UUIDField(_("客户端编号"), help_text=_("上传时所属自查提交的客户端编号。"))
    item_code = models.CharField(_("检查项编号"), max_length=16)

    objects = SelfInspectionPhotoQuerySet.as_manager()

    class Meta(AbstractPhoto.Meta):
        verbose_name = _("自查照片")
        verbose_name_plural = pgettext_lazy("plural", "自查照片")
        constraints = [
            # One photo per item of a submission (a new one replaces a pending one).
            models.UniqueConstraint(
                fields=["client_uuid", "item_code"], name="selfinspectionphoto_one_per_item"
            ),
        ]
        indexes = [
            # Serves the clean-up of pending photos nobody submitted (the monthly miss job).
            models.Index(fields=["self_inspection", "uploaded_at"], name="selfinspectionphoto_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.premises_id} {self.item_code} {self.uploaded_at:%Y-%m-%d %H:%M}"

    def premises_for_audit(self) -> Premises:
        return self.premises


class SelfInspectionMissQuerySet(ScopedQuerySet["SelfInspectionMiss"]):
    def scope_q(self, user: User) -> Q:
        return self_inspection_scope_q(user)


class SelfInspectionMiss(Record):
    """A self-inspection owed and not made (逾期未自查): recorded at the start of the next period for each
    premises that owed one (in use, its landlord with a portal account) and had none; points (积分) deduct
    for it. Whether and when the landlord was reminded is kept with it."""

    scope_field = "premises"

    premises = models.ForeignKey(
        Premises, on_delete=models.CASCADE, related_name="self_inspection_misses", verbose_name=_("出租户")
    )
    landlord = models.ForeignKey(
        "registry.Landlord",
        on_delete=models.PROTECT,
        related_name="self_inspection_misses",
        verbose_name=_("房东"),
    )
    period = models.DateField(_("自查月份"), help_text=_("该期第一天。"))
    reminded_at = models.DateTimeField(
        _("提醒时间"), null=True, blank=True, help_text=_("为空：本期未发出提醒。")
    )

    objects = SelfInspectionMissQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "premises_id"]
        verbose_name = _("逾期未自查")
        verbose_name_plural = pgettext_lazy("plural", "逾期未自查")
        constraints = [
            models.UniqueConstraint(
                fields=["premises", "period"],
                name="selfinspectionmiss_one_per_period",
                violation_error_message=_("该出租户本期的逾期未自查已记录。"),
            ),
        ]
        indexes = [
            # Serves one period's figures and the owed list's "missed" filter.
            models.Index(fields=["period", "premises"], name="selfinspectionmiss_period"),
        ]

    def __str__(self) -> str:
        return _("%(premises)s %(period)s 逾期未自查") % {
            "premises": self.premises,
            "period": f"{self.period:%Y-%m}",
        }

    def premises_for_audit(self) -> Premises:
        return self.premises
