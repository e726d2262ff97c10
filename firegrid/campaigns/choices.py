from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    RUNNING = "running", _("进行中")
    ENDED = "ended", _("已结束")


class MilestoneScope(models.TextChoices):
    FOUR_CATEGORY = "four_category", _("四类人员房东")
    ALL = "all", _("全部整治对象")


class ClaimStatus(models.TextChoices):
    ACTIVE = "active", _("已认领")
    TRANSFERRED = "transferred", _("已移交")
    RELEASED = "released", _("已释放")


class TargetSource(models.TextChoices):
    HAZARDS = "hazards", _("排查发现隐患")
    MANUAL = "manual", _("手工添加")
