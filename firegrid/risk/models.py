"""Risk grades (风险等级) per premises, the versioned rule sets they are computed with (风险规则), the
next re-inspection date they set (复查到期), and the history of grade changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.areas.choices import AreaLevel, Role
from firegrid.areas.models import Area, User
from firegrid.core.models import Record
from firegrid.core.querysets import NOTHING, ScopedQuerySet
from firegrid.core.rulesets import VersionedRuleSet, VersionedRuleSetQuerySet, one_published_constraint
from firegrid.registry.models import Premises, premises_scope_q

from .choices import DUE_SOON_DAYS, GRADE_LEVEL, DueState, GradeCause, RiskGrade
from .rules import RULE_SET_SCHEMA, explain, render_reason


class RiskRuleSetQuerySet(VersionedRuleSetQuerySet["RiskRuleSet"]):
    pass


class RiskRuleSet(VersionedRuleSet):
    """One version of the district's risk rules (风险规则), e.g. `risk-2026.1`: the weights of the rules,
    the grade cut-offs and the re-inspection interval of each grade (`rules.SCHEMA`).

    Versioned like every rule set (`core/rulesets.py`). Grades keep the version they were computed with.
    """

    schema = RULE_SET_SCHEMA
    published_is_final = _("已发布的风险规则不能修改，请先基于它创建新版本。")

    objects = RiskRuleSetQuerySet.as_manager()

    class Meta(VersionedRuleSet.Meta):
        verbose_name = _("风险规则")
        verbose_name_plural = pgettext_lazy("plural", "风险规则")
        constraints = [
            one_published_constraint(
                "riskruleset_one_published", _("同一时间只能有一个已发布的风险规则版本。")
            ),
        ]


def grade_scope_q(user: User, prefix: str = "") -> Q:
    """Grade rows (reaching their premises through `prefix`) in the user's scope: the premises' scope,
    except that a unit liaison has no grades to follow."""
    if user.role == Role.UNIT_LIAISON:
        return NOTHING
    return premises_scope_q(user, f"{prefix}premises__")


class PremisesGradeQuerySet(ScopedQuerySet["PremisesGrade"]):
    def scope_q(self, user: User) -> Q:
        return grade_scope_q(user)

    def due_state(self, state: str, on: dt.date | None = None) -> PremisesGradeQuerySet:
        on = on or timezone.localdate()
        if state == DueState.OVERDUE:
            return self.filter(next_due__lt=on)
        if state == DueState.TODAY:
            return self.filter(next_due=on)
        if state == DueState.WEEK:
            return self.filter(next_due__gt=on, next_due__lte=on + dt.timedelta(days=DUE_SOON_DAYS))
        return self.none()


class PremisesGrade(Record):
    """The current risk grade of one premises (风险等级: 红 高 / 黄 中 / 绿 低), with its score, the reasons
    that made it, the rule-set version it was computed with, and the premises' next re-inspection date
    (复查到期: the last covering inspection + the grade's interval; the day of grading if never inspected).

    Computed by `services.recompute_grades`, never edited by hand. Its primary key is the premises'.
    """

    scope_field = "premises"

    premises = models.OneToOneField(
        Premises,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="risk_grade",
        verbose_name=_("出租户"),
    )
    grade = models.CharField(_("风险等级"), max_length=8, choices=RiskGrade.choices)
    # 0 red, 1 yellow, 2 green (choices.GRADE_RANK): lists order by it, red first.
    rank = models.PositiveSmallIntegerField(_("等级顺序"), editable=False)
    score = models.PositiveIntegerField(_("风险分"))
    # [{"msgid": …, "params": {…}, "weight": n}], heaviest first; translated when shown.
    reasons = models.JSONField(_("原因"), default=list, blank=True)
    rule_set = models.ForeignKey(
        RiskRuleSet, on_delete=models.PROTECT, related_name="grades", verbose_name=_("风险规则版本")
    )
    computed_at = models.DateTimeField(_("计算时间"))
    last_covering_inspection_at = models.DateTimeField(_("上次检查时间"), null=True, blank=True)
    next_due = models.DateField(_("下次复查日期"))

    objects = PremisesGradeQuerySet.as_manager()

    class Meta:
        ordering = ["rank", "next_due", "premises_id"]
        verbose_name = _("风险等级")
        verbose_name_plural = pgettext_lazy("plural", "风险等级")
        indexes = [
            # Serves the due list's order (grade, then the longest overdue first) and its grade filter.
            models.Index(fields=["rank", "next_due"], name="premisesgrade_rank_due"),
            # Serves the due / overdue / due-this-week counts and filters of the figures page.
            models.Index(fields=["next_due"], name="premisesgrade_next_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(grade__in=RiskGrade.values), name="premisesgrade_known_grade"),
        ]

    def __str__(self) -> str:
        return f"{self.premises} · {self.get_grade_display()}"

    def premises_for_audit(self) -> Premises:
        return self.premises

    @property
    def level(self) -> str:
        return str(GRADE_LEVEL[RiskGrade(self.grade)])

    def reason_texts(self) -> list[str]:
        return [render_reason(r) for r in self.reasons]

    @property
    def explanation(self) -> str:
        return explain(self.grade, self.reasons)

    def due_state(self, on: dt.date | None = None) -> str:
        on = on or timezone.localdate()
        if self.next_due < on:
            return DueState.OVERDUE
        if self.next_due == on:
            return DueState.TODAY
        if self.next_due <= on + dt.timedelta(days=DUE_SOON_DAYS):
            return DueState.WEEK
        return ""

    def days_overdue(self, on: dt.date | None = None) -> int:
        return max(0, ((on or timezone.localdate()) - self.next_due).days)


class GradeChangeQuerySet(ScopedQuerySet["GradeChange"]):
    def scope_q(self, user: User) -> Q:
        return grade_scope_q(user)

    def within_days(self, days: int, on: dt.date | None = None) -> GradeChangeQuerySet:
        """Changes in the last `days` days up to `on` (today), both included, in local time."""
        on = on or timezone.localdate()
        start = dt.datetime.combine(on - dt.timedelta(days=days - 1), dt.time.min)
        return self.filter(computed_at__gte=timezone.make_aware(start))


class GradeChange(models.Model):
    """A premises' grade moving from one colour to another (written only when the grade changes): the
    grade's history, with the reasons and rule-set version of the new grade and what caused it."""

    premises = models.ForeignKey(
        Premises, on_delete=models.CASCADE, related_name="grade_changes", verbose_name=_("出租户")
    )
    old_grade = models.CharField(_("原等级"), max_length=8, choices=RiskGrade.choices, blank=True)
    new_grade = models.CharField(_("新等级"), max_length=8, choices=RiskGrade.choices)
    score = models.PositiveIntegerField(_("风险分"))
    reasons = models.JSONField(_("原因"), default=list, blank=True)
    rule_set = models.ForeignKey(
        RiskRuleSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("风险规则版本")
    )
    computed_at = models.DateTimeField(_("计算时间"))
    cause = models.CharField(_("起因"), max_length=16, choices=GradeCause.choices)

    objects = GradeChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = _("风险等级变化")
        verbose_name_plural = pgettext_lazy("plural", "风险等级变化")
        indexes = [
            # Serves a premises' grade history on its page, newest first.
            models.Index(fields=["premises", "-computed_at"], name="gradechange_premises_recent"),
        ]

    def __str__(self) -> str:
        old = self.get_old_grade_display() or "—"
        return f"{self.premises_id}: {old} → {self.get_new_grade_display()}"

    def premises_for_audit(self) -> Premises:
        return self.premises

    def reason_texts(self) -> list[str]:
        return [render_reason(r) for r in self.reasons]

    def as_dict(self) -> dict[str, Any]:
        return {
            "old_grade": self.old_grade,
            "new_grade": self.new_grade,
            "score": self.score,
            "reasons": self.reason_texts(),
            "rule_set": self.rule_set_id,
            "computed_at": self.computed_at,
            "cause": self.cause,
        }


class KeyAreaQuerySet(ScopedQuerySet["KeyArea"]):
    def scope_q(self, user: User) -> Q:
        # A designation is the command's notice to everyone who works there, not a record of a place's
        # people: every role that may read key areas reads them all.
        return Q()

    def active_on(self, on: dt.date) -> KeyAreaQuerySet:
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on)


class KeyArea(Record):
    """重点区域: an area (a subdistrict, a community or a grid) the district command designates, with the
    reason and the period, so that every premises inside it is graded higher and re-inspected sooner
    (`key_areas.py`: a reason with `weight` points, the interval × `interval_percent` / 100). 樟潭街道 has
    been one since 2015: 284 of the district's 553 fire alarms of 2018 were there."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="key_areas", verbose_name=_("区域"))
    reason = models.CharField(_("设立原因"), max_length=200)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True, help_text=_("不填表示长期。"))
    weight = models.PositiveSmallIntegerField(
        _("加权分"),
        default=10,
        validators=[MaxValueValidator(100)],
        help_text=_("区域内每个出租户的风险分增加的分数。"),
    )
    interval_percent = models.PositiveSmallIntegerField(
        _("复查间隔比例"),
        default=50,
        validators=[MinValueValidator(10), MaxValueValidator(100)],
        help_text=_("区域内复查间隔按此百分比缩短，如 50 表示减半。"),
    )

    objects = KeyAreaQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("重点区域")
        verbose_name_plural = pgettext_lazy("plural", "重点区域")

    def __str__(self) -> str:
        return f"{self.area} · {self.starts_on:%Y-%m-%d}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.area_id and self.area.level == AreaLevel.DISTRICT:
            errors["area"] = _("重点区域应为街道、社区或网格，不能是全区。")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("结束日期不能早于开始日期。")
        if errors:
            raise ValidationError(errors)
