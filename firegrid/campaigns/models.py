"""Campaigns (专项整治行动): a time-boxed drive with scope and period, e.g. 2019's 铁拳行动."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.core.models import Record
from firegrid.core.querysets import ScopedQuerySet

from .choices import CampaignStatus


class CampaignQuerySet(ScopedQuerySet):
    def scope_q(self, user) -> Q:
        # Everyone taking part sees the campaigns; the figures inside are scoped by their own models.
        return Q()

    def running_on(self, day) -> CampaignQuerySet:
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
