"""Enums of the fire incident register (火警火灾)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentKind(models.TextChoices):
    """A call the fire service answered (火警) or a fire that did damage (火灾)."""

    ALARM = "alarm", _("火警")
    FIRE = "fire", _("火灾")


class IncidentCause(models.TextChoices):
    ELECTRICAL = "electrical", _("电气故障")
    EBIKE = "ebike", _("电动自行车")
    COOKING = "cooking", _("用火不慎")
    SMOKING = "smoking", _("遗留火种")
    OTHER = "other", _("其他")
    UNKNOWN = "unknown", _("原因不明")


class MatchState(models.TextChoices):
    """How the reported address was tied to a premises of the registry."""

    UNMATCHED = "unmatched", _("未匹配")
    PROPOSED = "proposed", _("待确认")  # a fuzzy match, for an officer to confirm or reject
    MATCHED = "matched", _("已匹配")  # exact or normalised, or confirmed by an officer
    NOT_A_RENTAL = "not_a_rental", _("非出租房屋")  # an officer says it is none of the registry's premises


class MatchMethod(models.TextChoices):
    EXACT = "exact", _("完全一致")
    NORMALISED = "normalised", _("规范化后一致")
    FUZZY = "fuzzy", _("近似")
    OFFICER = "officer", _("人工确认")
