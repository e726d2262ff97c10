"""Models of monitoring (物联感知): sensors (传感器) installed in premises, the events they send over MQTT,
and the alert cases (报警处置) an alarm opens for people to acknowledge, visit and close.

Devices, events and cases are scoped like the premises they are in (`premises_scope_q`): a grid worker
sees their grids', a landlord their own, a unit liaison their landlords'.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.areas.models import User
from firegrid.core.models import Record
from firegrid.core.querysets import ScopedQuerySet
from firegrid.inspections.models import Inspection
from firegrid.registry.models import Premises, Room, premises_scope_q

from .choices import (
    AWAITING_VISIT_STATES,
    FOLLOW_UP_OUTCOMES,
    OPEN_STATES,
    CaseOutcome,
    CaseState,
    DeviceKind,
    DeviceState,
    EventKind,
)


class DeviceQuerySet(ScopedQuerySet["Device"]):
    def scope_q(self, user: User) -> Q:
        return premises_scope_q(user, "premises__")


class Device(Record):
    """A sensor (传感器) installed in a premises — a smoke detector, an e-bike charging load monitor, an
    electrical fire monitor (residual current, temperature) or a gas detector — known to the ingester by its
    serial number, the segment of its MQTT topic."""

    scope_field = "premises"

    kind = models.CharField(_("类型"), max_length=24, choices=DeviceKind.choices)
    premises = models.ForeignKey(
        Premises, on_delete=models.PROTECT, related_name="devices", verbose_name=_("出租户")
    )
    room = models.ForeignKey(
        Room,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("房间"),
        help_text=_("已知时填写。"),
    )
    device_model = models.CharField(_("型号"), max_length=64, blank=True)
    serial = models.CharField(
        _("设备编号"),
        max_length=64,
        unique=True,
        help_text=_("设备上报时使用的编号（字母、数字、-、_）。"),
        validators=[
            # The serial is a segment of an MQTT topic: no separators or wildcards.
            RegexValidator(r"^[A-Za-z0-9_-]+$", _("设备编号只能包含字母、数字、-、_。"))
        ],
    )
    installer = models.CharField(_("安装单位/人员"), max_length=100, blank=True)
    installed_on = models.DateField(_("安装日期"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=DeviceState.choices, default=DeviceState.OFFLINE, editable=False
    )
    heartbeat_interval = models.PositiveIntegerField(
        _("心跳间隔（秒）"), default=300, validators=[MinValueValidator(10), MaxValueValidator(86400)]
    )
    last_heartbeat_at = models.DateTimeField(
        _("最后心跳"), null=True, blank=True, editable=False, help_text=_("最近一条被接受的消息的时间。")
    )
    # The device time of the last applied message: an older one (out of order) does not move the state.
    last_event_at = models.DateTimeField(_("最后事件时间"), null=True, blank=True, editable=False)
    # When the device goes offline if nothing more is heard: last heartbeat + intervals × the setting.
    # Stored (not computed in the query) so the offline job reads one index.
    offline_after = models.DateTimeField(_("离线判定时间"), null=True, blank=True, editable=False)
    last_reading = models.JSONField(_("最近读数"), default=dict, blank=True, editable=False)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        ordering = ["premises__sort_key", "serial"]
        verbose_name = _("传感器")
        verbose_name_plural = pgettext_lazy("plural", "传感器")
        indexes = [
            # Serves the offline job: devices not yet offline whose silence deadline has passed.
            models.Index(fields=["state", "offline_after"], name="device_state_offline_after"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"

    def clean(self) -> None:
        if self.room_id is not None and self.premises_id is not None:
            if not Room.objects.filter(pk=self.room_id, premises_id=self.premises_id).exists():
                raise ValidationError({"room": _("房间不属于所选出租户。")})

    def premises_for_audit(self) -> Premises | None:
        return self.premises

    def silence_deadline(self, heard_at: dt.datetime, intervals: int) -> dt.datetime:
        return heard_at + dt.timedelta(seconds=self.heartbeat_interval * intervals)


class DeviceEventQuerySet(ScopedQuerySet["DeviceEvent"]):
    def scope_q(self, user: User) -> Q:
        return premises_scope_q(user, "device__premises__")


class DeviceEvent(models.Model):
    """One message a device sent and the ingester accepted (or an `offline` written by the offline job):
    the device's trace. `applied` is false for a message older than one already applied (out of order):
    kept, but it did not move the device's state."""

    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="events", verbose_name=_("传感器")
    )
    kind = models.CharField(_("事件"), max_length=16, choices=EventKind.choices)
    ts = models.DateTimeField(_("事件时间"), help_text=_("设备时间；明显超前时为接收时间。"))
    received_at = models.DateTimeField(_("接收时间"))
    # The device's message counter; null for the system's events (offline).
    seq = models.BigIntegerField(_("序号"), null=True, blank=True)
    payload = models.JSONField(_("内容"), default=dict, blank=True)
    applied = models.BooleanField(_("已应用"), default=True)
    clock_skewed = models.BooleanField(_("设备时钟超前"), default=False)

    objects = DeviceEventQuerySet.as_manager()

    class Meta:
        ordering = ["-ts", "-id"]
        verbose_name = _("设备事件")
        verbose_name_plural = pgettext_lazy("plural", "设备事件")
        constraints = [
            # A message redelivered (same device and seq) is stored once.
            models.UniqueConstraint(
                fields=["device", "seq"], condition=Q(seq__isnull=False), name="deviceevent_once_per_seq"
            ),
        ]
        indexes = [
            # Serves a device page's recent events, newest first.
            models.Index(fields=["device", "-ts"], name="deviceevent_device_time"),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {self.get_kind_display()} {timezone.localtime(self.ts):%Y-%m-%d %H:%M:%S}"


class AlertCaseQuerySet(ScopedQuerySet["AlertCase"]):
    def scope_q(self, user: User) -> Q:
        return premises_scope_q(user, "premises__")

    def open(self) -> AlertCaseQuerySet:
        return self.filter(state__in=OPEN_STATES)


class AlertCase(Record):
    """报警处置: one alarm episode of one device. Opened by the device's first alarm; repeats while it is
    open add to its alarm count and move its last-alarm time; a `clear` from the device does not close it.
    People acknowledge it, visit the premises and close it with an outcome and a note."""

    scope_field = "premises"

    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="cases", verbose_name=_("传感器")
    )
    # Copied from the device when the case opens: the work queue reads open cases by premises.
    premises = models.ForeignKey(
        Premises, on_delete=models.PROTECT, related_name="alert_cases", verbose_name=_("出租户")
    )
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("房间")
    )
    kind = models.CharField(_("传感器类型"), max_length=24, choices=DeviceKind.choices)
    state = models.CharField(_("状态"), max_length=16, choices=CaseState.choices, default=CaseState.OPEN)
    opened_at = models.DateTimeField(_("报警时间"))
    last_alarm_at = models.DateTimeField(_("最近报警"))
    alarm_count = models.PositiveIntegerField(_("报警次数"), default=1)
    acknowledged_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("响应人"),
    )
    visited_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("到场人"),
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办结人"),
    )
    outcome = models.CharField(_("核查结论"), max_length=24, choices=CaseOutcome.choices, blank=True)
    note = models.CharField(_("处置说明"), max_length=500, blank=True)
    # A case closed with an outcome that found something (FOLLOW_UP_OUTCOMES) waits for an inspection of
    # the premises (报警后待检查): the first covering inspection submitted after it is recorded here.
    followed_up_by = models.ForeignKey(
        Inspection,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("跟进检查"),
    )

    objects = AlertCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("报警处置")
        verbose_name_plural = pgettext_lazy("plural", "报警处置")
        constraints = [
            # One episode at a time per device: repeats go to the open case.
            models.UniqueConstraint(
                fields=["device"],
                condition=~Q(state=CaseState.CLOSED),
                name="alertcase_one_open_per_device",
                violation_error_message=_("该传感器已有未办结的报警处置。"),
            ),
            models.CheckConstraint(
                condition=~Q(state=CaseState.CLOSED) | ~Q(outcome=""),
                name="alertcase_closed_has_outcome",
                violation_error_message=_("办结须填写核查结论。"),
            ),
        ]
        indexes = [
            # Serves the work queue's candidate set: premises with a case waiting for a visit
            # (`followup.py`: Q(pk__in=AlertCase … values("premises_id"))) — an index-only scan.
            models.Index(
                fields=["premises"],
                condition=Q(state__in=AWAITING_VISIT_STATES),
                name="alertcase_awaiting_premises",
            ),
            # Serves the case list and the figures: cases of an area by state, newest first.
            models.Index(fields=["state", "-opened_at"], name="alertcase_state_opened"),
            # Serves the queue's 报警后待检查: premises with a closed case still waiting for an inspection.
            models.Index(
                fields=["premises"],
                condition=Q(state=CaseState.CLOSED, outcome__in=FOLLOW_UP_OUTCOMES, followed_up_by=None),
                name="alertcase_follow_up_premises",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.premises} · {timezone.localtime(self.opened_at):%Y-%m-%d %H:%M}"

    def premises_for_audit(self) -> Premises | None:
        return self.premises

    @property
    def awaiting_follow_up(self) -> bool:
        """Closed as something found, and no covering inspection of the premises submitted since."""
        return (
            self.state == CaseState.CLOSED
            and self.outcome in FOLLOW_UP_OUTCOMES
            and self.followed_up_by_id is None
        )
