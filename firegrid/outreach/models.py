"""Contractors (施工单位) a landlord can call on to fix hazards: a public directory with the areas each
serves, their availability slots, bookings of a slot for a rectification plan, and the photos the
contractor takes when the work is done."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.areas.choices import AREA_ROLES, Role
from firegrid.core.models import Record
from firegrid.core.permissions import Action, can
from firegrid.core.photos import AbstractPhoto
from firegrid.core.querysets import NOTHING, ScopedQuerySet
from firegrid.core.validators import validate_mobile
from firegrid.registry.models import premises_scope_q

from .choices import BookingStatus, Trade

if TYPE_CHECKING:
    from firegrid.areas.models import Area, User
    from firegrid.registry.models import Premises

# The directory is public to every signed-in role that may read it; only changes are scoped.
PUBLIC_ACTIONS = frozenset({Action.VIEW, Action.EXPORT, Action.REVEAL})


def contractor_scope_q(user: User, prefix: str = "") -> Q:
    """Contractors a user may change: an area role those serving somewhere inside their areas; a
    contractor their own record."""
    if user.role in AREA_ROLES:
        paths = user.scope_paths
        if not paths:
            return NOTHING
        inside = Q(pk__in=[])
        for path in paths:
            inside |= Q(area__path__startswith=path)
        served = Contractor.areas.through.objects.filter(inside).values("contractor_id")
        return Q(**{f"{prefix}pk__in": served})
    if user.role == Role.CONTRACTOR:
        return Q(**{f"{prefix}pk": user.contractor_id}) if user.contractor_id else NOTHING
    return NOTHING


class PublicDirectoryQuerySet(ScopedQuerySet):
    """Everyone who may read the directory reads all of it; changes follow `scope_q`."""

    def visible_to(self, user: User, action: str = Action.VIEW) -> Self:
        if action in PUBLIC_ACTIONS and can(user, action, self.model):
            return self.all()
        return super().visible_to(user, action)


class ContractorQuerySet(PublicDirectoryQuerySet):
    def scope_q(self, user: User) -> Q:
        return contractor_scope_q(user)

    def active(self) -> ContractorQuerySet:
        return self.filter(is_active=True)

    def with_free_slots(self) -> ContractorQuerySet:
        """Each contractor with `free_slots`: their future slots no booking holds (the directory's column,
        the API's field), counted in one subquery."""
        free = (
            Slot.objects.upcoming()
            .free()
            .filter(contractor=OuterRef("pk"))
            .order_by()
            .values("contractor")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(free_slots=Coalesce(Subquery(free, output_field=models.IntegerField()), 0))

    def serving(self, area: Area) -> ContractorQuerySet:
        """Contractors whose service covers all of `area`: they serve it or one of its ancestors."""
        through = Contractor.areas.through.objects.filter(area_id__in=area.ancestor_ids)
        return self.filter(pk__in=through.values("contractor_id"))

    def serving_premises(self, premises: Premises) -> ContractorQuerySet:
        return self.serving(premises.building.grid)

    def overlapping(self, area: Area) -> ContractorQuerySet:
        """Contractors working anywhere in `area`: those covering it whole, and those serving a part of
        it (the directory's area filter)."""
        through = Contractor.areas.through.objects.filter(
            Q(area_id__in=area.ancestor_ids) | Q(area__path__startswith=area.path)
        )
        return self.filter(pk__in=through.values("contractor_id"))


class Contractor(Record):
    """A tradesman or firm (electrician, mason, gas fitter, fire-equipment supplier…) listed in the
    district's directory, with the areas they serve: serving a subdistrict means serving every grid in it."""

    personal_fields = ("mobile",)

    name = models.CharField(_("名称"), max_length=64, help_text=_("个人师傅填姓名，施工队填队名。"))
    trade = models.CharField(_("工种"), max_length=16, choices=Trade.choices)
    company = models.CharField(_("所属公司"), max_length=100, blank=True)
    mobile = models.CharField(_("手机号码"), max_length=11, validators=[validate_mobile])
    areas = models.ManyToManyField(
        "areas.Area",
        related_name="contractors",
        verbose_name=_("服务区域"),
        help_text=_("选择街道即服务该街道下所有社区和网格。"),
    )
    qualification = models.CharField(
        _("资质证书"), max_length=200, blank=True, help_text=_("如电工证、燃气安装资质的名称和编号。")
    )
    is_active = models.BooleanField(_("在册"), default=True, help_text=_("停用后不再出现在预约列表中。"))

    objects = ContractorQuerySet.as_manager()

    class Meta:
        ordering = ["trade", "name", "id"]
        verbose_name = _("施工单位")
        verbose_name_plural = pgettext_lazy("plural", "施工单位")
        constraints = [
            # A contractor signs in with this mobile, so it must lead to one contractor; its index serves
            # the sign-in lookup Contractor.objects.active().filter(mobile=...).
            models.UniqueConstraint(
                fields=["mobile"],
                condition=Q(is_active=True),
                name="contractor_unique_active_mobile",
                violation_error_message=_("该手机号码已登记为其他在册施工单位。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("outreach:contractor_detail", args=[self.pk])

    def clean(self) -> None:
        # Said on the field here; the database constraint below stays the last word.
        if self.is_active and self.mobile:
            others = Contractor.objects.active().filter(mobile=self.mobile).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError({"mobile": _("该手机号码已登记为其他在册施工单位。")})

    def serves(self, area: Area) -> bool:
        return self.areas.filter(pk__in=area.ancestor_ids).exists()


class SlotQuerySet(PublicDirectoryQuerySet):
    def scope_q(self, user: User) -> Q:
        return contractor_scope_q(user, "contractor__")

    def taken_q(self) -> Q:
        return Q(Exists(Booking.objects.filter(slot=OuterRef("pk")).exclude(status=BookingStatus.CANCELLED)))

    def free(self) -> SlotQuerySet:
        return self.exclude(self.taken_q())

    def upcoming(self, now: dt.datetime | None = None) -> SlotQuerySet:
        return self.filter(starts_at__gt=now or timezone.now())


class Slot(models.Model):
    """A period a contractor is available for a job; one booking at a time holds it."""

    contractor = models.ForeignKey(
        Contractor, on_delete=models.CASCADE, related_name="slots", verbose_name=_("施工单位")
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = SlotQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("可预约时段")
        verbose_name_plural = pgettext_lazy("plural", "可预约时段")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="slot_ends_after_start",
                violation_error_message=_("结束时间必须晚于开始时间。"),
            ),
            # Its index also serves a contractor's slots by time (the slot list, the overlap check).
            models.UniqueConstraint(
                fields=["contractor", "starts_at", "ends_at"],
                name="slot_unique_per_contractor",
                violation_error_message=_("该施工单位已有相同的时段。"),
            ),
        ]

    def __str__(self) -> str:
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        if start.date() == end.date():
            return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
        return f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("结束时间必须晚于开始时间。")})

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()


class BookingQuerySet(ScopedQuerySet):
    def scope_q(self, user: User) -> Q:
        # Whoever sees the plan sees its bookings; the contractor sees the ones made with them.
        if user.role == Role.CONTRACTOR:
            return Q(slot__contractor_id=user.contractor_id) if user.contractor_id else NOTHING
        return premises_scope_q(user, "plan__premises__")

    def active(self) -> BookingQuerySet:
        return self.exclude(status=BookingStatus.CANCELLED)


class Booking(Record):
    """A contractor's slot booked for a rectification plan (and optionally one hazard of it)."""

    scope_field = "plan"

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("时段"))
    plan = models.ForeignKey(
        "rectification.Plan", on_delete=models.PROTECT, related_name="bookings", verbose_name=_("整改方案")
    )
    item = models.ForeignKey(
        "rectification.PlanItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("整改事项"),
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("预约人")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    note = models.TextField(_("预约说明"), blank=True)
    done_at = models.DateTimeField(_("完工时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("完工确认人"),
    )
    done_note = models.TextField(_("完工说明"), blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("施工预约")
        verbose_name_plural = pgettext_lazy("plural", "施工预约")
        constraints = [
            # The rule the whole feature rests on: two people booking the same slot at the same moment
            # cannot both succeed, whatever the application does.
            models.UniqueConstraint(
                fields=["slot"],
                condition=~Q(status=BookingStatus.CANCELLED),
                name="booking_one_active_per_slot",
                violation_error_message=_("该时段已被预约，请选择其他时段。"),
            ),
            models.CheckConstraint(
                condition=~Q(status=BookingStatus.DONE) | Q(done_at__isnull=False),
                name="booking_done_has_time",
                violation_error_message=_("已完工的预约必须有完工时间。"),
            ),
        ]

    def __str__(self) -> str:
        return _("%(contractor)s %(slot)s") % {"contractor": self.slot.contractor, "slot": self.slot}

    def premises_for_audit(self) -> Premises:
        return self.plan.premises

    def get_absolute_url(self) -> str:
        return reverse("outreach:booking_detail", args=[self.pk])

    @property
    def contractor(self) -> Contractor:
        return self.slot.contractor


class WorkPhotoQuerySet(ScopedQuerySet):
    """A photo is seen by whoever sees its booking."""

    def visible_to(self, user: User, action: str = Action.VIEW) -> WorkPhotoQuerySet:
        return self.filter(booking__in=Booking.objects.visible_to(user, action).values("pk"))


class WorkPhoto(AbstractPhoto):
    """A photo the contractor takes of the finished work, kept with the booking as evidence."""

    upload_folder = "work"
    file_url_name = "outreach:photo_file"

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="photos", verbose_name=_("施工预约")
    )

    objects = WorkPhotoQuerySet.as_manager()

    class Meta(AbstractPhoto.Meta):
        verbose_name = _("完工照片")
        verbose_name_plural = pgettext_lazy("plural", "完工照片")

    def __str__(self) -> str:
        return f"{self.booking} {timezone.localtime(self.uploaded_at):%Y-%m-%d %H:%M}"

    def premises_for_audit(self) -> Premises:
        return self.booking.plan.premises


# --- outreach records (宣传) ---------------------------------------------------------------------------------


class OutreachKind(models.TextChoices):
    MEETING = "meeting", _("动员会")
    MATERIALS = "materials", _("发放宣传资料")
    VIDEO = "video", _("宣传视频")
    BOARD = "board", _("宣传展板")
    FAIR = "fair", _("消防器材展销")
    CARDS = "cards", _("联系卡发放")


# What each kind must say: a meeting how many came, a handout what and how many copies.
NEEDS_ATTENDANCE = frozenset({OutreachKind.MEETING})
NEEDS_COPIES = frozenset({OutreachKind.MATERIALS, OutreachKind.CARDS})
NEEDS_MATERIAL = frozenset({OutreachKind.MATERIALS})


class OutreachRecordQuerySet(ScopedQuerySet):
    def scope_q(self, user: User) -> Q:
        q = NOTHING
        for path in user.scope_paths:
            q |= Q(area__path__startswith=path)
        return q

    def within(self, area: Area) -> OutreachRecordQuerySet:
        """Records of the area and every area below it."""
        return self.filter(area__path__startswith=area.path)


class OutreachRecord(Record):
    """One piece of the campaign's publicity (宣传): a mobilisation meeting, leaflets handed out, a video
    shown, boards put up, an equipment fair, contractor contact cards handed out — where, when, to whom."""

    scope_field = "area"

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_records",
        verbose_name=_("专项整治行动"),
    )
    kind = models.CharField(_("宣传形式"), max_length=16, choices=OutreachKind.choices)
    held_on = models.DateField(_("日期"))
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="outreach_records", verbose_name=_("区域")
    )
    audience = models.CharField(
        pgettext_lazy("audience", "对象"),
        max_length=100,
        blank=True,
        help_text=_("如：出租房东、租户、店主。"),
    )
    attendance = models.PositiveIntegerField(_("参加人数"), null=True, blank=True)
    material = models.CharField(
        _("资料类型"), max_length=100, blank=True, help_text=_("如：《出租房屋消防安全告知书》。")
    )
    copies = models.PositiveIntegerField(_("份数"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )

    objects = OutreachRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("宣传记录")
        verbose_name_plural = pgettext_lazy("plural", "宣传记录")
        indexes = [
            # Serves the campaign report's totals: a campaign's records by kind.
            models.Index(fields=["campaign", "kind"], name="outreach_campaign_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()} {self.area}" if self.area_id else str(self.held_on)

    def get_absolute_url(self) -> str:
        return reverse("outreach:outreachrecord_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str | Promise] = {}
        if self.kind in NEEDS_ATTENDANCE and not self.attendance:
            errors["attendance"] = _("%(kind)s请填写参加人数。") % {"kind": self.get_kind_display()}
        if self.kind in NEEDS_COPIES and not self.copies:
            errors["copies"] = _("%(kind)s请填写份数。") % {"kind": self.get_kind_display()}
        if self.kind in NEEDS_MATERIAL and not self.material.strip():
            errors["material"] = _("发放宣传资料请填写资料类型。")
        if self.held_on and self.held_on > timezone.localdate():
            errors["held_on"] = _("日期不能晚于今天。")
        campaign = self.campaign if self.campaign_id else None
        if (
            campaign is not None
            and self.held_on
            and not (campaign.starts_on <= self.held_on <= campaign.ends_on)
        ):
            errors["held_on"] = _("%(day)s 不在%(campaign)s期间（%(start)s 至 %(end)s）。") % {
                "day": self.held_on.isoformat(),
                "campaign": campaign,
                "start": campaign.starts_on.isoformat(),
                "end": campaign.ends_on.isoformat(),
            }
        if errors:
            raise ValidationError(errors)
