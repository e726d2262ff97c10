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
from django.utils.translation import gettext_lazy as _

from firegrid.core.permissions import Action, can
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
    return any(section.may_view(user) for section in sections())


# The home page's 长效管理 strip: (section, figure) pairs, in the order shown.
HOME_FIGURES: tuple[tuple[str, str], ...] = (
    ("grades", "red"),
    ("due", "overdue"),
    ("due", "today"),
    ("grades", "worse"),
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
