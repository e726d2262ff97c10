"""长效管理: the long-term drive's figures per area, one table per part (risk grades, re-inspections due,
grade changes, self-inspections, patrols, points).

Each part computes its own figures (`<app>.figures.figure_rows(user, area)`: rows of an area with
`figures` and the `links` to the lists that count them, so a list's count equals its figure — each app
tests its own). This module only says which figures each table shows, in which order and under which
heading, and who sees the table: the one definition the 长效管理 page (dashboards) and the long-term
daily report (here, in reports) both read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.core.permissions import Action, can
from firegrid.longterm import figures as self_inspection_figures
from firegrid.longterm.models import SelfInspection
from firegrid.longterm.selfcheck import period_of, previous_period
from firegrid.patrols import figures as patrol_figures
from firegrid.patrols.models import FabricationFlag, PatrolScan
from firegrid.points import figures as points_figures
from firegrid.points.models import PointsEntry
from firegrid.risk import figures as risk_figures
from firegrid.risk.models import PremisesGrade

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from firegrid.areas.models import Area, User


class FigureRowLike(Protocol):
    area: Area

    @property
    def figures(self) -> dict[str, int]: ...

    @property
    def links(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class FigureColumn:
    """One column of a section: a figure (a number that links to its list) or a rate of two figures
    (`rate_of`: numerator and denominator keys; shown as a percentage, not a link)."""

    key: str
    label: str | Promise
    tag: str = ""  # a colour class for the number (red / yellow / green)
    rate_of: tuple[str, str] | None = None


@dataclass
class SectionRow:
    area: Area
    cells: list[tuple[FigureColumn, int | str, str]]  # column, value, link ("" for a rate)
    figures: dict[str, int] = field(default_factory=dict)  # every figure of the part, shown or not


@dataclass
class Section:
    key: str
    title: str | Promise
    note: str | Promise
    columns: Sequence[FigureColumn]
    rows_of: Callable[[User, Area | None], Sequence[FigureRowLike]]
    model: type[Model]  # who may view this model's rows sees the section
    rows: list[SectionRow] = field(default_factory=list)

    def may_view(self, user: User) -> bool:
        return can(user, Action.VIEW, self.model)


def rate(numerator: int, denominator: int) -> str:
    """A percentage with one decimal ("87.5 %"), "—" when nothing is owed."""
    if not denominator:
        return "—"
    return f"{numerator * 100 / denominator:.1f} %"


def _cells(
    columns: Sequence[FigureColumn], row: FigureRowLike | None, figures: Mapping[str, int] | None = None
) -> list[tuple[FigureColumn, int | str, str]]:
    """A row's cells: live (`row`: figures with their links) or frozen (`figures` only: no links)."""
    links = row.links if row is not None else {}
    figures = row.figures if row is not None else (figures or {})
    cells: list[tuple[FigureColumn, int | str, str]] = []
    for column in columns:
        if column.rate_of is not None:
            num, den = column.rate_of
            cells.append((column, rate(figures.get(num, 0), figures.get(den, 0)), ""))
        else:
            cells.append((column, figures.get(column.key, 0), links.get(column.key, "")))
    return cells


def _risk_rows(user: User, area: Area | None) -> Sequence[FigureRowLike]:
    return risk_figures.figure_rows(user, area)


def _self_inspection_rows(user: User, area: Area | None) -> Sequence[FigureRowLike]:
    """This period's self-inspections: who owes one, who has submitted."""
    return self_inspection_figures.figure_rows(user, area, period_of(timezone.localdate()))


def _verification_rows(user: User, area: Area | None) -> Sequence[FigureRowLike]:
    """The period just ended: its misses, and the verification of its drawn sample (drawn on the 1st)."""
    return self_inspection_figures.figure_rows(user, area, previous_period(timezone.localdate()))


def _patrol_rows(user: User, area: Area | None) -> Sequence[FigureRowLike]:
    return patrol_figures.figure_rows(user, area)


def _points_rows(user: User, area: Area | None) -> Sequence[FigureRowLike]:
    return points_figures.figure_rows(user, area)


def sections() -> list[Section]:
    """Every section of the page, in the order shown (a new part adds its own here)."""
    return [
        Section(
            "grades",
            _("风险等级"),
            _("按风险等级统计的出租户；近30日等级变差、变好的次数。"),
            [
                FigureColumn("graded", _("已分级")),
                FigureColumn("red", _("红"), tag="red"),
                FigureColumn("yellow", _("黄"), tag="yellow"),
                FigureColumn("green", _("绿"), tag="green"),
                FigureColumn("worse", _("近30日变差")),
                FigureColumn("better", _("近30日变好")),
            ],
            _risk_rows,
            PremisesGrade,
        ),
        Section(
            "due",
            _("复查到期"),
            _("按风险等级间隔计算的下次复查日期。"),
            [
                FigureColumn("overdue", _("已超期"), tag="red"),
                FigureColumn("today", _("今日到期")),
                FigureColumn("week", _("7日内到期")),
                FigureColumn("never", _("从未检查")),
            ],
            _risk_rows,
            PremisesGrade,
        ),
        Section(
            "self_inspection",
            _("房东自查（本期）"),
            _("本期应自查的出租户（房东已开通房东端账号）及已提交情况；未开通账号的房东无法自查，另列。"),
            [
                FigureColumn("owed", _("应自查")),
                FigureColumn("submitted", _("已提交")),
                FigureColumn("rate", _("自查率"), rate_of=("submitted", "owed")),
                FigureColumn("not_submitted", _("未提交")),
                FigureColumn("no_account", _("房东未开通账号")),
            ],
            _self_inspection_rows,
            SelfInspection,
        ),
        Section(
            "verification",
            _("自查抽检核实（上期）"),
            _("上期未自查的出租户，以及上期自查的随机抽检与网格员核实结果。"),
            [
                FigureColumn("missed", _("未自查"), tag="red"),
                FigureColumn("drawn", _("抽检")),
                FigureColumn("verified", _("核实相符"), tag="green"),
                FigureColumn("contradicted", _("核实不符"), tag="red"),
                FigureColumn("awaiting", _("待核实")),
            ],
            _verification_rows,
            SelfInspection,
        ),
        Section(
            "patrols",
            _("巡查（本周）"),
            _("本周巡查打卡覆盖的建筑；巡查发现待处理的事项。"),
            [
                FigureColumn("buildings", _("建筑")),
                FigureColumn("patrolled", _("本周已巡查")),
                FigureColumn("coverage", _("覆盖率"), rate_of=("patrolled", "buildings")),
                FigureColumn("not_patrolled", _("本周未巡查")),
                FigureColumn("scans", _("打卡次数")),
                FigureColumn("findings_open", _("发现待处理")),
            ],
            _patrol_rows,
            PatrolScan,
        ),
        Section(
            "flags",
            _("疑似造假提示"),
            _(
                "供核查的提示（同一照片重复使用、打卡间距离与时间不符、检查提交过快、路线外或时段外打卡），不是处罚。"
            ),
            [FigureColumn("flags_open", _("待核查提示"))],
            _patrol_rows,
            FabricationFlag,
        ),
        Section(
            "points",
            _("房东积分（本年）"),
            _("按本年积分分档的房东，以及本年文明家庭、文明商户评选提名。"),
            [
                FigureColumn("landlords", _("房东")),
                FigureColumn("poor", _("积分偏低"), tag="red"),
                FigureColumn("middle", _("积分一般")),
                FigureColumn("good", _("积分良好"), tag="green"),
                FigureColumn("nominated", _("评选提名")),
            ],
            _points_rows,
            PointsEntry,
        ),
    ]


def build(user: User, area: Area | None = None, *, only: Sequence[str] | None = None) -> list[Section]:
    """The sections this user may see, with their rows for `area` (else the user's scope roots) and its
    children. A part shared by two sections is computed once."""
    computed: dict[Any, Sequence[FigureRowLike]] = {}
    shown: list[Section] = []
    for section in sections():
        if only is not None and section.key not in only:
            continue
        if not section.may_view(user):
            continue
        if section.rows_of not in computed:
            computed[section.rows_of] = section.rows_of(user, area)
        section.rows = [
            SectionRow(r.area, _cells(section.columns, r), dict(r.figures)) for r in computed[section.rows_of]
        ]
        shown.append(section)
    return shown


def may_view_any(user: User) -> bool:
    """The page is per area: for district-wide and area roles (a unit liaison or a landlord has no area to
    show, even where they may read some of the rows behind it)."""
    return bool(user.scope_paths) and any(section.may_view(user) for section in sections())


# The home page's 长效管理 strip: (section, figure) pairs, in the order shown.
HOME_FIGURES: tuple[tuple[str, str], ...] = (
    ("grades", "red"),
    ("due", "overdue"),
    ("due", "today"),
    ("grades", "worse"),
    ("self_inspection", "not_submitted"),
    ("verification", "contradicted"),
    ("patrols", "not_patrolled"),
    ("flags", "flags_open"),
)


def home_figures(user: User) -> list[tuple[FigureColumn, int | str, str]]:
    """The scope's total of a few figures, each linking to its list — for a user whose scope has one root
    (the district, or one area): with several roots no single list would count their sum."""
    if len(user.scope_paths) != 1:
        return []
    wanted = {section for section, _key in HOME_FIGURES}
    cells: dict[tuple[str, str], tuple[FigureColumn, int | str, str]] = {}
    for section in build(user, only=sorted(wanted)):
        if not section.rows:
            continue
        for cell in section.rows[0].cells:
            cells[(section.key, cell[0].key)] = cell
    return [cells[pair] for pair in HOME_FIGURES if pair in cells]
