"""Patrols (巡查): teams, patrols with their routes, scans of the buildings' QR plates, findings and their
photos (the fabrication checks' records are in `flags.py` beside this module).

Scope: a patrol team and its patrols are placed in an area — a grid or a community. Area roles see those
of their grids and of the communities their grids are in; a landlord sees only the patrols of the teams
they belong to (and only those patrols' scans and findings); district-wide roles see all; unit liaisons
nothing.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.areas.choices import AREA_ROLES, AreaLevel, Role
from firegrid.areas.models import Area, User
from firegrid.core.models import Record
from firegrid.core.photos import AbstractPhoto
from firegrid.core.querysets import NOTHING, ScopedQuerySet
from firegrid.core.validators import validate_latitude, validate_longitude
from firegrid.registry.models import Building, Premises

from ..choices import FindingKind, FindingStatus, PatrolKind, PatrolStatus, ScanSource, TeamKind

TEAM_AREA_LEVELS = (AreaLevel.GRID, AreaLevel.COMMUNITY)


def area_scope_q(user: User, prefix: str = "") -> Q:
    """Rows placed in a grid or community (`<prefix>area`) inside an area role's scope: its grids, and the
    communities those grids belong to (a community-wide team patrols the user's grids too)."""
    grids = user.scope_grid_ids or []
    communities = Area.objects.filter(pk__in=grids).values("parent_id")
    return Q(**{f"{prefix}area_id__in": grids}) | Q(**{f"{prefix}area_id__in": communities})


def patrol_scope_q(user: User, prefix: str = "") -> Q:
    """Patrols (reached through `prefix`) a user may see: area roles by the patrol's area, a landlord the
    patrols of their own teams, others (unit liaisons, contractors) none. District-wide roles never get
    here (`visible_to` answers them first)."""
    if user.role in AREA_ROLES:
        return area_scope_q(user, prefix)
    if user.role == Role.LANDLORD:
        member = PatrolTeam.members.through.objects.filter(
            patrolteam_id=OuterRef(f"{prefix}team_id"), user_id=user.pk
        )
        return Q(Exists(member))
    return NOTHING


class PatrolTeamQuerySet(ScopedQuerySet["PatrolTeam"]):
    def scope_q(self, user: User) -> Q:
        if user.role in AREA_ROLES:
            return area_scope_q(user)
        if user.role == Role.LANDLORD:
            member = PatrolTeam.members.through.objects.filter(patrolteam_id=OuterRef("pk"), user_id=user.pk)
            return Q(Exists(member))
        return NOTHING


class PatrolTeam(Record):
    """A patrol team (巡查队) of one grid or community: its grid workers, or a volunteer team of the
    area's landlords (房东自治巡查队). Its members are who may scan on its patrols."""

    scope_field = "area"

    name = models.CharField(_("队名"), max_length=64)
    kind = models.CharField(_("类型"), max_length=16, choices=TeamKind.choices)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="patrol_teams",
        verbose_name=_("巡查区域"),
        help_text=_("网格或社区。"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="patrol_teams", verbose_name=_("队员"), blank=True
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("队长"),
    )
    active = models.BooleanField(_("在用"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = PatrolTeamQuerySet.as_manager()

    class Meta:
        ordering = ["area__code", "name", "id"]
        verbose_name = _("巡查队")
        verbose_name_plural = pgettext_lazy("plural", "巡查队")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"],
                name="patrolteam_unique_name_in_area",
                violation_error_message=_("该区域已有同名的巡查队。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.area_id and self.area.level not in TEAM_AREA_LEVELS:
            raise ValidationError({"area": _("巡查队的区域应为网格或社区。")})


class PatrolQuerySet(ScopedQuerySet["Patrol"]):
    def scope_q(self, user: User) -> Q:
        return patrol_scope_q(user)

    def in_progress_for(self, user: User) -> PatrolQuerySet:
        """The patrols under way on teams the user belongs to: where a plate they scan is recorded."""
        return self.filter(status=PatrolStatus.IN_PROGRESS, team__members=user)


class Patrol(Record):
    """A patrol (巡查): a team walks a route of buildings in a time window, day or night, and proves each
    visit by scanning the building's QR plate. Planned → in progress → finished (or cancelled)."""

    scope_field = "area"

    team = models.ForeignKey(
        PatrolTeam, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("巡查队")
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("巡查区域")
    )
    kind = models.CharField(_("类型"), max_length=8, choices=PatrolKind.choices, default=PatrolKind.DAY)
    window_start = models.DateTimeField(_("计划开始"))
    window_end = models.DateTimeField(_("计划结束"))
    status = models.CharField(
        _("状态"), max_length=16, choices=PatrolStatus.choices, default=PatrolStatus.PLANNED
    )
    route = models.ManyToManyField(
        Building, through="PatrolStop", related_name="patrols", verbose_name=_("巡查路线")
    )
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="patrols_joined",
        blank=True,
        verbose_name=_("参与人员"),
        help_text=_("在本次巡查中扫码打卡的人。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("计划人")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = PatrolQuerySet.as_manager()

    class Meta:
        ordering = ["-window_start", "-id"]
        verbose_name = _("巡查")
        verbose_name_plural = pgettext_lazy("plural", "巡查")
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gt=models.F("window_start")),
                name="patrol_window_in_order",
                violation_error_message=_("计划结束时间应晚于计划开始时间。"),
            ),
        ]
        indexes = [
            # Serves the patrol list by area and the phone's "my patrols under way".
            models.Index(fields=["area", "status"], name="patrol_area_status"),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.get_kind_display()} · {self.window_start:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.window_start and self.window_end and self.window_end <= self.window_start:
            raise ValidationError({"window_end": _("计划结束时间应晚于计划开始时间。")})

    def in_window(self, when: object) -> bool:
        return bool(self.window_start <= when <= self.window_end)  # type: ignore[operator]  # datetimes

    @property
    def is_open(self) -> bool:
        return self.status in (PatrolStatus.PLANNED, PatrolStatus.IN_PROGRESS)


class PatrolStop(models.Model):
    """One building on a patrol's route, at its place in the walking order (from 1)."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="stops")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("建筑"))
    position = models.PositiveSmallIntegerField(_("顺序"))

    class Meta:
        ordering = ["patrol_id", "position"]
        verbose_name = _("巡查点")
        verbose_name_plural = pgettext_lazy("plural", "巡查点")
        constraints = [
            models.UniqueConstraint(fields=["patrol", "building"], name="patrolstop_building_once"),
            models.UniqueConstraint(fields=["patrol", "position"], name="patrolstop_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.building}"


class PatrolScanQuerySet(ScopedQuerySet["PatrolScan"]):
    def scope_q(self, user: User) -> Q:
        return patrol_scope_q(user, "patrol__")


class PatrolScan(Record):
    """巡查打卡: the proof of a visit — a building's QR plate (or a premises' door code in it) scanned
    during a patrol. The position is the phone's at the scan only, when it gave one; never a track. A
    scan off the route or outside the window is recorded, and flagged for a supervisor."""

    scope_field = "patrol"

    patrol = models.ForeignKey(Patrol, on_delete=models.PROTECT, related_name="scans", verbose_name=_("巡查"))
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="patrol_scans", verbose_name=_("建筑")
    )
    premises = models.ForeignKey(
        Premises,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("出租户"),
        help_text=_("扫的是出租户门牌二维码时。"),
    )
    source = models.CharField(
        _("方式"), max_length=16, choices=ScanSource.choices, default=ScanSource.BUILDING_QR
    )
    scanned_at = models.DateTimeField(_("打卡时间"))
    # Optional evidence (no location tracks as attendance): only where the phone was at the scan.
    latitude = models.DecimalField(
        _("纬度"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_latitude]
    )
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_longitude]
    )
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("打卡人")
    )
    on_route = models.BooleanField(_("在路线上"), default=True)
    in_window = models.BooleanField(_("在计划时段内"), default=True)
    # Made by the phone: a replayed scan (a second tap, a resend) is the same scan.
    client_uuid = models.UUIDField(_("客户端编号"), default=uuid.uuid4, unique=True)

    objects = PatrolScanQuerySet.as_manager()

    class Meta:
        ordering = ["-scanned_at", "-id"]
        verbose_name = _("巡查打卡")
        verbose_name_plural = pgettext_lazy("plural", "巡查打卡")
        indexes = [
            # Serves weekly coverage: a building scanned in a week (EXISTS per building).
            models.Index(fields=["building", "scanned_at"], name="patrolscan_building_time"),
            # Serves the impossible-speed check: a user's scans around a time.
            models.Index(fields=["scanned_by", "scanned_at"], name="patrolscan_user_time"),
        ]

    def __str__(self) -> str:
        return f"{self.building} {self.scanned_at:%Y-%m-%d %H:%M}"

    def premises_for_audit(self) -> Premises | None:
        return self.premises

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class PatrolFindingQuerySet(ScopedQuerySet["PatrolFinding"]):
    def scope_q(self, user: User) -> Q:
        return patrol_scope_q(user, "patrol__")

    def open(self) -> PatrolFindingQuerySet:
        return self.filter(status=FindingStatus.OPEN)


class PatrolFinding(Record):
    """巡查发现: what a patrol noticed at a building or premises — a note, or a hazard lead. It waits in
    the grid workers' work queue until an inspection covers its premises or an officer closes it."""

    scope_field = "patrol"

    patrol = models.ForeignKey(
        Patrol, on_delete=models.PROTECT, related_name="findings", verbose_name=_("巡查")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="patrol_findings", verbose_name=_("建筑")
    )
    premises = models.ForeignKey(
        Premises,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patrol_findings",
        verbose_name=_("出租户"),
        help_text=_("不选：整幢建筑（如楼道、消防通道）。"),
    )
    kind = models.CharField(_("类型"), max_length=8, choices=FindingKind.choices, default=FindingKind.NOTE)
    note = models.TextField(_("情况说明"), max_length=1000)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发现人")
    )
    reported_at = models.DateTimeField(_("发现时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    inspection = models.ForeignKey(
        "inspections.Inspection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("跟进检查"),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("关闭人"),
    )
    closed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    close_note = models.CharField(_("处理说明"), max_length=200, blank=True)
    client_uuid = models.UUIDField(_("客户端编号"), default=uuid.uuid4, unique=True)

    objects = PatrolFindingQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("巡查发现")
        verbose_name_plural = pgettext_lazy("plural", "巡查发现")
        indexes = [
            # Serves the work queue's "open finding" subquery per premises and the follow-up receiver.
            models.Index(fields=["premises", "status"], name="patrolfinding_premises_status"),
            models.Index(fields=["building", "status"], name="patrolfinding_building_status"),
            # Open findings: the work queue's candidates, few among the closed ones of past years.
            models.Index(
                fields=["premises"], condition=Q(status=FindingStatus.OPEN), name="patrolfinding_open"
            ),
        ]

    def __str__(self) -> str:
        target = self.premises if self.premises_id else self.building
        return f"{self.get_kind_display()} · {target}"

    def premises_for_audit(self) -> Premises | None:
        return self.premises

    def clean(self) -> None:
        premises = self.premises if self.premises_id else None
        if premises is not None and self.building_id and premises.building_id != self.building_id:
            raise ValidationError({"premises": _("出租户不在所选建筑内。")})


class FindingPhotoQuerySet(ScopedQuerySet["FindingPhoto"]):
    def scope_q(self, user: User) -> Q:
        return patrol_scope_q(user, "finding__patrol__")


class FindingPhoto(AbstractPhoto):
    """A photo of what a patrol found (stored like every photo: JPEG without EXIF, thumbnail)."""

    upload_folder = "patrol-photos"
    file_url_name = "patrols:finding_photo_file"

    finding = models.ForeignKey(PatrolFinding, on_delete=models.CASCADE, related_name="photos")

    objects = FindingPhotoQuerySet.as_manager()

    class Meta(AbstractPhoto.Meta):
        verbose_name = _("巡查照片")
        verbose_name_plural = pgettext_lazy("plural", "巡查照片")

    def __str__(self) -> str:
        return f"{self.finding} {self.uploaded_at:%Y-%m-%d %H:%M}"

    def premises_for_audit(self) -> Premises | None:
        return self.finding.premises
