"""The fabrication checks' records: a perceptual fingerprint of every inspection and patrol photo, and the
flags (疑似造假提示) a supervisor looks at. A flag is a hint, never a penalty and never a ranking: it is
seen by supervisors (community and subdistrict officers, the district roles), not by the flagged
worker's peers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.areas.choices import AREA_ROLES
from firegrid.areas.models import Area, User
from firegrid.core.models import Record
from firegrid.core.querysets import NOTHING, ScopedQuerySet
from firegrid.registry.models import Premises

from ..choices import FingerprintKind, FlagKind, FlagStatus


def grid_scope_q(user: User) -> Q:
    """Rows placed in a grid (`grid`): an area role's grids; nobody else but the district-wide roles."""
    if user.role in AREA_ROLES:
        return Q(grid_id__in=user.scope_grid_ids or [])
    return NOTHING


class PhotoFingerprintQuerySet(ScopedQuerySet["PhotoFingerprint"]):
    def scope_q(self, user: User) -> Q:
        return grid_scope_q(user)


class PhotoFingerprint(models.Model):
    """The 64-bit difference hash (dHash) of one photo — an inspection's or a patrol finding's — with
    where (grid), when and by whom it was taken, so the same picture handed in twice is found."""

    kind = models.CharField(_("照片来源"), max_length=16, choices=FingerprintKind.choices)
    photo_id = models.PositiveBigIntegerField(_("照片编号"))
    # The 64 bits as a signed 64-bit integer (what every database's BIGINT holds).
    dhash = models.BigIntegerField(_("感知哈希"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    grid = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("网格"))
    inspection = models.ForeignKey(
        "inspections.Inspection",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("检查"),
    )
    finding = models.ForeignKey(
        "patrols.PatrolFinding",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("巡查发现"),
    )
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"))

    objects = PhotoFingerprintQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("照片指纹")
        verbose_name_plural = pgettext_lazy("plural", "照片指纹")
        constraints = [
            models.UniqueConstraint(fields=["kind", "photo_id"], name="photofingerprint_one_per_photo"),
        ]
        indexes = [
            # Serves the reuse check: a grid's photos of the last FIREGRID_PHOTO_REUSE_DAYS.
            models.Index(fields=["grid", "uploaded_at"], name="photofingerprint_grid_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.photo_id}"

    @property
    def unsigned(self) -> int:
        return self.dhash & (2**64 - 1)

    def photo_url(self, variant: str = "thumbnail") -> str:
        """The photo's file, served through its own scoped view."""
        from django.urls import reverse

        name = (
            "inspections:photo_file"
            if self.kind == FingerprintKind.INSPECTION
            else "patrols:finding_photo_file"
        )
        return reverse(name, args=[self.photo_id, variant])


class FabricationFlagQuerySet(ScopedQuerySet["FabricationFlag"]):
    def scope_q(self, user: User) -> Q:
        return grid_scope_q(user)

    def open(self) -> FabricationFlagQuerySet:
        return self.filter(status=FlagStatus.OPEN)


class FabricationFlag(Record):
    """疑似造假提示: one piece of work that looks fabricated — a photo handed in twice, two scans too far
    apart for the time between them, an inspection submitted faster than its items can be answered, a
    scan off the route or outside the window — with the evidence, for a supervisor to clear or confirm
    with a note. Never an automatic penalty."""

    scope_field = "grid"

    kind = models.CharField(_("类型"), max_length=24, choices=FlagKind.choices)
    status = models.CharField(_("状态"), max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("相关人员"),
        help_text=_("被提示的工作是谁做的。"),
    )
    grid = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("网格"))
    # What was checked, so the same evidence never raises a second flag ("off_route:scan:42").
    key = models.CharField(_("检查键"), max_length=100, unique=True)
    raised_at = models.DateTimeField(_("提示时间"))
    details = models.JSONField(_("依据"), default=dict, blank=True)
    inspection = models.ForeignKey(
        "inspections.Inspection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("检查"),
    )
    scan = models.ForeignKey(
        "patrols.PatrolScan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flags",
        verbose_name=_("打卡"),
    )
    other_scan = models.ForeignKey(
        "patrols.PatrolScan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("前一次打卡"),
    )
    photo = models.ForeignKey(
        PhotoFingerprint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("照片"),
    )
    other_photo = models.ForeignKey(
        PhotoFingerprint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("相同的较早照片"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核查人"),
    )
    reviewed_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    review_note = models.CharField(_("核查说明"), max_length=500, blank=True)

    objects = FabricationFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("疑似造假提示")
        verbose_name_plural = pgettext_lazy("plural", "疑似造假提示")
        indexes = [
            # Serves the review list and the open-flag figure per grid.
            models.Index(fields=["grid", "status"], name="fabricationflag_grid_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.raised_at:%Y-%m-%d %H:%M}"

    def premises_for_audit(self) -> Premises | None:
        return None
