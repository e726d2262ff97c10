"""Enums of patrols (巡查): teams, patrols and their states, scans, findings, fabrication flags."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TeamKind(models.TextChoices):
    """Who patrols: the grid workers of an area, or a volunteer team of landlords (房东自治巡查队)."""

    GRID_WORKERS = "grid_workers", _("网格员巡查")
    LANDLORDS = "landlords", _("房东自治巡查队")


class PatrolKind(models.TextChoices):
    DAY = "day", _("日间巡查")
    NIGHT = "night", _("夜间巡查")


class PatrolStatus(models.TextChoices):
    """planned → in progress → finished; a planned patrol that will not happen is cancelled."""

    PLANNED = "planned", _("已计划")
    IN_PROGRESS = "in_progress", _("进行中")
    FINISHED = "finished", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class PatrolMove(models.TextChoices):
    START = "start", _("开始巡查")
    FINISH = "finish", _("结束巡查")
    CANCEL = "cancel", _("取消巡查")


# The one table of allowed moves: move → (the states it leaves from, the state it reaches).
PATROL_MOVES: dict[str, tuple[frozenset[str], str]] = {
    PatrolMove.START: (frozenset({PatrolStatus.PLANNED}), PatrolStatus.IN_PROGRESS),
    PatrolMove.FINISH: (frozenset({PatrolStatus.IN_PROGRESS}), PatrolStatus.FINISHED),
    PatrolMove.CANCEL: (frozenset({PatrolStatus.PLANNED}), PatrolStatus.CANCELLED),
}


class ScanSource(models.TextChoices):
    """What was scanned: the building's plate, a premises' door QR code (counts for its building), or the
    building number typed when the camera could not read the code."""

    BUILDING_QR = "building_qr", _("建筑二维码")
    PREMISES_QR = "premises_qr", _("出租户二维码")
    TYPED = "typed", _("手动输入")


class FindingKind(models.TextChoices):
    NOTE = "note", _("情况记录")
    HAZARD = "hazard", _("隐患线索")


class FindingStatus(models.TextChoices):
    """A finding waits (待处理) until an inspection of its premises (or building) covers it (已跟进) or
    an officer closes it with a note (已关闭)."""

    OPEN = "open", _("待处理")
    FOLLOWED_UP = "followed_up", _("已跟进检查")
    CLOSED = "closed", _("已关闭")


class FlagKind(models.TextChoices):
    """Why a piece of work looks fabricated (疑似造假): a hint for a supervisor, never a penalty."""

    PHOTO_REUSED = "photo_reused", _("同一照片重复使用")
    IMPOSSIBLE_SPEED = "impossible_speed", _("打卡间距离与时间不符")
    TOO_FAST = "too_fast", _("检查提交过快")
    OFF_ROUTE = "off_route", _("路线外打卡")
    OUTSIDE_WINDOW = "outside_window", _("时段外打卡")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    CLEARED = "cleared", _("已排除")
    CONFIRMED = "confirmed", _("已确认")


REVIEW_DECISIONS = (FlagStatus.CLEARED, FlagStatus.CONFIRMED)


class FingerprintKind(models.TextChoices):
    """Which photo table a fingerprint's photo id points into."""

    INSPECTION = "inspection", _("检查照片")
    FINDING = "finding", _("巡查发现照片")
