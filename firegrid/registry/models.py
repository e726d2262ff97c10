"""The rental registry: buildings, premises (rental, shop, mixed-use), rooms, landlords, tenant households."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.areas.choices import AREA_ROLES, AreaLevel, Role
from firegrid.areas.models import Area, User
from firegrid.core.querysets import NOTHING
from firegrid.core.validators import (
    validate_latitude,
    validate_longitude,
)

from .choices import (
    BUSINESS_KINDS,
    BuildingStructure,
    BuildingUse,
    FourCategory,
    PremisesKind,
    PremisesStatus,
    RoomUse,
)
from .sort_keys import (
    SortedQuerySet,
    SortedRecord,
    building_addresses,
    building_sort_key,
    premises_sort_key,
    room_sort_key,
    write_keys,
)

MAX_ROOM_AREA = Decimal("500")
# More people than this in one room is a data-entry error (dormitories included).
MAX_ROOM_OCCUPANTS = 50
MAX_HOUSEHOLD_PEOPLE = 30


def to_verify_field() -> models.JSONField:
    """待核实: the names of fields a ledger import could not fill (the community's sheet lacks them), to be
    verified at the next visit. Empty: nothing to verify. The record's service clears a name once a user
    fills that field (registry.services), so the list is always what is still unknown."""
    return models.JSONField(
        _("待核实"),
        default=list,
        blank=True,
        help_text=_("台账导入时未知、待下次走访核实的字段。"),
    )


def four_category_q(prefix: str = "") -> Q:
    """Landlords in any of the four categories (四类人员), reached from another model through `prefix`."""
    q = Q()
    for flag in FourCategory.values:
        q |= Q(**{f"{prefix}{flag}": True})
    return q


FOUR_CATEGORY_Q = four_category_q()


def premises_scope_q(user: User, prefix: str = "") -> Q:
    """Premises rows inside a user's scope, as a Q on a model reaching premises through `prefix`."""
    if user.role in AREA_ROLES:
        return Q(**{f"{prefix}building__grid_id__in": user.scope_grid_ids})
    if user.role == Role.UNIT_LIAISON:
        return Q(**{f"{prefix}landlord__employer_unit_id": user.unit_id}) if user.unit_id else NOTHING
    if user.role == Role.LANDLORD:
        return Q(**{f"{prefix}landlord_id": user.landlord_id}) if user.landlord_id else NOTHING
    return NOTHING


def drop_verified(obj: models.Model) -> None:
    """Take out of `to_verify` every field that now holds a value: a user (form, API, admin: every path
    runs full_clean) or a later ledger filled it, so it is no longer unknown."""
    names = getattr(obj, "to_verify", None)
    if names:
        obj.to_verify = [  # type: ignore[attr-defined]
            name
            for name in names
            if getattr(obj, getattr(obj._meta.get_field(name), "attname", name), None) in (None, "")
        ]


class BuildingQuerySet(SortedQuerySet["Building"]):
    def scope_q(self, user: User) -> Q:
        if user.role in AREA_ROLES:
            return Q(grid_id__in=user.scope_grid_ids)
        return Q(Exists(Premises.objects.filter(premises_scope_q(user), building=OuterRef("pk"))))

    def in_area(self, area: Area) -> BuildingQuerySet:
        return self.filter(grid_id__in=area.grid_ids())


class Building(SortedRecord):
    """A physical building (幢) in a grid: the unit of the survey rule 社不漏户."""

    scope_field = "grid"  # the field that places it in a scope; named in scope errors
    sort_key_sources = ("address",)

    grid = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="buildings",
        verbose_name=_("网格"),
        limit_choices_to={"level": AreaLevel.GRID},
    )
    address = models.CharField(_("地址"), max_length=200)
    name = models.CharField(_("楼名/幢号"), max_length=64, blank=True)
    latitude = models.DecimalField(
        _("纬度"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_latitude]
    )
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_longitude]
    )
    floors = models.PositiveSmallIntegerField(
        _("地上层数"), validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    height_m = models.DecimalField(
        _("建筑高度 (m)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("600"))],
    )
    structure = models.CharField(
        _("结构"), max_length=16, choices=BuildingStructure.choices, default=BuildingStructure.BRICK_CONCRETE
    )
    year_built = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)
    use = models.CharField(
        _("用途"), max_length=16, choices=BuildingUse.choices, default=BuildingUse.SELF_BUILT
    )
    to_verify = to_verify_field()

    objects = BuildingQuerySet.as_manager()

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name = _("建筑")
        verbose_name_plural = pgettext_lazy("plural", "建筑")
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "address"],
                name="building_unique_address_in_grid",
                violation_error_message=_("该网格内已登记相同地址的建筑。"),
            ),
            models.CheckConstraint(condition=Q(floors__gte=1), name="building_floors_positive"),
        ]
        indexes = [
            # Serves the building lists and the work queue: a grid's buildings in natural address order.
            models.Index(fields=["grid", "sort_key"], name="building_grid_sort_key"),
        ]

    def __str__(self) -> str:
        return f"{self.address} {self.name}".strip()

    @classmethod
    def sort_keys_of(cls, objs: list[Building]) -> list[str]:
        return [building_sort_key(obj.address) for obj in objs]

    @classmethod
    def sort_keys_changed(cls, pks: list[int]) -> None:
        premises = Premises.objects.filter(building_id__in=pks).order_by()
        rows = premises.values_list("pk", "building__address", "unit_label")
        write_keys(Premises, [(pk, premises_sort_key(address, label)) for pk, address, label in rows])

    def clean(self) -> None:
        errors = {}
        if self.grid_id and self.grid.level != AreaLevel.GRID:
            errors["grid"] = _("建筑必须登记在网格上。")
        if self.year_built and not (1800 <= self.year_built <= timezone.localdate().year):
            errors["year_built"] = _("建成年份应在1800年至今年之间。")
        if self.height_m and self.floors and self.height_m > self.floors * Decimal("8"):
            errors["height_m"] = _("建筑高度与层数不符（每层超过8米）。")
        if errors:
            raise ValidationError(errors)


class PremisesQuerySet(SortedQuerySet["Premises"]):
    def scope_q(self, user: User) -> Q:
        return premises_scope_q(user)

    def in_area(self, area: Area) -> PremisesQuerySet:
        return self.filter(building__grid_id__in=area.grid_ids())


class Premises(SortedRecord):
    """What is surveyed, gets a file and a plan (户): a rental, a rented shop or a mixed-use premises."""

    scope_field = "building"  # the field that places it in a scope; named in scope errors
    sort_key_sources = ("building", "building_id", "unit_label")

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="premises", verbose_name=_("建筑")
    )
    kind = models.CharField(
        _("类型"), max_length=16, choices=PremisesKind.choices, default=PremisesKind.RESIDENTIAL
    )
    unit_label = models.CharField(_("门牌/户号"), max_length=32, help_text=_("如 2单元301、1楼东侧店面"))
    is_shared_rental = models.BooleanField(_("群租房"), default=False)
    floor_from = models.SmallIntegerField(_("起始楼层"), default=1, validators=[MinValueValidator(-5)])
    floor_to = models.SmallIntegerField(_("结束楼层"), default=1, validators=[MinValueValidator(-5)])
    # Null: unknown (a ledger without 建筑面积; then "floor_area_m2" is in to_verify), never 0.
    floor_area_m2 = models.DecimalField(
        _("建筑面积 (m²)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("100000"))],
    )
    landlord = models.ForeignKey(
        "Landlord", on_delete=models.PROTECT, related_name="premises", verbose_name=_("房东")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=PremisesStatus.choices, default=PremisesStatus.ACTIVE
    )
    business_name = models.CharField(_("字号/经营名称"), max_length=100, blank=True)
    to_verify = to_verify_field()
    # Columns of the community's ledger that no field holds ({header: value}: 备注, 是否四类人员, …), kept
    # with the record from the last import that gave them, shown on the premises page.
    ledger_extra = models.JSONField(_("台账其他信息"), default=dict, blank=True)

    objects = PremisesQuerySet.as_manager()

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name = _("出租户")
        verbose_name_plural = pgettext_lazy("plural", "出租户")
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit_label"],
                name="premises_unique_label_in_building",
                violation_error_message=_("该建筑内已有相同门牌的出租户。"),
            ),
            models.CheckConstraint(
                condition=Q(floor_to__gte=models.F("floor_from")),
                name="premises_floors_in_order",
                violation_error_message=_("结束楼层不能低于起始楼层。"),
            ),
            models.CheckConstraint(condition=Q(floor_area_m2__gt=0), name="premises_area_positive"),
        ]
        indexes = [
            # Serves the home page and list counts by kind within an area.
            models.Index(fields=["kind", "building"], name="premises_kind_building"),
            # Serves every premises list in address order (building address, then door label): read in
            # index order, filtered by area, a page needs no sort of the whole area.
            models.Index(fields=["sort_key"], name="premises_sort_key"),
            # Premises to verify (待核实 after a ledger import): the work queue's candidates.
            models.Index(fields=["id"], condition=~Q(to_verify=[]), name="premises_to_verify"),
        ]

    def __str__(self) -> str:
        label = f"{self.building.address} {self.unit_label}" if self.building_id else self.unit_label
        return f"{label}（{self.business_name}）" if self.business_name else label

    def premises_for_audit(self) -> Premises:
        return self

    @classmethod
    def sort_keys_of(cls, objs: list[Premises]) -> list[str]:
        addresses = building_addresses(objs, Building)
        return [
            premises_sort_key(address, obj.unit_label) for obj, address in zip(objs, addresses, strict=True)
        ]

    def clean(self) -> None:
        drop_verified(self)
        errors: dict[str, object] = {}
        # Unknown area only as a recorded unknown (待核实, from a ledger); a form must give it.
        if self.floor_area_m2 is None and "floor_area_m2" not in self.to_verify:
            errors["floor_area_m2"] = _("请填写建筑面积。")
        if self.floor_from is not None and self.floor_to is not None and self.floor_to < self.floor_from:
            errors["floor_to"] = _("结束楼层不能低于起始楼层。")
        if self.building_id and self.floor_to and self.floor_to > self.building.floors:
            errors["floor_to"] = _("结束楼层（%(floor)s）超过建筑的层数（%(floors)s）。") % {
                "floor": self.floor_to,
                "floors": self.building.floors,
            }
        # A shop whose name the ledger did not give is registered with the name to verify (待核实).
        if (
            self.kind in BUSINESS_KINDS
            and not self.business_name.strip()
            and "business_name" not in (self.to_verify or [])
        ):
            errors["business_name"] = _("商铺和合用场所必须填写字号/经营名称。")
        if self.pk and self.floor_area_m2:
            rooms_total = self.rooms.aggregate(total=Sum("area_m2"))["total"] or 0
            if rooms_total > self.floor_area_m2:
                errors["floor_area_m2"] = _(
                    "建筑面积（%(area)s m²）小于已登记房间面积之和（%(rooms)s m²）。"
                ) % {
                    "area": self.floor_area_m2,
                    "rooms": rooms_total,
                }
        if errors:
            raise ValidationError(errors)


class RoomQuerySet(SortedQuerySet["Room"]):
    def scope_q(self, user: User) -> Q:
        return premises_scope_q(user, "premises__")


class Room(SortedRecord):
    """A room (间) inside a premises: the unit of the survey rule 房不漏间."""

    scope_field = "premises"  # the field that places it in a scope; named in scope errors
    sort_key_sources = ("number",)

    premises = models.ForeignKey(
        Premises, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("出租户")
    )
    number = models.CharField(_("房间号"), max_length=16)
    area_m2 = models.DecimalField(
        _("使用面积 (m²)"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(MAX_ROOM_AREA)],
    )
    use = models.CharField(_("用途"), max_length=16, choices=RoomUse.choices, default=RoomUse.SLEEPING)
    occupants = models.PositiveSmallIntegerField(
        _("居住人数"), default=0, validators=[MaxValueValidator(MAX_ROOM_OCCUPANTS)]
    )
    has_window = models.BooleanField(_("有外窗"), default=True)

    objects = RoomQuerySet.as_manager()

    class Meta:
        ordering = ["premises__sort_key", "premises_id", "sort_key", "id"]
        verbose_name = _("房间")
        verbose_name_plural = pgettext_lazy("plural", "房间")
        constraints = [
            models.UniqueConstraint(
                fields=["premises", "number"],
                name="room_unique_number_in_premises",
                violation_error_message=_("该出租户内已有相同房间号。"),
            ),
            models.CheckConstraint(condition=Q(area_m2__gt=0), name="room_area_positive"),
        ]
        indexes = [
            # Serves a premises' rooms in natural number order (the premises page, the room list).
            models.Index(fields=["premises", "sort_key"], name="room_premises_sort_key"),
        ]

    def __str__(self) -> str:
        return f"{self.premises} {self.number}" if self.premises_id else self.number

    def premises_for_audit(self) -> Premises:
        return self.premises

    @classmethod
    def sort_keys_of(cls, objs: list[Room]) -> list[str]:
        return [room_sort_key(obj.number) for obj in objs]

    def clean(self) -> None:
        # A premises whose area is unknown (待核实) cannot bound its rooms yet.
        if not (self.premises_id and self.area_m2) or self.premises.floor_area_m2 is None:
            return
        others = self.premises.rooms.exclude(pk=self.pk).aggregate(total=Sum("area_m2"))["total"] or 0
        if others + self.area_m2 > self.premises.floor_area_m2:
            raise ValidationError(
                {
                    "area_m2": _("各房间面积之和（%(total)s m²）超过出租户建筑面积（%(area)s m²）。")
                    % {"total": others + self.area_m2, "area": self.premises.floor_area_m2}
                }
            )


# Landlords and tenant households live in people.py (one module per sub-domain); re-exported here, where
# Django and the rest of the code look for the app's models.
# The ledger import's records live with the import; the 0002 migration names `_import_upload_to` here.
from .ledger.models import ImportJob, ImportJobQuerySet, LedgerMapping, _import_upload_to  # noqa: E402
from .people import (  # noqa: E402
    ID_NUMBER_OR_MOBILE,
    OUTSIDE_SCOPE_ID_NUMBER,
    OUTSIDE_SCOPE_NAME_MOBILE,
    Landlord,
    LandlordQuerySet,
    TenantHousehold,
    TenantHouseholdQuerySet,
)

__all__ = [
    "ID_NUMBER_OR_MOBILE",
    "OUTSIDE_SCOPE_ID_NUMBER",
    "OUTSIDE_SCOPE_NAME_MOBILE",
    "Building",
    "ImportJob",
    "ImportJobQuerySet",
    "Landlord",
    "LandlordQuerySet",
    "LedgerMapping",
    "Premises",
    "Room",
    "TenantHousehold",
    "TenantHouseholdQuerySet",
    "_import_upload_to",
]
