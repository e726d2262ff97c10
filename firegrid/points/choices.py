from django.db import models
from django.utils.translation import gettext_lazy as _


class PointsRule(models.TextChoices):
    """积分规则: why a landlord's points moved. Each rule's amount is a district parameter
    (`PointsRuleSet.parameters["amounts"]`), except a correction, whose amount is typed with a reason."""

    SELF_INSPECTION_ON_TIME = "self_inspection_on_time", _("按时自查")
    SELF_INSPECTION_MISSED = "self_inspection_missed", _("未按时自查")
    FALSE_SELF_REPORT = "false_self_report", _("自查不实")
    FIXED_BEFORE_DEADLINE = "fixed_before_deadline", _("限期内整改完毕")
    OVERDUE = "overdue", _("整改逾期")
    REPEAT_HAZARD = "repeat_hazard", _("隐患反复")
    ENFORCEMENT = "enforcement", _("转入执法")
    PATROL_PARTICIPATION = "patrol_participation", _("参加巡查")
    TRAINING_ATTENDANCE = "training_attendance", _("参加消防培训")
    MEETING_ATTENDANCE = "meeting_attendance", _("参加动员会议")
    TENANT_ON_TIME = "tenant_on_time", _("租户按时登记")
    TENANT_LATE = "tenant_late", _("租户未按时登记")
    CORRECTION = "correction", _("更正")


# Rules an officer records by hand (attendance is seen by people, not by the system) — a correction
# included; every other rule is written by the system when what causes it happens.
MANUAL_RULES = frozenset(
    {PointsRule.TRAINING_ATTENDANCE, PointsRule.MEETING_ATTENDANCE, PointsRule.CORRECTION}
)
# Rules whose amount the rule set gives (a correction's is typed).
RULED = tuple(rule for rule in PointsRule if rule != PointsRule.CORRECTION)
# The largest correction, either way: a bigger change is a matter for the rule set, not one entry.
MAX_CORRECTION = 50


class AwardKind(models.TextChoices):
    """The year-end awards points feed: 文明家庭 for landlords of residential rentals, 文明商户 for landlords
    of shops and mixed-use premises (a landlord with both kinds is ranked in both)."""

    CIVILISED_FAMILY = "family", _("文明家庭")
    CIVILISED_SHOP = "shop", _("文明商户")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("待确认")
    CONFIRMED = "confirmed", _("已确认")


class PointsBand(models.TextChoices):
    """Where a landlord's points stand against the rule set's thresholds (the interval effect and the
    figures): at or below the poor threshold, at or above the good one, or between."""

    POOR = "poor", _("积分偏低")
    MIDDLE = "middle", _("积分一般")
    GOOD = "good", _("积分良好")


class Sign(models.TextChoices):
    PLUS = "plus", _("加分")
    MINUS = "minus", _("扣分")
