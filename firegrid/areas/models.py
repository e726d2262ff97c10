"""The area tree (district > subdistrict > community > grid), departments, units and users."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import ClassVar, cast

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.core.permissions import Action
from firegrid.core.querysets import NOTHING, ScopedQuerySet
from firegrid.core.tables import enumerate_items
from firegrid.core.validators import validate_mobile

from .choices import (
    AREA_ROLES,
    DISTRICT_WIDE_ROLES,
    PARENT_LEVEL,
    ROLE_AREA_LEVEL,
    AreaLevel,
    DepartmentKind,
    Role,
    UnitKind,
)


class AreaQuerySet(ScopedQuerySet["Area"]):
    def scope_q(self, user: User) -> Q:
        paths = user.scope_paths
        if not paths:
            return NOTHING
        q = NOTHING
        for path in paths:
            q |= Q(path__startswith=path)
        return q

    def subtree(self, area: Area) -> AreaQuerySet:
        """The area and all its descendants."""
        return self.filter(path__startswith=area.path)

    def grids(self) -> AreaQuerySet:
        return self.filter(level=AreaLevel.GRID)


class Area(models.Model):
    """One node of the administrative tree the campaign is run on: district, subdistrict, community or grid.

    `path` is a materialised path of primary keys ("/1/7/42/"), so a subtree is one prefix query; it is
    maintained by `firegrid.areas.services` and rewritten for the whole subtree when a node moves.
    """

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级区域"),
    )
    level = models.CharField(_("层级"), max_length=16, choices=AreaLevel.choices)
    name = models.CharField(_("名称"), max_length=64)
    code = models.CharField(
        _("行政区划代码"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^\d{6,20}$", _("代码应为6至20位数字。"))],
        help_text=_("统计用区划代码；网格使用本区自编代码。"),
    )
    # Serves subtree lookups: path LIKE '/1/7/%'.
    path = models.CharField(_("路径"), max_length=255, editable=False, db_index=True, default="")
    outline = models.JSONField(_("边界 (GeoJSON)"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("区域")
        verbose_name_plural = pgettext_lazy("plural", "区域")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="area_unique_name_in_parent",
                violation_error_message=_("同一上级区域下已有同名区域。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected_parent_level = PARENT_LEVEL.get(self.level)
        if expected_parent_level is None:
            if self.parent_id is not None:
                raise ValidationError({"parent": _("区级区域不能有上级区域。")})
        elif self.parent is None or self.parent.level != expected_parent_level:
            raise ValidationError(
                {
                    "parent": _("%(level)s的上级必须是%(parent)s。")
                    % {"level": self.get_level_display(), "parent": AreaLevel(expected_parent_level).label}
                }
            )

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def ancestors(self) -> AreaQuerySet:
        return Area.objects.filter(pk__in=self.ancestor_ids).exclude(pk=self.pk).order_by("path")

    def grid_ids(self) -> list[int]:
        """Ids of the grids in this subtree: area filters pass these directly so the index is used."""
        if self.level == AreaLevel.GRID:
            return [self.pk]
        return list(Area.objects.subtree(self).grids().values_list("pk", flat=True))


def grids_within(areas: Iterable[Area]) -> dict[int, list[Area]]:
    """For every grid, those of `areas` that contain it: how per-grid counts roll up to areas."""
    candidates = list(areas)
    membership: dict[int, list[Area]] = {}
    for grid_id, path in Area.objects.grids().values_list("pk", "path"):
        inside = [area for area in candidates if path.startswith(area.path)]
        if inside:
            membership[grid_id] = inside
    return membership


class DepartmentQuerySet(ScopedQuerySet["Department"]):
    def scope_q(self, user: User) -> Q:
        return Q()


class Department(models.Model):
    """A functional department (职能部门): fire service, housing, market regulation, enforcement, police…"""

    name = models.CharField(_("名称"), max_length=64, unique=True)
    kind = models.CharField(_("类别"), max_length=24, choices=DepartmentKind.choices)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="departments",
        verbose_name=_("所属区域"),
        help_text=_("街道办事处填写所在街道；区级部门留空。"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("职能部门")
        verbose_name_plural = pgettext_lazy("plural", "职能部门")

    def __str__(self) -> str:
        return self.name


class UnitQuerySet(ScopedQuerySet["Unit"]):
    def scope_q(self, user: User) -> Q:
        if user.role == Role.UNIT_LIAISON:
            return Q(pk=user.unit_id) if user.unit_id else NOTHING
        return Q()


class Unit(models.Model):
    """An employer organisation (单位): it claims its four-category landlords and pushes them."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类别"), max_length=16, choices=UnitKind.choices, default=UnitKind.GOVERNMENT)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[
            RegexValidator(
                r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$", _("统一社会信用代码应为18位。")
            )
        ],
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("所在区域"),
    )
    contact_name = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_mobile = models.CharField(_("联系电话"), max_length=11, blank=True, validators=[validate_mobile])
    version = models.PositiveIntegerField(default=1, editable=False)

    # The contact's mobile is a person's: masked like a landlord's, shown in full only by a recorded reveal.
    personal_fields: tuple[str, ...] = ("contact_mobile",)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("单位")
        verbose_name_plural = pgettext_lazy("plural", "单位")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="unit_unique_credit_code",
                violation_error_message=_("该统一社会信用代码已登记。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UserQuerySet(ScopedQuerySet["User"]):
    def scope_q(self, user: User) -> Q:
        return Q(pk=user.pk)


class FiregridUserManager(UserManager["User"]):
    """Django's user manager (create_user …) over `UserQuerySet`, with the `visible_to` every scoped model's
    manager offers. Written out rather than built with `from_queryset`, which the type checker cannot follow
    in a base class."""

    # What `from_queryset` sets: BaseManager.get_queryset builds this class (with the database and router hints).
    _queryset_class = UserQuerySet

    def get_queryset(self) -> UserQuerySet:
        return cast(UserQuerySet, super().get_queryset())

    def visible_to(self, user: User, action: str = Action.VIEW) -> ScopedQuerySet:
        return self.get_queryset().visible_to(user, action)


class User(AbstractUser):
    """A person who signs in: one role and a scope (areas, a unit, or a landlord's own premises)."""

    full_name = models.CharField(_("姓名"), max_length=32, blank=True)
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices, default=Role.GRID_WORKER)
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[validate_mobile])
    areas = models.ManyToManyField(
        Area,
        blank=True,
        related_name="users",
        verbose_name=_("负责区域"),
        help_text=_("街道人员选街道，社区人员选社区，网格员选一个或多个网格。"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("部门"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="liaisons", verbose_name=_("单位")
    )
    landlord = models.OneToOneField(
        "registry.Landlord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("房东档案"),
    )
    contractor = models.OneToOneField(
        "outreach.Contractor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("施工单位档案"),
    )
    must_change_password = models.BooleanField(
        _("须修改密码"),
        default=False,
        help_text=_("下次登录后须先修改密码才能使用系统（如演示账号、管理员重置的密码）。"),
    )

    objects: ClassVar[FiregridUserManager] = FiregridUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = pgettext_lazy("plural", "用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.DEPARTMENT_OFFICER and not self.department_id:
            raise ValidationError({"department": _("部门人员必须选择所属部门。")})
        if self.role == Role.UNIT_LIAISON and not self.unit_id:
            raise ValidationError({"unit": _("单位联络人必须选择单位。")})
        if self.role == Role.LANDLORD and not self.landlord_id:
            raise ValidationError({"landlord": _("房东账号必须关联房东档案。")})
        if self.role == Role.CONTRACTOR and not self.contractor_id:
            raise ValidationError({"contractor": _("施工人员账号必须关联施工单位档案。")})

    def validate_areas(self, areas: list[Area]) -> None:
        """Area roles need areas of their level; other roles need none (checked by the user service)."""
        level = ROLE_AREA_LEVEL.get(self.role)
        if level is None:
            return
        if not areas:
            raise ValidationError({"areas": _("该角色必须指定负责区域。")})
        wrong = [a.name for a in areas if a.level != level]
        if wrong:
            raise ValidationError(
                {
                    "areas": _("%(role)s只能负责%(level)s：%(names)s 不符合。")
                    % {
                        "role": self.get_role_display(),
                        "level": AreaLevel(level).label,
                        "names": enumerate_items(wrong),
                    }
                }
            )

    # --- scope, computed once per request (request.user is one object per request) ---

    @property
    def is_district_wide(self) -> bool:
        return self.is_superuser or self.role in DISTRICT_WIDE_ROLES

    @cached_property
    def scope_paths(self) -> list[str]:
        """Materialised paths of the areas this user's scope is rooted at ([] when not an area role)."""
        if self.is_district_wide:
            return list(Area.objects.filter(parent=None).values_list("path", flat=True))
        if self.role not in AREA_ROLES:
            return []
        return list(self.areas.values_list("path", flat=True))

    @cached_property
    def scope_grid_ids(self) -> list[int] | None:
        """Grids inside the user's area scope; None means the whole district (no filter needed)."""
        if self.is_district_wide:
            return None
        if self.role not in AREA_ROLES:
            return []
        q = Q(pk__in=[])
        for path in self.scope_paths:
            q |= Q(path__startswith=path)
        return list(Area.objects.filter(q, level=AreaLevel.GRID).values_list("pk", flat=True))

    def forget_scope(self) -> None:
        """Drop the cached scope after the user's areas change."""
        self.__dict__.pop("scope_paths", None)
        self.__dict__.pop("scope_grid_ids", None)
