from django.db import models
from django.utils.translation import gettext_lazy as _


class PremisesKind(models.TextChoices):
    RESIDENTIAL = "residential", _("出租房")
    SHOP = "shop", _("出租商铺")
    MIXED_USE = "mixed_use", _("合用场所")


# Kinds that carry a business name (字号).
BUSINESS_KINDS = frozenset({PremisesKind.SHOP, PremisesKind.MIXED_USE})


class PremisesStatus(models.TextChoices):
    ACTIVE = "active", _("在租")
    VACANT = "vacant", _("空置")
    DEMOLISHED = "demolished", _("已拆除")


class BuildingStructure(models.TextChoices):
    BRICK_CONCRETE = "brick_concrete", _("砖混")
    FRAME = "frame", _("框架")
    BRICK_WOOD = "brick_wood", _("砖木")
    WOOD = "wood", _("木结构")
    STEEL = "steel", _("钢结构")
    OTHER = "other", _("其他")


class BuildingUse(models.TextChoices):
    RESIDENTIAL = "residential", _("住宅")
    SELF_BUILT = "self_built", _("农民自建房")
    COMMERCIAL = "commercial", _("商业")
    MIXED = "mixed", _("商住混合")
    INDUSTRIAL = "industrial", _("厂房仓库")
    OTHER = "other", _("其他")


class RoomUse(models.TextChoices):
    SLEEPING = "sleeping", _("卧室")
    KITCHEN = "kitchen", _("厨房")
    STORAGE = "storage", _("仓储")
    BUSINESS = "business", _("经营")
    OTHER = "other", _("其他")


class FourCategory(models.TextChoices):
    PARTY_MEMBER = "is_party_member", _("党员")
    OFFICIAL = "is_official", _("干部")
    DEPUTY = "is_deputy", _("两代表一委员")
    PUBLIC_PAYROLL = "is_public_payroll", _("财政供养人员")
