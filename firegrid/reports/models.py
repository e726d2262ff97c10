"""The daily report (日报 / 每日通报排名): a frozen snapshot of a campaign's figures for one day.

A snapshot is written once and never changed: `generate_snapshot` only creates rows, `save` and `delete`
refuse a stored one, and the database itself refuses UPDATE and DELETE of these tables (triggers,
immutability.py: a bulk `QuerySet.update()` or `.delete()` fails too). A correction is a new version of the
same day with a reason; the newest version is the one shown. A campaign with reports cannot be deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import Promise


class ImmutableSnapshot(Exception):
    """Raised on an attempt to change a stored snapshot or one of its rows."""


class Dimension(models.TextChoices):
    TOTAL = "total", _("全区合计")
    WORK_GROUP = "work_group", _("工作组")
    SUBDISTRICT = "subdistrict", _("街道/乡镇")
    COMMUNITY = "community", _("社区/村")
    GRID = "grid", _("网格")
    UNIT = "unit", _("单位")
    FOUR_CATEGORY = "four_category", _("四类人员")


# Rows named by a fixed phrase (全区合计, 四类人员合计, 党员 …) rather than by an area, work group or unit.
FIXED_NAME_DIMENSIONS = (Dimension.TOTAL, Dimension.FOUR_CATEGORY)
# Dimensions that get a rank (the total is one row; the four categories overlap and are not a contest).
RANKED = (Dimension.WORK_GROUP, Dimension.SUBDISTRICT, Dimension.COMMUNITY, Dimension.GRID, Dimension.UNIT)
# The figures kept per row, in the order printed. All but in_scope and surveyed are disjoint buckets of
# campaign progress (campaigns.status.Progress); surveyed = in scope − not surveyed.
FIGURES = (
    "in_scope",
    "surveyed",
    "with_hazards",
    "notified",
    "rectifying",
    "overdue",
    "accepted",
    "cancelled",
)


class SnapshotStatus(models.TextChoices):
    PUBLISHED = "published", _("已发布")


class GeneratedVia(models.TextChoices):
    """Who or what made a report: the scheduled job, the management command, a person (the command's
    立即生成 / 更正), or the demo loader replaying history."""

    JOB = "job", _("定时任务")
    COMMAND = "command", _("管理命令")
    PERSON = "person", _("人工生成")
    DEMO = "demo", _("演示数据")


class Immutable(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableSnapshot(f"{type(self).__name__} {self.pk} is frozen: make a new version instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableSnapshot(f"{type(self).__name__} {self.pk} is frozen: it is never deleted")


class DailySnapshot(Immutable):
    """One version of one campaign's daily report."""

    # PROTECT: a campaign with reports is kept (its reports are a record); the database refuses the delete
    # anyway (immutability.py).
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        related_name="snapshots",
        verbose_name=_("专项整治行动"),
    )
    day = models.DateField(_("日期"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    # Also the instant the figures are "as known at": history recorded after it never counts in them
    # (campaigns.status, known_at), so a stored report and its lists agree for ever.
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("生成人"),
        help_text=_("空：定时任务、管理命令或演示数据生成（见生成方式）。"),
    )
    generated_via = models.CharField(
        _("生成方式"), max_length=16, choices=GeneratedVia.choices, default=GeneratedVia.JOB
    )
    reason = models.CharField(_("更正原因"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=SnapshotStatus.choices, default=SnapshotStatus.PUBLISHED
    )
    # The outreach section frozen when the report was made (宣传发动, counted from the records up to the
    # day): {"areas": {area id: {"path": …, "kinds": {kind: {"records", "attendance", "copies"}}}}} —
    # per record area, so each reader's section is the sum over the areas in their scope.
    outreach = models.JSONField(_("宣传发动"), default=dict, blank=True)
    # The survey (排查覆盖) frozen when the report was made, per grid: {"at": the instant counted at,
    # "by_grid": {grid id: [buildings, surveyed, premises, covered, rooms, inspected]}} (reports/survey.py).
    # Empty in reports made before it was frozen.
    survey = models.JSONField(_("排查覆盖"), default=dict, blank=True)

    class Meta:
        ordering = ["campaign", "-day", "-version"]
        verbose_name = _("日报")
        verbose_name_plural = pgettext_lazy("plural", "日报")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "day", "version"],
                name="snapshot_unique_version",
                violation_error_message=_("该日期的日报已有此版本。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.day} v{self.version}"

    @property
    def maker(self) -> str:
        """Who or what made it, as the page says: the person, else the way it was generated."""
        return str(self.generated_by) if self.generated_by_id else str(self.get_generated_via_display())


class SnapshotRow(Immutable):
    """The figures of one work group, area, unit or four-category section in a snapshot."""

    snapshot = models.ForeignKey(DailySnapshot, on_delete=models.CASCADE, related_name="rows")
    dimension = models.CharField(_("维度"), max_length=16, choices=Dimension.choices)
    # The id of the area, work group or unit ("all" for totals, the landlord flag for a category).
    key = models.CharField(_("编号"), max_length=32)
    name = models.CharField(_("名称"), max_length=100)  # as it was named that day
    parent_key = models.CharField(_("上级编号"), max_length=32, blank=True)
    in_scope = models.PositiveIntegerField(_("整治对象"))
    surveyed = models.PositiveIntegerField(_("已排查"))
    with_hazards = models.PositiveIntegerField(_("有隐患待下发"))
    notified = models.PositiveIntegerField(_("已下发通知"))
    rectifying = models.PositiveIntegerField(_("整改中"))
    overdue = models.PositiveIntegerField(_("逾期"))
    accepted = models.PositiveIntegerField(_("已验收"))
    cancelled = models.PositiveIntegerField(_("已撤销"))
    completion_permille = models.PositiveIntegerField(_("完成率 (‰)"))
    accepted_delta = models.IntegerField(_("较前日验收增加"), null=True, blank=True)
    completion_delta = models.IntegerField(_("较前日完成率变化 (‰)"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    # Places moved since the day before: positive = up.
    rank_change = models.IntegerField(_("排名变化"), null=True, blank=True)

    # Not a column: the page's cells (figure, label, value, drill-down URL), set by reports.views.sections.
    cells: list[tuple[str, str | Promise, int, str]]
    # Not columns either: how the page shows the row on a phone, set by reports.layout.arrange — the
    # reader's own row (highlighted, pinned first), a row folded behind 展开全部, how many rows its ranking has.
    is_own: bool
    folded: bool
    out_of: int

    class Meta:
        ordering = ["snapshot", "dimension", "rank", "name", "key"]
        verbose_name = _("日报数据行")
        verbose_name_plural = pgettext_lazy("plural", "日报数据行")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "dimension", "key"], name="snapshot_row_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()} {self.name}"

    @property
    def display_name(self) -> str:
        """The name in the reader's language: the total's and the four categories' are fixed phrases, stored in
        Chinese and translated here; an area's, a work group's or a unit's is its own name."""
        if self.dimension in FIXED_NAME_DIMENSIONS and self.name:  # gettext("") is the catalogue's header
            return gettext(self.name)
        return self.name

    @property
    def completion(self) -> float:
        """完成率 in percent, one decimal (as campaigns.status.completion gives it)."""
        return self.completion_permille / 10

    @property
    def completion_delta_percent(self) -> float | None:
        return None if self.completion_delta is None else self.completion_delta / 10


class LongtermReport(Immutable):
    """长效管理日报: the long-term drive's figures of one day, per area, frozen when made (the nightly job
    after the grades are recomputed, or the command by hand). The figures are the 长效管理 page's
    (reports/longterm.py), kept as they were that day: a later change to a grade, a self-inspection or a
    patrol never changes them. A correction is version + 1 with a reason, as for the campaign report.

    `content`: {"areas": {id: {"name", "level", "path", "parent"}}, "figures": {area id: {section key:
    {figure key: value}}}, "sections": {section key: [figure keys]}} — ids as strings (JSON keys)."""

    day = models.DateField(_("日期"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("生成人"),
        help_text=_("空：定时任务生成。"),
    )
    reason = models.CharField(_("更正原因"), max_length=200, blank=True)
    content = models.JSONField(_("内容"))

    class Meta:
        ordering = ["-day", "-version"]
        verbose_name = _("长效管理日报")
        verbose_name_plural = pgettext_lazy("plural", "长效管理日报")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "version"],
                name="longtermreport_unique_version",
                violation_error_message=_("该日期的长效管理日报已有此版本。"),
            ),
        ]

    def __str__(self) -> str:
        return _("长效管理日报 %(day)s v%(version)s") % {"day": self.day, "version": self.version}
