from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    DISTRICT = "district", _("区")
    SUBDISTRICT = "subdistrict", _("街道/乡镇")
    COMMUNITY = "community", _("社区/村")
    GRID = "grid", _("网格")


# The tree is fixed at four levels; a child sits exactly one level below its parent.
LEVEL_ORDER = [AreaLevel.DISTRICT, AreaLevel.SUBDISTRICT, AreaLevel.COMMUNITY, AreaLevel.GRID]
PARENT_LEVEL: dict[str, AreaLevel] = {LEVEL_ORDER[i + 1]: LEVEL_ORDER[i] for i in range(len(LEVEL_ORDER) - 1)}


class DepartmentKind(models.TextChoices):
    FIRE = "fire", _("消防救援")
    HOUSING = "housing", _("住房和城乡建设")
    MARKET = "market", _("市场监督管理")
    ENFORCEMENT = "enforcement", _("综合行政执法")
    POLICE = "police", _("公安")
    EMERGENCY = "emergency", _("应急管理")
    SUBDISTRICT_OFFICE = "subdistrict_office", _("街道办事处")


class UnitKind(models.TextChoices):
    GOVERNMENT = "government", _("党政机关")
    INSTITUTION = "institution", _("事业单位")
    ENTERPRISE = "enterprise", _("企业")
    OTHER = "other", _("其他")


class Role(models.TextChoices):
    DISTRICT_COMMANDER = "district_commander", _("区指挥部")
    DEPARTMENT_OFFICER = "department_officer", _("部门人员")
    SUBDISTRICT_OFFICER = "subdistrict_officer", _("街道人员")
    COMMUNITY_OFFICER = "community_officer", _("社区人员")
    GRID_WORKER = "grid_worker", _("网格员")
    UNIT_LIAISON = "unit_liaison", _("单位联络人")
    LANDLORD = "landlord", _("房东")
    CONTRACTOR = "contractor", _("施工单位")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")


# Roles whose scope is the whole district, whatever areas are attached.
DISTRICT_WIDE_ROLES = frozenset({Role.DISTRICT_COMMANDER, Role.DEPARTMENT_OFFICER, Role.SYSTEM_ADMIN})
# Roles whose scope is a set of areas (and their descendants).
AREA_ROLES = frozenset({Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_OFFICER, Role.GRID_WORKER})
# The level of area each area role is attached to.
ROLE_AREA_LEVEL: dict[str, AreaLevel] = {
    Role.SUBDISTRICT_OFFICER: AreaLevel.SUBDISTRICT,
    Role.COMMUNITY_OFFICER: AreaLevel.COMMUNITY,
    Role.GRID_WORKER: AreaLevel.GRID,
}
