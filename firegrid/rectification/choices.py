from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    NOTIFIED = "notified", _("已送达通知")
    RECTIFYING = "rectifying", _("整改中")
    RECHECK_REQUESTED = "recheck_requested", _("待复查")
    ACCEPTED = "accepted", _("已验收")
    OVERDUE = "overdue", _("已逾期")
    ESCALATED = "escalated", _("已提级")
    ENFORCEMENT = "enforcement", _("执法中")
    CANCELLED = "cancelled", _("已撤销")


CLOSED_STATES = frozenset({PlanState.ACCEPTED, PlanState.CANCELLED})
OPEN_STATES = frozenset(set(PlanState) - CLOSED_STATES)
# States in which a deadline is running: passing it makes the plan overdue.
DEADLINE_STATES = frozenset({PlanState.NOTIFIED, PlanState.RECTIFYING})
# States in which the landlord may still add proof (after-photos) to the plan.
PROOF_STATES = frozenset(
    {PlanState.NOTIFIED, PlanState.RECTIFYING, PlanState.OVERDUE, PlanState.ESCALATED, PlanState.ENFORCEMENT}
)


class MoveName(models.TextChoices):
    CREATE = "create", _("制定方案")
    NOTIFY = "notify", _("送达通知")
    START = "start", _("开始整改")
    REQUEST_RECHECK = "request_recheck", _("申请复查")
    FAIL_RECHECK = "fail_recheck", _("复查未通过")
    ACCEPT = "accept", _("验收通过")
    MARK_OVERDUE = "mark_overdue", _("逾期")
    EXTEND = "extend", _("延期整改")
    ESCALATE = "escalate", _("提级联合处置")
    ENFORCE = "enforce", _("转入执法")
    RESUME = "resume", _("恢复整改")
    CANCEL = "cancel", _("撤销")


class DocumentKind(models.TextChoices):
    NOTICE = "notice", _("隐患整改通知书")
    ORDER = "order", _("责令限期改正通知书")
    PLEDGE = "pledge", _("消防安全隐患整改承诺书")
    ACCEPTANCE = "acceptance", _("隐患整改验收单")


class DocumentStatus(models.TextChoices):
    ISSUED = "issued", _("已出具")
    SUPERSEDED = "superseded", _("已重新出具")


class EnforcementKind(models.TextChoices):
    INTERVIEW = "interview", _("约谈")
    WARNING = "warning", _("警告")
    FINE = "fine", _("罚款")
    STOP_USE = "stop_use", _("责令停止使用")
    SEALING = "sealing", _("临时查封")
    DETENTION = "detention", _("行政拘留")
    EXPOSURE = "exposure", _("曝光")
    NO_ENTRY = "no_entry", _("拒不开门")
    REFUSED = "refused", _("拒不整改")


# Steps that record what happened at the door rather than a sanction; they need no legal basis.
VISIT_STEPS = frozenset({EnforcementKind.NO_ENTRY, EnforcementKind.REFUSED})
# Temporary sealing lasts at most one month (消防法 第七十条 / 公安部令 第120号).
MAX_SEALING_DAYS = 30
MAX_DETENTION_DAYS = 15
