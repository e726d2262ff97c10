"""Landlord points (积分): the district's versioned points rules, the ledger of entries (every one a rule, an
amount, a reason and a link to what caused it), and the year-end evaluation with its 文明家庭 / 文明商户
nominations and their certificates."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.core.models import Record
from firegrid.core.querysets import NOTHING, ScopedQuerySet
from firegrid.core.rulesets import VersionedRuleSet, VersionedRuleSetQuerySet, one_published_constraint
from firegrid.registry.models import Landlord

from .choices import AwardKind, EvaluationStatus, PointsRule
from .rules import RULE_SET_SCHEMA

if TYPE_CHECKING:
    from firegrid.registry.models import Premises


def landlord_scope_q(user: User, prefix: str = "") -> Q:
    """Rows reaching a landlord through `prefix` (`landlord__`) in the user's scope: the registry's
    landlord scope (a landlord themself; area roles the landlords registered in or owning premises in
    their grids; a unit liaison the landlords their unit employs)."""
    if user.role == Role.LANDLORD:
        return Q(**{f"{prefix}id": user.landlord_id}) if user.landlord_id else NOTHING
    landlords = Landlord.objects.filter(Landlord.objects.all().scope_q(user)).values("pk")
    return Q(**{f"{prefix}id__in": landlords})


class PointsRuleSetQuerySet(VersionedRuleSetQuerySet["PointsRuleSet"]):
    pass


class PointsRuleSet(VersionedRuleSet):
    """One version of the district's points rules (积分规则), e.g. `points-2026.1`: the amount of every rule,
    the yearly base, the nomination thresholds of 文明家庭 / 文明商户 and the interval effect
    (`rules.SCHEMA`).

    Versioned like every rule set (`core/rulesets.py`). Each entry keeps the version its amount came from.
    """

    schema = RULE_SET_SCHEMA
    published_is_final = _("已发布的积分规则不能修改，请先基于它创建新版本。")

    objects = PointsRuleSetQuerySet.as_manager()

    class Meta(VersionedRuleSet.Meta):
        verbose_name = _("积分规则")
        verbose_name_plural = pgettext_lazy("plural", "积分规则")
        constraints = [
            one_published_constraint(
                "pointsruleset_one_published", _("同一时间只能有一个已发布的积分规则版本。")
            ),
        ]


class PointsEntryQuerySet(ScopedQuerySet["PointsEntry"]):
    def scope_q(self, user: User) -> Q:
        return landlord_scope_q(user, "landlord__")

    def of_year(self, year: int) -> PointsEntryQuerySet:
        return self.filter(year=year)


class PointsEntry(Record):
    """One entry of a landlord's points ledger (积分记录): a rule, a signed amount, the reason as shown to the
    landlord, the day it happened, and a link to what caused it (a self-inspection, a plan move, a hazard, a
    patrol, a tenant household, a meeting, or the entry a correction corrects).

    Written by the system when its cause happens (idempotent: the same cause never counts twice) or by an
    officer for attendance and corrections. Nobody changes or deletes an entry: a correction is a new one.
    """

    scope_field = "landlord"

    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="points_entries", verbose_name=_("房东")
    )
    rule = models.CharField(_("积分规则"), max_length=32, choices=PointsRule.choices)
    amount = models.SmallIntegerField(_("分值"))
    # The reason as the landlord reads it, in Chinese as written; `reason_msgid` + `reason_params` give it
    # in the reader's language (a typed note by an officer has no msgid).
    reason = models.CharField(_("原因"), max_length=300)
    reason_msgid = models.CharField(max_length=200, blank=True, editable=False)
    reason_params = models.JSONField(default=dict, blank=True, editable=False)
    # What the officer typed (an attendance without a meeting record, a correction's why).
    note = models.CharField(_("说明"), max_length=200, blank=True)
    occurred_on = models.DateField(_("发生日期"))
    # The calendar year the entry counts in (the year of `occurred_on`).
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    premises = models.ForeignKey(
        "registry.Premises",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="points_entries",
        verbose_name=_("出租户"),
    )
    source_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("来源类型"),
    )
    source_id = models.PositiveBigIntegerField(_("来源编号"), null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    # Distinguishes causes sharing one source row (a premises' missed self-inspection per period).
    source_key = models.CharField(_("来源标识"), max_length=32, blank=True, default="")
    # Where the source is shown (its page when it has one), and what it was, both as at the entry.
    source_url = models.CharField(_("来源链接"), max_length=200, blank=True)
    source_label = models.CharField(_("来源"), max_length=200, blank=True)
    rule_set = models.ForeignKey(
        PointsRuleSet, on_delete=models.PROTECT, related_name="entries", verbose_name=_("积分规则版本")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
        help_text=_("为空：由系统记录。"),
    )

    objects = PointsEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("积分记录")
        verbose_name_plural = pgettext_lazy("plural", "积分记录")
        constraints = [
            # The same cause counts once for a landlord: a replayed signal or job adds nothing.
            models.UniqueConstraint(
                fields=["rule", "source_type", "source_id", "source_key", "landlord"],
                name="pointsentry_one_per_cause",
                violation_error_message=_("该事项已记过积分。"),
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="pointsentry_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(source_type__isnull=True, source_id__isnull=True)
                | Q(source_type__isnull=False, source_id__isnull=False),
                name="pointsentry_source_whole",
            ),
        ]
        indexes = [
            # Serves a landlord's total for a year (ledger, portal, risk facts) and the year's totals.
            models.Index(fields=["landlord", "year"], name="pointsentry_landlord_year"),
            # Serves the entry list of a year, newest first.
            models.Index(fields=["year", "-occurred_on"], name="pointsentry_year_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.landlord} {self.signed_amount} {self.get_rule_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.occurred_on is not None:
            self.year = self.occurred_on.year
        super().save(*args, **kwargs)

    def premises_for_audit(self) -> Premises | None:
        return self.premises if self.premises_id else None

    @property
    def signed_amount(self) -> str:
        return f"+{self.amount}" if self.amount > 0 else str(self.amount)

    @property
    def reason_text(self) -> str:
        """The reason in the active language (the stored Chinese when it was typed by an officer)."""
        from .reasons import render, with_note

        if not self.reason_msgid:
            return self.reason
        return with_note(render(self.reason_msgid, self.reason_params, self.reason), self.note)


class YearEndEvaluationQuerySet(ScopedQuerySet["YearEndEvaluation"]):
    def scope_q(self, user: User) -> Q:
        # The district's evaluation: one record, read by everyone allowed to (nominees are scoped).
        return Q()


class YearEndEvaluation(Record):
    """The year-end evaluation (年度评选) of one year: the ranked landlords at or above each award's
    threshold, computed with the rule set in force, and — once the district commander confirms it — frozen,
    with a nomination and a certificate for each nominee.

    Until confirmed it may be computed again (entries keep coming); confirmed, its rows never change.
    """

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    rule_set = models.ForeignKey(
        PointsRuleSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("积分规则版本")
    )
    computed_at = models.DateTimeField(_("计算时间"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("计算人"),
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    # {award: {"landlords": n, "min_points": p, "share_percent": s, "cap": k, "qualified": q,
    #  "nominated": m}}: the thresholds as applied.
    summary = models.JSONField(_("评选概况"), default=dict, blank=True)
    # [{"award", "landlord", "name", "points", "rank", "nominated"}] — the landlords at or above an award's
    # minimum, ranked (same points, same rank); frozen at confirmation.
    rows = models.JSONField(_("排名"), default=list, blank=True)

    objects = YearEndEvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("年度评选")
        verbose_name_plural = pgettext_lazy("plural", "年度评选")

    def __str__(self) -> str:
        return _("%(year)s 年度评选") % {"year": self.year}

    @property
    def is_confirmed(self) -> bool:
        return self.status == EvaluationStatus.CONFIRMED


class NominationQuerySet(ScopedQuerySet["Nomination"]):
    def scope_q(self, user: User) -> Q:
        return landlord_scope_q(user, "landlord__")


def certificate_path(nomination: Nomination, filename: str) -> str:
    return f"certificates/{nomination.evaluation.year}/{uuid.uuid4().hex}.pdf"


class Nomination(Record):
    """A landlord nominated for 文明家庭 or 文明商户 by a confirmed year-end evaluation, with the certificate
    issued on it: its serial, its content frozen at confirmation, and its PDF kept after the first print,
    so a reprint is the same file."""

    scope_field = "landlord"

    evaluation = models.ForeignKey(
        YearEndEvaluation, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("年度评选")
    )
    landlord = models.ForeignKey(
        Landlord, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("房东")
    )
    award = models.CharField(_("评选类别"), max_length=16, choices=AwardKind.choices)
    points = models.IntegerField(_("年度积分"))
    rank = models.PositiveIntegerField(_("名次"))
    serial = models.CharField(_("证书编号"), max_length=64, unique=True)
    content = models.JSONField(_("证书内容"))
    # Rendered from `content` on first print, then kept: every reprint is this file.
    pdf = models.FileField(_("PDF"), upload_to=certificate_path, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(_("出具时间"))

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["evaluation", "award", "rank", "id"]
        verbose_name = _("评选提名")
        verbose_name_plural = pgettext_lazy("plural", "评选提名")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "landlord", "award"],
                name="nomination_once_per_award",
                violation_error_message=_("该房东已在本年度该类别中提名。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation.year} {self.get_award_display()} {self.landlord}"
