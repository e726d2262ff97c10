from django.db import models
from django.utils.translation import gettext_lazy as _


class Trade(models.TextChoices):
    """What a contractor does: the trades a rectification plan usually needs."""

    ELECTRICIAN = "electrician", _("电工")
    MASON = "mason", _("泥瓦工")
    CARPENTER = "carpenter", _("木工")
    GAS_FITTER = "gas_fitter", _("燃气安装工")
    FIRE_EQUIPMENT = "fire_equipment", _("消防器材供应商")
    PLUMBER = "plumber", _("水电工")
    OTHER = "other", _("其他")


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    DONE = "done", _("已完工")
    CANCELLED = "cancelled", _("已取消")


# A cancelled booking frees its slot; every other status holds it (the database enforces one per slot).
HOLDING_STATUSES = frozenset({BookingStatus.BOOKED, BookingStatus.DONE})
