from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# A rule set's status is every versioned rule set's (core/rulesets.py); named here too for risk's callers.
from firegrid.core.rulesets import RuleSetStatus as RuleSetStatus


class RiskGrade(models.TextChoices):
    """风险等级: red = high (高), yellow = middle (中), green = low (低)."""

    RED = "red", _("红")
    YELLOW = "yellow", _("黄")
    GREEN = "green", _("绿")


# Lists order by grade, red first: the stored rank (PremisesGrade.rank) follows this order.
GRADE_RANK = {RiskGrade.RED: 0, RiskGrade.YELLOW: 1, RiskGrade.GREEN: 2}
# The level a grade stands for, as the district says it (高 / 中 / 低 风险).
GRADE_LEVEL = {RiskGrade.RED: _("高风险"), RiskGrade.YELLOW: _("中风险"), RiskGrade.GREEN: _("低风险")}


class DueState(models.TextChoices):
    """Where a premises stands against its next re-inspection date (复查到期)."""

    OVERDUE = "overdue", _("已超期")
    TODAY = "today", _("今日到期")
    WEEK = "week", _("7日内到期")


# Days ahead that count as "due within the week" (DueState.WEEK): after today, up to and including this.
DUE_SOON_DAYS = 7


class GradeDirection(models.TextChoices):
    """Which way a grade moved: worse (green → yellow or red, yellow → red) or better. A premises' first
    grade is neither."""

    WORSE = "worse", _("变差")
    BETTER = "better", _("变好")

    @staticmethod
    def q(direction: str) -> Q:
        red, yellow, green = RiskGrade.RED, RiskGrade.YELLOW, RiskGrade.GREEN
        if direction == GradeDirection.WORSE:
            return Q(old_grade=green, new_grade__in=[yellow, red]) | Q(old_grade=yellow, new_grade=red)
        return Q(old_grade=red, new_grade__in=[yellow, green]) | Q(old_grade=yellow, new_grade=green)


# The figures' window for grade changes (等级变化): the last this many days, today included.
CHANGE_WINDOW_DAYS = 30


class GradeCause(models.TextChoices):
    """What made a grade be computed again."""

    INSPECTION = "inspection", _("检查提交")
    PLAN_MOVE = "plan_move", _("整改进展")
    TENANT_MOVE = "tenant_move", _("租户变动")
    POINTS = "points", _("积分变动")
    ALARM = "alarm", _("报警核查")
    KEY_AREA = "key_area", _("重点区域调整")
    NIGHTLY = "nightly", _("每日重算")
    COMMAND = "command", _("手动重算")
    RULE_SET = "rule_set", _("规则发布")
