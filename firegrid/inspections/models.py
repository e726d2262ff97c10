"""Checklist templates (versioned), inspections with their answers and photos, and the hazards they find."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from firegrid.areas.choices import AREA_ROLES
from firegrid.areas.models import User
from firegrid.core.models import Record
from firegrid.core.photos import AbstractPhoto, photo_path
from firegrid.core.querysets import ScopedQuerySet
from firegrid.core.validators import validate_latitude, validate_longitude
from firegrid.registry.models import Building, Premises

from .choices import (
    BUCKET_STATUSES,
    AnswerResult,
    HazardBucket,
    HazardStatus,
    InspectionKind,
    InspectionStatus,
    PhotoRole,
    Severity,
    TemplateStatus,
    VisitOutcome,
)


def in_english() -> bool:
    """Whether the interface speaks English now (the checklist's own texts then show their English)."""
    return (get_language() or "").startswith("en")


def _localised(chinese: str, english: str) -> str:
    """The English text in English when there is one; the Chinese otherwise (and always in Chinese)."""
    return english if english and in_english() else chinese


def building_scope_q(user: User, prefix: str = "") -> Q:
    """Inspection rows (with a building and maybe a premises, reached through `prefix`) in the user's scope.

    Area roles see their grids. A landlord or unit liaison sees what concerns their premises — and the
    building-level findings (common stairs, fire lanes) of the buildings those premises are in — never
    another landlord's premises in the same building.
    """
    if user.role in AREA_ROLES:
        return Q(**{f"{prefix}building__grid_id__in": user.scope_grid_ids})
    own_premises = Premises.objects.visible_to(user)
    return Q(**{f"{prefix}premises__in": own_premises.values("pk")}) | Q(
        **{f"{prefix}premises__isnull": True, f"{prefix}building__in": own_premises.values("building_id")}
    )


class ChecklistTemplateQuerySet(ScopedQuerySet["ChecklistTemplate"]):
    def scope_q(self, user: User) -> Q:
        return Q()

    def current(self) -> ChecklistTemplate | None:
        """The published template new inspections use: the most recently published one."""
        return self.filter(status=TemplateStatus.PUBLISHED).order_by("-published_at", "-pk").first()


class ChecklistTemplate(Record):
    """One version of the inspection checklist (检查表), e.g. `zj-2019.1`.

    A published template never changes: a district edits its thresholds in a new draft version and
    publishes that; inspections keep the version they were started on.
    """

    code = models.CharField(_("版本号"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    standard = models.CharField(_("依据标准"), max_length=64, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("基于版本")
    )
    # {name: {"value": …, "unit": …, "description_zh": …, "variants": […]}}: thresholds a district sets.
    parameters = models.JSONField(_("参数"), default=dict, blank=True)
    severities = models.JSONField(_("隐患等级说明"), default=list, blank=True)
    categories = models.JSONField(_("分类"), default=list, blank=True)
    notes = models.TextField(_("说明"), blank=True)

    objects = ChecklistTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "code"]
        verbose_name = _("检查表")
        verbose_name_plural = pgettext_lazy("plural", "检查表")

    def __str__(self) -> str:
        return f"{self.display_name}（{self.code}）"

    def parameter(self, name: str) -> Any:
        return (self.parameters.get(name) or {}).get("value")

    @property
    def display_parameters(self) -> list[tuple[str, dict[str, Any], str]]:
        """(name, parameter, its description in the interface's language) for each parameter."""
        return [
            (name, p, _localised(p.get("description_zh", ""), p.get("description_en", "")))
            for name, p in self.parameters.items()
        ]

    @property
    def display_name(self) -> str:
        return _localised(self.name, self.name_en)

    def category_name(self, code: str) -> str:
        """The category's name in the interface's language (its Chinese when it has no English)."""
        category: dict[str, str] = next((c for c in self.categories if c.get("code") == code), {})
        return _localised(category.get("name_zh") or code, category.get("name_en", ""))

    def category_name_zh(self, code: str) -> str:
        """The category's Chinese name, whatever the language (the API's `category_name`)."""
        return next((c.get("name_zh", code) for c in self.categories if c.get("code") == code), code)


class ChecklistItem(models.Model):
    """One requirement of a template (检查项), with its code, e.g. `EXIT-01`."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("编号"), max_length=16)
    category = models.CharField(_("分类"), max_length=16)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    title = models.CharField(_("检查项"), max_length=100)
    title_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    requirement = models.TextField(_("要求"))
    requirement_en = models.TextField(_("英文要求"), blank=True)
    applies_to = models.JSONField(_("适用类型"), default=list)
    shared_rental_only = models.BooleanField(_("仅群租房"), default=False)
    area_level = models.BooleanField(_("按建筑检查"), default=False)
    severity = models.CharField(_("隐患等级"), max_length=16, choices=Severity.choices)
    gb35181_element = models.CharField(_("GB 35181 要素"), max_length=64, blank=True)
    # {"kind": "yes_no"} or {"kind": "measure", "parameter": …, "comparison": ">=", "unit": …}
    rule = models.JSONField(_("判定方式"), default=dict)
    default_deadline_days = models.PositiveSmallIntegerField(_("默认整改期限（天）"), null=True, blank=True)
    # What the landlord is told to do (整改措施), distinct from what the recheck must find (验收标准): a notice
    # prints both. Empty in a district's own item: the plan then falls back to the acceptance standard.
    measure = models.TextField(_("整改措施"), blank=True)
    measure_en = models.TextField(_("英文整改措施"), blank=True)
    acceptance = models.TextField(_("验收标准"), blank=True)
    acceptance_en = models.TextField(_("英文验收标准"), blank=True)
    basis = models.JSONField(_("依据"), default=list, blank=True)
    confidence = models.CharField(_("来源可信度"), max_length=16, blank=True)

    class Meta:
        ordering = ["template", "position"]
        verbose_name = _("检查项")
        verbose_name_plural = pgettext_lazy("plural", "检查项")
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="checklist_item_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display_title}"

    # The texts in the interface's language. Official documents to landlords print the Chinese fields.
    @property
    def display_title(self) -> str:
        return _localised(self.title, self.title_en)

    @property
    def display_requirement(self) -> str:
        return _localised(self.requirement, self.requirement_en)

    @property
    def display_measure(self) -> str:
        return _localised(self.measure, self.measure_en)

    @property
    def display_acceptance(self) -> str:
        return _localised(self.acceptance, self.acceptance_en)

    def display_text(self, text: str) -> str:
        """A text copied from this item (a plan's measure or standard, drafted from it) in the interface's
        language: the item's English when `text` is still one of its Chinese texts unchanged; an edited
        text as written."""
        if not in_english():
            return text
        for chinese, english in (
            (self.measure, self.measure_en),
            (self.acceptance, self.acceptance_en),
            (self.requirement, self.requirement_en),
        ):
            if chinese and english and text.strip() == chinese.strip():
                return english
        return text

    @property
    def is_measured(self) -> bool:
        return self.rule.get("kind") == "measure"

    def applies_to_premises(self, premises: Premises | None) -> bool:
        """Does this item apply to that premises (or, with None, to a building as a whole)?"""
        if premises is None:
            return self.area_level
        if self.area_level or premises.kind not in self.applies_to:
            return False
        return not (
            self.shared_rental_only and premises.kind == "residential" and not premises.is_shared_rental
        )

    def passes(self, measured: Decimal, template: ChecklistTemplate) -> bool:
        """Compare a measured value with the template's threshold for this item."""
        threshold = Decimal(str(template.parameter(self.rule["parameter"])))
        return {">=": measured >= threshold, "<=": measured <= threshold}[self.rule.get("comparison", ">=")]


class InspectionQuerySet(ScopedQuerySet["Inspection"]):
    def scope_q(self, user: User) -> Q:
        return building_scope_q(user)

    def submitted(self) -> InspectionQuerySet:
        return self.filter(status=InspectionStatus.SUBMITTED)

    def return_visits_owed(self, due_by: dt.date | None = None) -> InspectionQuerySet:
        """Return visits still owed (待回访): a visit that ended locked, not found or renovating, with no
        later visit of the premises submitted since (`answered_at`, kept by the submit service). With
        `due_by`: only those whose return day has come. An index scan (`inspection_owed_return`)."""
        owed = self.filter(
            status=InspectionStatus.SUBMITTED, return_visit_due__isnull=False, answered_at__isnull=True
        )
        return owed if due_by is None else owed.filter(return_visit_due__lte=due_by)


class Inspection(Record):
    """A visit with a checklist (检查) to a premises — or to a building, for its area-level items.

    Every visit ends with an outcome: inspected, or why not (locked, vacant …).
    """

    scope_field = "building"

    premises = models.ForeignKey(
        "registry.Premises",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("出租户"),
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("建筑")
    )
    kind = models.CharField(
        _("检查类型"), max_length=16, choices=InspectionKind.choices, default=InspectionKind.SURVEY
    )
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("检查表")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=InspectionStatus.choices, default=InspectionStatus.DRAFT
    )
    outcome = models.CharField(_("检查结果"), max_length=16, choices=VisitOutcome.choices, blank=True)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspections", verbose_name=_("检查人员")
    )
    departments = models.ManyToManyField(
        "areas.Department", blank=True, related_name="inspections", verbose_name=_("联合检查部门")
    )
    rooms_inspected = models.ManyToManyField(
        "registry.Room", blank=True, related_name="inspections", verbose_name=_("已查房间")
    )
    started_at = models.DateTimeField(_("开始时间"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # The device position is optional evidence, never required (no location tracks as attendance).
    latitude = models.DecimalField(
        _("纬度"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_latitude]
    )
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_longitude]
    )
    # Made by the client; a retried submit with the same id never makes a second inspection.
    client_uuid = models.UUIDField(_("客户端编号"), default=uuid.uuid4, unique=True, editable=False)
    return_visit_due = models.DateField(_("回访日期"), null=True, blank=True)
    # When a later visit of the premises was submitted: a return visit owed is answered by any later visit
    # (a second locked door schedules its own). Kept by `services.submit_inspection` in the same
    # transaction, so "owed" is an indexed predicate, not a search for later visits.
    answered_at = models.DateTimeField(_("回访完成时间"), null=True, blank=True, editable=False)
    note = models.TextField(_("备注"), blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("检查")
        verbose_name_plural = pgettext_lazy("plural", "检查")
        indexes = [
            # Serves survey coverage: covering outcomes per premises.
            models.Index(fields=["premises", "status", "outcome"], name="inspection_premises_outcome"),
            # Serves the return-visit list.
            models.Index(fields=["status", "return_visit_due"], name="inspection_return_visit"),
            # Return visits still owed (the work queue, the list's 待回访): few rows among millions.
            models.Index(
                fields=["return_visit_due", "premises"],
                condition=Q(status=InspectionStatus.SUBMITTED, answered_at__isnull=True)
                & Q(return_visit_due__isnull=False),
                name="inspection_owed_return",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=InspectionStatus.DRAFT) | ~Q(outcome=""),
                name="inspection_submitted_has_outcome",
                violation_error_message=_("提交的检查必须有检查结果。"),
            ),
        ]

    def __str__(self) -> str:
        target = self.premises if self.premises_id else self.building
        return f"{self.get_kind_display()} · {target} · {self.started_at:%Y-%m-%d}"

    def premises_for_audit(self) -> Premises | None:
        return self.premises

    def clean(self) -> None:
        premises = self.premises if self.premises_id else None
        if premises is not None and self.building_id and premises.building_id != self.building_id:
            raise ValidationError({"premises": _("出租户不在所选建筑内。")})

    def applicable_items(self) -> list[ChecklistItem]:
        return [item for item in self.template.items.all() if item.applies_to_premises(self.premises)]


class Answer(models.Model):
    """The inspector's finding on one checklist item during one inspection."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="answers", verbose_name=_("检查项")
    )
    result = models.CharField(_("结论"), max_length=8, choices=AnswerResult.choices)
    measured_value = models.DecimalField(_("实测值"), max_digits=10, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    fixed_on_spot = models.BooleanField(_("当场整改"), default=False)

    class Meta:
        ordering = ["inspection", "item__position"]
        verbose_name = _("检查结论")
        verbose_name_plural = pgettext_lazy("plural", "检查结论")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="answer_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} {self.get_result_display()}"


class HazardQuerySet(ScopedQuerySet["Hazard"]):
    def scope_q(self, user: User) -> Q:
        return building_scope_q(user)

    def in_bucket(self, bucket: str) -> HazardQuerySet:
        return self.filter(status__in=BUCKET_STATUSES[HazardBucket(bucket)])


class Hazard(Record):
    """A failed checklist item found at a premises or building (隐患), followed until it is removed."""

    scope_field = "building"

    premises = models.ForeignKey(
        "registry.Premises",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name=_("出租户"),
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="hazards", verbose_name=_("建筑")
    )
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="hazards", verbose_name=_("检查项")
    )
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="hazards_found", verbose_name=_("发现于")
    )
    answer = models.OneToOneField(
        Answer, on_delete=models.PROTECT, related_name="hazard", null=True, blank=True
    )
    severity = models.CharField(_("隐患等级"), max_length=16, choices=Severity.choices)
    status = models.CharField(
        _("状态"), max_length=24, choices=HazardStatus.choices, default=HazardStatus.OPEN
    )
    found_at = models.DateTimeField(_("发现时间"))
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    closed_at = models.DateTimeField(_("消除时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards_closed",
        verbose_name=_("验收检查"),
    )
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    objects = HazardQuerySet.as_manager()

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("隐患")
        verbose_name_plural = pgettext_lazy("plural", "隐患")
        indexes = [
            # Serves hazard lists by status within an area and the premises' open hazards.
            models.Index(fields=["status", "building"], name="hazard_status_building"),
            models.Index(fields=["premises", "status"], name="hazard_premises_status"),
            # Serves every hazard list's default order (newest first): at 3 M hazards the page query
            # fell from 0.4-2.3 s to under 30 ms with it (bench/README.md).
            models.Index(fields=["-found_at", "-id"], name="hazard_newest_first"),
        ]

    def __str__(self) -> str:
        return str(self.item)

    def premises_for_audit(self) -> Premises | None:
        return self.premises

    @property
    def bucket(self) -> str:
        for bucket, statuses in BUCKET_STATUSES.items():
            if self.status in statuses:
                return bucket
        return ""


class PhotoQuerySet(ScopedQuerySet["Photo"]):
    def scope_q(self, user: User) -> Q:
        return building_scope_q(user, "inspection__")


class Photo(AbstractPhoto):
    """A photo taken during an inspection: evidence of a hazard, or of its fix."""

    upload_folder = "photos"
    file_url_name = "inspections:photo_file"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")
    role = models.CharField(
        _("照片类型"), max_length=16, choices=PhotoRole.choices, default=PhotoRole.EVIDENCE
    )
    # An inspection photo also keeps its size, for the API's clients.
    image = models.ImageField(_("照片"), upload_to=photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    # From EXIF, kept here as evidence; the served file has its EXIF stripped.
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)  # the table has this index; the others do not

    objects = PhotoQuerySet.as_manager()

    class Meta(AbstractPhoto.Meta):
        verbose_name = _("照片")
        verbose_name_plural = pgettext_lazy("plural", "照片")

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.uploaded_at:%Y-%m-%d %H:%M}"
