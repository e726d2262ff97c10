from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    RUNNING = "running", _("进行中")
    ENDED = "ended", _("已结束")
