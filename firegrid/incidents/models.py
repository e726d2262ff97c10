"""The fire incident register (火警火灾): one row per call or fire the fire service records, with the premises
its address was matched to."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area, User
from firegrid.core.models import Record
from firegrid.core.querysets import NOTHING, ScopedQuerySet
from firegrid.registry.models import Premises

from .choices import IncidentCause, IncidentKind, MatchMethod, MatchState


def areas_touching(user: User) -> set[int]:
    """The user's grids and the communities and subdistricts above them: an incident recorded at any of
    these levels happened in (or around) the user's area."""
    grids = user.scope_grid_ids or []
    if not grids:
        return set()
    parents = set(Area.objects.filter(pk__in=grids).values_list("parent_id", flat=True))
    above = set(Area.objects.filter(pk__in=parents).values_list("parent_id", flat=True))
    return {*grids, *(p for p in parents | above if p is not None)}


class FireIncidentQuerySet(ScopedQuerySet["FireIncident"]):
    def scope_q(self, user: User) -> Q:
        ids = areas_touching(user)
        return Q(area_id__in=ids) if ids else NOTHING


class FireIncident(Record):
    """火警火灾: what the fire service recorded — when, where (the address as reported), the kind, the cause,
    casualties and loss, its own reference — and the premises the address matched (`matching.py`). `area`
    is where it counts in the hotspots: the matched premises' grid, else the area the record gave."""

    reference = models.CharField(_("警情编号"), max_length=40, unique=True)
    occurred_at = models.DateTimeField(_("发生时间"))
    kind = models.CharField(_("类别"), max_length=8, choices=IncidentKind.choices, default=IncidentKind.ALARM)
    cause = models.CharField(
        _("起火原因"), max_length=16, choices=IncidentCause.choices, default=IncidentCause.UNKNOWN
    )
    address = models.CharField(_("报警地址"), max_length=200)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="fire_incidents", verbose_name=_("所在区域")
    )
    premises = models.ForeignKey(
        Premises,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fire_incidents",
        verbose_name=_("出租户"),
    )
    match_state = models.CharField(
        _("匹配状态"), max_length=16, choices=MatchState.choices, default=MatchState.UNMATCHED
    )
    match_method = models.CharField(_("匹配方式"), max_length=16, choices=MatchMethod.choices, blank=True)
    match_score = models.PositiveSmallIntegerField(
        _("匹配度"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    deaths = models.PositiveSmallIntegerField(_("死亡人数"), default=0)
    injuries = models.PositiveSmallIntegerField(_("受伤人数"), default=0)
    loss_yuan = models.DecimalField(_("直接损失（元）"), max_digits=12, decimal_places=2, default=0)
    note = models.CharField(_("备注"), max_length=500, blank=True)

    objects = FireIncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("火警火灾")
        verbose_name_plural = pgettext_lazy("plural", "火警火灾")
        indexes = [
            # The hotspots: incidents of an area by month; the list: an area's, newest first.
            models.Index(fields=["area", "occurred_at"], name="incident_area_time"),
            models.Index(fields=["match_state", "-occurred_at"], name="incident_match_time"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {timezone.localtime(self.occurred_at):%Y-%m-%d %H:%M} · {self.address}"

    def clean(self) -> None:
        if self.area_id and self.area.level == AreaLevel.DISTRICT:
            raise ValidationError({"area": _("请选择街道、社区或网格。")})

    def premises_for_audit(self) -> Premises | None:
        return self.premises
