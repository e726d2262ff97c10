"""Landlords (房东) and tenant households (租户): the people of the registry. Re-exported by
registry/models.py, which holds the places (buildings, premises, rooms) and the helpers both use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.areas.choices import AREA_ROLES, AreaLevel, Role
from firegrid.areas.models import User
from firegrid.core.models import Record
from firegrid.core.querysets import NOTHING, ScopedQuerySet
from firegrid.core.validators import normalise_id_number, validate_mobile, validate_resident_id

from .choices import FourCategory
from .models import (
    FOUR_CATEGORY_Q,
    MAX_HOUSEHOLD_PEOPLE,
    Premises,
    Room,
    drop_verified,
    premises_scope_q,
    to_verify_field,
)

# The answer to an ID number held by a landlord the user may not see, wherever a landlord is registered
# or linked by ID number (forms, API, ledger import): not the uniqueness message, which would confirm the
# person is a landlord, and nothing about who it is.
OUTSIDE_SCOPE_ID_NUMBER = _("该证件号码属于您辖区外的房东，请联系上级")
# The same answer for a landlord without an ID number, known by name and mobile (a ledger import's key).
OUTSIDE_SCOPE_NAME_MOBILE = _("该姓名和手机号码属于您辖区外的房东，请联系上级")
# What identifies a landlord: an ID number, or else a mobile beside the name (landlord_id_number_or_mobile).
ID_NUMBER_OR_MOBILE = _("必须填写身份证号码或手机号码。")


# A room above this is a typo, not a rental room (m²).
class LandlordQuerySet(ScopedQuerySet["Landlord"]):
    def scope_q(self, user: User) -> Q:
        if user.role in AREA_ROLES:
            grids = user.scope_grid_ids
            assert grids is not None  # an area role's grids; None is only the district-wide answer
            owns_in_scope = Exists(
                Premises.objects.filter(landlord=OuterRef("pk"), building__grid_id__in=grids)
            )
            return Q(area_id__in=grids) | Q(owns_in_scope)
        if user.role == Role.UNIT_LIAISON:
            return Q(employer_unit_id=user.unit_id) if user.unit_id else NOTHING
        if user.role == Role.LANDLORD:
            return Q(pk=user.landlord_id) if user.landlord_id else NOTHING
        return NOTHING

    def four_category(self) -> LandlordQuerySet:
        return self.filter(FOUR_CATEGORY_Q)

    def held_outside_scope(self, user: User, id_number: str, *, exclude_pk: int | None = None) -> bool:
        """Whether `id_number` is a registered landlord's whom `user` may not see (refused with
        OUTSIDE_SCOPE_ID_NUMBER; `exclude_pk`: the landlord being edited). An empty ID number is no one's:
        landlords registered without one are not one person."""
        id_number = normalise_id_number(id_number)
        if not id_number:
            return False
        holders = self.filter(id_number=id_number)
        if exclude_pk is not None:
            holders = holders.exclude(pk=exclude_pk)
        holder = holders.values_list("pk", flat=True).first()
        return holder is not None and not self.model.objects.visible_to(user).filter(pk=holder).exists()


class Landlord(Record):
    """The person responsible for one or more premises (房东)."""

    scope_field = "area"  # the field that places it in a scope; named in scope errors

    personal_fields = ("id_number", "mobile")

    name = models.CharField(_("姓名"), max_length=32)
    # Optional: a community's ledger often knows a landlord by name and mobile only. Unique where given
    # (the constraint below); a landlord without it is flagged 待核实 until a visit records it.
    id_number = models.CharField(
        _("身份证号码"), max_length=18, blank=True, validators=[validate_resident_id]
    )
    # Indexed: the landlord portal finds the account by mobile at every sign-in.
    mobile = models.CharField(
        _("手机号码"), max_length=11, blank=True, validators=[validate_mobile], db_index=True
    )
    address = models.CharField(_("住址"), max_length=200, blank=True)
    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="landlords",
        verbose_name=_("登记网格"),
        limit_choices_to={"level": AreaLevel.GRID},
        help_text=_("房东登记所在网格；有出租户的房东也在出租户所在网格可见。"),
    )
    is_party_member = models.BooleanField(_("党员"), default=False)
    is_official = models.BooleanField(_("干部"), default=False)
    is_deputy = models.BooleanField(_("两代表一委员"), default=False)
    is_public_payroll = models.BooleanField(_("财政供养人员"), default=False)
    employer_unit = models.ForeignKey(
        "areas.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="landlords",
        verbose_name=_("工作单位"),
    )
    to_verify = to_verify_field()

    objects = LandlordQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("房东")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="landlord_id_number_unique"
            ),
            # What identifies a landlord: the ID number, or else a mobile beside the name.
            models.CheckConstraint(
                condition=~Q(id_number="") | ~Q(mobile=""), name="landlord_id_number_or_mobile"
            ),
        ]
        verbose_name_plural = pgettext_lazy("plural", "房东")
        indexes = [
            # Landlords to verify (待核实: a ledger row without an ID number …): few among a province's
            # millions, read by the work queue.
            models.Index(fields=["id"], condition=~Q(to_verify=[]), name="landlord_to_verify"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_four_category(self) -> bool:
        return self.is_party_member or self.is_official or self.is_deputy or self.is_public_payroll

    def four_category_labels(self) -> list[str]:
        return [str(c.label) for c in FourCategory if getattr(self, c.value)]

    def clean(self) -> None:
        self.id_number = normalise_id_number(self.id_number)
        errors: dict[str, Any] = {}
        if not self.id_number and not self.mobile:
            # landlord_id_number_or_mobile, said on both fields (the constraint's message names only itself).
            errors = {"id_number": ID_NUMBER_OR_MOBILE, "mobile": ID_NUMBER_OR_MOBILE}
        drop_verified(self)
        # Known by name and mobile only, from a ledger or a form alike: the ID number is to verify (待核实)
        # at the next visit, and the work queue says so.
        if not self.id_number and self.mobile and "id_number" not in self.to_verify:
            self.to_verify = sorted([*self.to_verify, "id_number"])
        # A ledger naming the category without the unit registers the unit as to verify (待核实).
        if self.is_four_category and not self.employer_unit_id and "employer_unit" not in self.to_verify:
            errors["employer_unit"] = _("四类人员必须填写工作单位，以便单位认领。")
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        # landlord_id_number_unique is conditional (empty ID numbers repeat), and Django reports a
        # conditional constraint as "Constraint … is violated" on the whole record: say it on the field,
        # as the unique field did. (The ledger import checks its keys in bulk and skips this.)
        if self.id_number and "id_number" not in (exclude or ()):
            holders = Landlord.objects.filter(id_number=self.id_number)
            if self.pk is not None:
                holders = holders.exclude(pk=self.pk)
            if holders.exists():
                raise ValidationError({"id_number": self.unique_error_message(Landlord, ("id_number",))})
        super().validate_constraints(exclude)


class TenantHouseholdQuerySet(ScopedQuerySet["TenantHousehold"]):
    def scope_q(self, user: User) -> Q:
        if user.role == Role.UNIT_LIAISON:
            return NOTHING
        return premises_scope_q(user, "premises__")

    def current(self, on: dt.date | None = None) -> TenantHouseholdQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(moved_out__isnull=True) | Q(moved_out__gt=on), moved_in__lte=on)

    def awaiting_confirmation(self) -> TenantHouseholdQuerySet:
        """Moves a landlord reported that no grid worker has confirmed yet (待核实)."""
        reported = Q(reported_by_landlord_at__isnull=False) | Q(move_out_reported_at__isnull=False)
        return self.filter(reported, confirmed_at__isnull=True)


class TenantHousehold(Record):
    """A household renting in a premises (租户)."""

    scope_field = "premises"  # the field that places it in a scope; named in scope errors

    personal_fields = ("id_number", "mobile")

    premises = models.ForeignKey(
        Premises, on_delete=models.CASCADE, related_name="tenant_households", verbose_name=_("出租户")
    )
    room = models.ForeignKey(
        Room,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tenant_households",
        verbose_name=_("房间"),
    )
    head_name = models.CharField(_("户主姓名"), max_length=32)
    id_number = models.CharField(_("身份证号码"), max_length=18, validators=[validate_resident_id])
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[validate_mobile])
    people = models.PositiveSmallIntegerField(
        _("人数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_HOUSEHOLD_PEOPLE)]
    )
    moved_in = models.DateField(_("入住日期"))
    moved_out = models.DateField(_("搬离日期"), null=True, blank=True)
    # 流管通: a move the landlord reports in the portal waits (待核实) until a grid worker confirms it at
    # the next visit; one confirmation covers what was reported before it (a move-out report clears it).
    reported_by_landlord_at = models.DateTimeField(_("房东登记入住时间"), null=True, blank=True)
    move_out_reported_at = models.DateTimeField(_("房东登记搬离时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核实人"),
    )

    objects = TenantHouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["premises", "-moved_in", "id"]
        verbose_name = _("租户")
        verbose_name_plural = pgettext_lazy("plural", "租户")
        constraints = [
            models.CheckConstraint(
                condition=Q(moved_out__isnull=True) | Q(moved_out__gte=models.F("moved_in")),
                name="tenant_dates_in_order",
                violation_error_message=_("搬离日期不能早于入住日期。"),
            ),
        ]
        indexes = [
            # Moves a landlord reported that wait for a grid worker (the work queue): few among millions.
            models.Index(
                fields=["premises"],
                condition=Q(confirmed_at__isnull=True)
                & (Q(reported_by_landlord_at__isnull=False) | Q(move_out_reported_at__isnull=False)),
                name="tenant_awaiting_confirmation",
            ),
        ]

    def __str__(self) -> str:
        return self.head_name

    def premises_for_audit(self) -> Premises:
        return self.premises

    @property
    def awaiting_confirmation(self) -> bool:
        reported = self.reported_by_landlord_at is not None or self.move_out_reported_at is not None
        return reported and self.confirmed_at is None

    @property
    def reported_late(self) -> bool:
        """Registered more than FIREGRID_TENANT_REPORT_DAYS after moving in: by the landlord late, or
        found by a grid worker (registered by staff, not the landlord) once that time had passed."""
        registered = self.reported_by_landlord_at or self.created_at
        if registered is None or self.moved_in is None:
            return False
        days = (timezone.localdate(registered) - self.moved_in).days
        return days > settings.FIREGRID_TENANT_REPORT_DAYS

    def clean(self) -> None:
        self.id_number = normalise_id_number(self.id_number)
        errors = {}
        if self.moved_in and self.moved_out and self.moved_out < self.moved_in:
            errors["moved_out"] = _("搬离日期不能早于入住日期。")
        if self.moved_in and self.moved_in > timezone.localdate() + dt.timedelta(days=90):
            errors["moved_in"] = _("入住日期不能晚于今天90天以上。")
        room = self.room if self.room_id else None
        if room is not None and self.premises_id and room.premises_id != self.premises_id:
            errors["room"] = _("所选房间不属于该出租户。")
        if errors:
            raise ValidationError(errors)
