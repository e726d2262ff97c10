from django.db import models
from django.utils.translation import gettext_lazy as _


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class InspectionKind(models.TextChoices):
    SURVEY = "survey", _("摸底排查")
    RECHECK = "recheck", _("复查")
    ACCEPTANCE = "acceptance", _("验收")
    PATROL = "patrol", _("巡查")
    SELF = "self", _("自查")
    NIGHT = "night", _("夜查")


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class VisitOutcome(models.TextChoices):
    """How a visit ended: inspected, or why not. Every door visited has one (社不漏户)."""

    INSPECTED = "inspected", _("已检查")
    LOCKED = "locked", _("锁门")
    NOT_FOUND = "not_found", _("找不到")
    VACANT = "vacant", _("空置")
    OWNER_OCCUPIED = "owner_occupied", _("自住")
    MOVED = "moved", _("搬迁")
    CLOSED = "closed", _("停业")
    RENOVATING = "renovating", _("装修")
    DEMOLISHED = "demolished", _("拆除")
    SEALED = "sealed", _("查封")
    DUPLICATE = "duplicate", _("重复")


# Outcomes after which the door must be visited again; every other outcome covers the premises.
RETURN_VISIT_OUTCOMES = frozenset({VisitOutcome.LOCKED, VisitOutcome.NOT_FOUND, VisitOutcome.RENOVATING})
COVERING_OUTCOMES = frozenset(set(VisitOutcome) - RETURN_VISIT_OUTCOMES)
# Days until the return visit a non-covering outcome schedules.
RETURN_VISIT_DAYS = 3


class AnswerResult(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    NOT_APPLICABLE = "na", _("不适用")


class Severity(models.TextChoices):
    IMMEDIATE = "immediate", _("立改")
    ORDINARY = "ordinary", _("一般隐患")
    RED_LINE = "red_line", _("地方红线")
    MAJOR = "major", _("重大火灾隐患")
    ADVICE = "advice", _("建议")


# A failed item of these severities is not a hazard (advice goes on no notice).
NOT_A_HAZARD = frozenset({Severity.ADVICE})


class HazardStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    FIXED_ON_SPOT = "fixed_on_spot", _("当场整改")
    IN_RECTIFICATION = "in_rectification", _("整改中")
    AWAITING_ACCEPTANCE = "awaiting_acceptance", _("待验收")
    ACCEPTED = "accepted", _("已验收")
    VOID = "void", _("已作废")


class HazardBucket(models.TextChoices):
    """The three buckets users know, with their colours: 待整改 red, 待复核 orange, 已消除 green."""

    TO_FIX = "to_fix", _("待整改")
    TO_RECHECK = "to_recheck", _("待复核")
    REMOVED = "removed", _("已消除")


BUCKET_STATUSES = {
    HazardBucket.TO_FIX: frozenset({HazardStatus.OPEN, HazardStatus.IN_RECTIFICATION}),
    HazardBucket.TO_RECHECK: frozenset({HazardStatus.AWAITING_ACCEPTANCE}),
    HazardBucket.REMOVED: frozenset({HazardStatus.FIXED_ON_SPOT, HazardStatus.ACCEPTED}),
}
OPEN_STATUSES = BUCKET_STATUSES[HazardBucket.TO_FIX] | BUCKET_STATUSES[HazardBucket.TO_RECHECK]
CLOSED_STATUSES = BUCKET_STATUSES[HazardBucket.REMOVED] | {HazardStatus.VOID}


class PhotoRole(models.TextChoices):
    EVIDENCE = "evidence", _("隐患照片")
    AFTER = "after", _("整改后照片")
