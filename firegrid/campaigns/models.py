"""Campaigns (专项整治行动): a time-boxed drive with scope and period, e.g. 2019's 铁拳行动."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.core.models import Record
from firegrid.core.querysets import ScopedQuerySet

from .choices import CampaignStatus, ClaimStatus, MilestoneScope, TargetSource

if TYPE_CHECKING:
    from firegrid.areas.models import User


class CampaignQuerySet(ScopedQuerySet):
    def scope_q(self, user: User) -> Q:
        # Everyone taking part sees the campaigns; the figures inside are scoped by their own models.
        return Q()

    def running_on(self, day: dt.date) -> CampaignQuerySet:
        return self.filter(status=CampaignStatus.RUNNING, starts_on__lte=day, ends_on__gte=day)

    def current(self) -> Campaign | None:
        """The campaign new rectification plans belong to today, if one runs."""
        return self.running_on(timezone.localdate()).order_by("-starts_on", "-pk").first()


class Campaign(Record):
    """A campaign (专项整治行动) with its period and scope; rectification plans belong to one."""

    name = models.CharField(_("名称"), max_length=100)
    code = models.SlugField(_("代号"), max_length=32, unique=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED
    )
    areas = models.ManyToManyField("areas.Area", blank=True, related_name="campaigns", verbose_name=_("范围"))

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("专项整治行动")
        verbose_name_plural = pgettext_lazy("plural", "专项整治行动")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="campaign_period_in_order",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})


class Milestone(models.Model):
    """A date the campaign must reach, e.g. four-category landlords done by 31 October (节点目标)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("名称"), max_length=100)
    due_on = models.DateField(_("完成日期"))
    scope = models.CharField(
        _("范围"), max_length=16, choices=MilestoneScope.choices, default=MilestoneScope.ALL
    )

    class Meta:
        ordering = ["campaign", "due_on", "id"]
        verbose_name = _("节点目标")
        verbose_name_plural = pgettext_lazy("plural", "节点目标")

    def __str__(self) -> str:
        return f"{self.name} {self.due_on}"

    def clean(self) -> None:
        campaign = self.campaign
        if self.due_on and campaign and not (campaign.starts_on <= self.due_on <= campaign.ends_on):
            raise ValidationError(
                {
                    "due_on": _("节点日期必须在行动期间内（%(start)s 至 %(end)s）。")
                    % {"start": campaign.starts_on, "end": campaign.ends_on}
                }
            )


class CampaignTarget(models.Model):
    """A premises' membership of a campaign's targets (整治对象): from the hazards found, or added by hand.

    Membership is dated: a target is a member from `joined_on` (the day its hazards were found, or the day
    it was added) until `left_on` (the day it was removed; it is no longer a member on that day). A removal
    is an end date with who and why, never a deletion, so a past day's figures and lists can always be
    read again (`status.members_on`). Each row also says when it was written (`added_at`, `left_at`): a
    report counts the memberships known when it was made, so a later change dated into the past never
    alters a stored report. Re-adding a removed premises is a new row: at most one open row (no
    `left_on`) per campaign and premises."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    premises = models.ForeignKey(
        "registry.Premises",
        on_delete=models.CASCADE,
        related_name="campaign_targets",
        verbose_name=_("出租户"),
    )
    source = models.CharField(
        _("来源"), max_length=16, choices=TargetSource.choices, default=TargetSource.HAZARDS
    )
    added_at = models.DateTimeField(_("加入时间"), default=timezone.now)
    joined_on = models.DateField(
        _("加入日期"), help_text=_("发现隐患或手工加入的日期：自该日起计入整治对象。")
    )
    left_on = models.DateField(
        _("移出日期"), null=True, blank=True, help_text=_("自该日起不再计入整治对象。")
    )
    left_at = models.DateTimeField(_("移出登记时间"), null=True, blank=True)
    left_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("移出人"),
    )
    left_reason = models.CharField(_("移出原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["campaign", "id"]
        verbose_name = _("整治对象")
        verbose_name_plural = pgettext_lazy("plural", "整治对象")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "premises"],
                condition=Q(left_on__isnull=True),
                name="campaign_target_once",
                violation_error_message=_("该出租户已是本次行动的整治对象。"),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="campaign_target_left_after_joined",
                violation_error_message=_("移出日期不能早于加入日期。"),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True, left_at__isnull=True)
                | Q(left_on__isnull=False, left_at__isnull=False),
                name="campaign_target_left_recorded",
                violation_error_message=_("移出日期与移出登记时间须同时填写。"),
            ),
        ]
        indexes = [
            # Serves members_on (a campaign's memberships on a day) for every figure and drill-down list.
            models.Index(fields=["campaign", "joined_on"], name="campaign_target_joined"),
        ]

    def __str__(self) -> str:
        return str(self.premises)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A row written without its day joined on the day it was added (Asia/Shanghai).
        if self.joined_on is None:
            self.joined_on = timezone.localtime(self.added_at).date()
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        """Still a member (not removed)."""
        return self.left_on is None

    def is_member_on(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on > day)


class WorkGroupQuerySet(ScopedQuerySet):
    def scope_q(self, user: User) -> Q:
        return Q()


class WorkGroup(Record):
    """A campaign work group (专项整治工作组): led by a grid leader, with members from departments and
    subdistricts, owning a set of areas."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="work_groups")
    name = models.CharField(_("名称"), max_length=100)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_work_groups",
        verbose_name=_("网格长"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="work_groups", verbose_name=_("成员")
    )
    departments = models.ManyToManyField(
        "areas.Department", blank=True, related_name="work_groups", verbose_name=_("成员部门")
    )
    areas = models.ManyToManyField("areas.Area", related_name="work_groups", verbose_name=_("负责区域"))

    objects = WorkGroupQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "name", "id"]
        verbose_name = _("专项整治工作组")
        verbose_name_plural = pgettext_lazy("plural", "专项整治工作组")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name"],
                name="work_group_unique_name",
                violation_error_message=_("本次行动已有同名工作组。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ClaimQuerySet(ScopedQuerySet):
    def scope_q(self, user: User) -> Q:
        from firegrid.areas.choices import AREA_ROLES, Role
        from firegrid.registry.models import Landlord

        if user.role == Role.UNIT_LIAISON:
            return Q(unit_id=user.unit_id) if user.unit_id else Q(pk__in=[])
        if user.role in AREA_ROLES:
            return Q(landlord__in=Landlord.objects.visible_to(user).values("pk"))
        if user.role == Role.LANDLORD:
            return Q(landlord_id=user.landlord_id) if user.landlord_id else Q(pk__in=[])
        return Q(pk__in=[])

    def active(self) -> ClaimQuerySet:
        return self.filter(status=ClaimStatus.ACTIVE)


class Claim(Record):
    """An employer unit's claim (认领) of a four-category landlord for one campaign: the unit pushes
    that landlord's rectification. One unit per landlord per campaign."""

    scope_field = "unit"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="claims")
    landlord = models.ForeignKey(
        "registry.Landlord", on_delete=models.PROTECT, related_name="claims", verbose_name=_("房东")
    )
    unit = models.ForeignKey(
        "areas.Unit", on_delete=models.PROTECT, related_name="claims", verbose_name=_("单位")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.ACTIVE
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("认领人")
    )
    claimed_at = models.DateTimeField(_("认领时间"), default=timezone.now)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-claimed_at", "-id"]
        verbose_name = _("认领")
        verbose_name_plural = pgettext_lazy("plural", "认领")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "landlord"],
                condition=Q(status=ClaimStatus.ACTIVE),
                name="claim_one_unit_per_landlord",
                violation_error_message=_("该房东在本次行动中已被其他单位认领。"),
            ),
        ]
        indexes = [
            # Serves the unit's page and the per-unit figures of the daily report.
            models.Index(fields=["campaign", "unit", "status"], name="claim_campaign_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.landlord}"

    # The unit–landlord pledge (单位—房东承诺书), frozen when first printed: a reprint is the same document
    # even after the landlord's premises or the milestone change (firegrid.campaigns.pledges).
    pledge_serial = models.CharField(_("承诺书编号"), max_length=40, blank=True)
    pledge_content = models.JSONField(_("承诺书内容"), null=True, blank=True, editable=False)
