"""Enums of monitoring (物联感知): device kinds and states, the events devices send, alert cases, their
moves and outcomes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    """What a sensor (传感器) watches."""

    SMOKE = "smoke", _("烟感")
    EBIKE_CHARGING = "ebike_charging", _("电动车充电监测")
    ELECTRICAL_FIRE = "electrical_fire", _("电气火灾监测")
    GAS = "gas", _("燃气报警")


class DeviceState(models.TextChoices):
    """Where a device stands, as its last applied message (or the offline job) left it. A device that has
    never reported is offline."""

    ONLINE = "online", _("在线")
    OFFLINE = "offline", _("离线")
    FAULT = "fault", _("故障")
    LOW_BATTERY = "low_battery", _("低电量")
    ALARM = "alarm", _("报警")


class EventKind(models.TextChoices):
    """What a device says (the last segment of its MQTT topic), plus `offline`, written by the offline
    job when a device has been silent too long."""

    HEARTBEAT = "heartbeat", _("心跳")
    ALARM = "alarm", _("报警")
    FAULT = "fault", _("故障")
    LOW_BATTERY = "low_battery", _("低电量")
    CLEAR = "clear", _("恢复")
    READING = "reading", _("读数")
    OFFLINE = "offline", _("离线")


# The events a device may publish (offline is the system's).
DEVICE_EVENTS = frozenset(EventKind.values) - {EventKind.OFFLINE}

# The state an applied event leaves the device in; None: the state stays (a reading, a heartbeat of a
# device in alarm or fault). A heartbeat brings an offline device back online.
EVENT_STATE: dict[str, str | None] = {
    EventKind.HEARTBEAT: None,
    EventKind.ALARM: DeviceState.ALARM,
    EventKind.FAULT: DeviceState.FAULT,
    EventKind.LOW_BATTERY: DeviceState.LOW_BATTERY,
    EventKind.CLEAR: DeviceState.ONLINE,
    EventKind.READING: None,
}


class CaseState(models.TextChoices):
    """An alert case (报警处置) is opened by a device's alarm and moved by people only: acknowledged
    (someone took it), visited (someone was at the door), closed (with an outcome and a note)."""

    OPEN = "open", _("待响应")
    ACKNOWLEDGED = "acknowledged", _("已响应")
    VISITED = "visited", _("已到场")
    CLOSED = "closed", _("已办结")


# Cases still waiting for someone at the door: they are grid-worker work-queue items (报警待核查).
AWAITING_VISIT_STATES = (CaseState.OPEN, CaseState.ACKNOWLEDGED)
OPEN_STATES = (CaseState.OPEN, CaseState.ACKNOWLEDGED, CaseState.VISITED)
TERMINAL_STATES = (CaseState.CLOSED,)


class CaseMove(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("响应")
    VISIT = "visit", _("到场核查")
    CLOSE = "close", _("办结")


# The one table of allowed moves: move → (the states it leaves from, the state it reaches). A visit made
# without acknowledging first acknowledges too; a false alarm settled by telephone closes without a visit.
CASE_MOVES: dict[str, tuple[frozenset[str], str]] = {
    CaseMove.ACKNOWLEDGE: (frozenset({CaseState.OPEN}), CaseState.ACKNOWLEDGED),
    CaseMove.VISIT: (frozenset({CaseState.OPEN, CaseState.ACKNOWLEDGED}), CaseState.VISITED),
    CaseMove.CLOSE: (frozenset({CaseState.ACKNOWLEDGED, CaseState.VISITED}), CaseState.CLOSED),
}


class CaseOutcome(models.TextChoices):
    """What the alarm turned out to be (核查结论)."""

    FALSE_ALARM = "false_alarm", _("误报")
    COOKING_SMOKE = "cooking_smoke", _("油烟")
    EBIKE_INDOORS = "ebike_indoors", _("室内充电")
    ELECTRICAL_FAULT = "electrical_fault", _("电气故障")
    REAL_FIRE = "real_fire", _("真实火情")
    DEVICE_FAULT = "device_fault", _("设备故障")


# Outcomes that found something at the premises. Such a case asks for an inspection of the premises
# (报警后待检查, a work-queue item until a covering inspection is submitted): the hazards come from that
# inspection's failed items, the normal way. For a year the premises' grade counts it (risk_hooks.py).
FOLLOW_UP_OUTCOMES = (CaseOutcome.EBIKE_INDOORS, CaseOutcome.ELECTRICAL_FAULT, CaseOutcome.REAL_FIRE)
