"""指挥大屏 (command screen): one area's campaign and long-term figures on a 1920×1080 screen — key
figures left, the map of its child areas' outlines centre, rankings and alerts right.

Nothing is counted here that another page counts already: the campaign figures are the dashboard's (the
newest daily report's row of the area, `figures.summary`; completion per child area, `figures.by_area`;
overdue plans, `figures.overdue_plans`), the long-term ones the 长效管理 page's (`reports.longterm.build`:
the area's row and its children's). So every figure links to the same list as there, whose count is the
figure. The alerts (overdue plans, red-grade premises, open fabrication flags) show a count that is its
list's, and the few most pressing rows of that list.

The area is the URL's (`?area=`), else the user's scope root; the user's scope applies throughout.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area
from firegrid.campaigns.choices import CampaignStatus
from firegrid.campaigns.models import Campaign
from firegrid.campaigns.status import Progress
from firegrid.core.filters import filtered_list_url
from firegrid.core.permissions import Action, can
from firegrid.patrols.choices import FlagStatus
from firegrid.patrols.models import FabricationFlag
from firegrid.rectification.choices import OPEN_STATES
from firegrid.rectification.models import Plan
from firegrid.reports import longterm
from firegrid.reports.models import DailySnapshot, Dimension, SnapshotRow
from firegrid.reports.services import ALL, AREA_DIMENSIONS, visible_rows
from firegrid.risk.choices import RiskGrade
from firegrid.risk.models import PremisesGrade

from . import figures

if TYPE_CHECKING:
    from firegrid.areas.models import User

COMPLETION, GRADE = "completion", "grade"
MODES = (COMPLETION, GRADE)
# Seconds between refreshes of an open screen (the page polls `screen_data`).
REFRESH_SECONDS = 60
ALERT_ROWS = 4
NO_DATA = "#4a5568"
# Completion (%) bands, lowest first: (lower bound, colour). Red to green, as the hazard buckets.
COMPLETION_BANDS = ((0.0, "#d9363e"), (60.0, "#f08c2e"), (80.0, "#e6c229"), (95.0, "#3fb950"))
# Share of graded premises in the red grade (%), lowest first.
GRADE_BANDS = ((0.0, "#3fb950"), (1.0, "#e6c229"), (2.0, "#f08c2e"), (4.0, "#d9363e"))
# The 长效管理 figures shown, under the screen's own (longer) labels: (section, figure) → label.
LONGTERM_FIGURES = {
    ("grades", "red"): gettext_lazy("红色等级出租户"),
    ("due", "overdue"): gettext_lazy("复查已超期"),
    ("due", "today"): gettext_lazy("今日到期复查"),
    ("flags", "flags_open"): gettext_lazy("疑似造假待核查"),
}


@dataclass
class Kpi:
    label: str
    value: str
    url: str = ""
    tone: str = ""  # red / green: how the number is coloured


@dataclass
class MapArea:
    """A child area on the map: its outline, its figure and colour in the screen's mode."""

    area: Area
    value: float | None  # completion % or red share %; None: nothing to show
    text: str
    colour: str
    detail: str = ""  # the counts behind the value (a tooltip line)

    def feature(self) -> dict[str, Any]:
        return {
            "type": "Feature",
            "geometry": self.area.outline,
            "properties": {
                "id": self.area.pk,
                "name": self.area.name,
                "text": self.text,
                "detail": self.detail,
                "colour": self.colour,
            },
        }


@dataclass
class AlertRow:
    text: str
    note: str
    url: str


@dataclass
class Alert:
    """One alert box: a figure (with its list) and its most pressing rows."""

    key: str
    title: str
    count: int
    url: str
    rows: list[AlertRow] = field(default_factory=list)


@dataclass
class Screen:
    area: Area
    crumbs: list[Area]
    mode: str
    campaign: Campaign | None
    campaigns: list[Campaign]
    snapshot: DailySnapshot | None
    campaign_kpis: list[Kpi]
    longterm_kpis: list[Kpi]
    map_areas: list[MapArea]
    ranking: list[MapArea]
    alerts: list[Alert]
    legend: list[tuple[str, str]]
    updated_at: dt.datetime

    @property
    def unmapped(self) -> list[Area]:
        """Child areas without an outline (the map cannot show them; the ranking still does)."""
        return [m.area for m in self.map_areas if not m.area.outline]

    def map_data(self) -> dict[str, Any]:
        children = [m.feature() for m in self.map_areas if m.area.outline]
        return {
            "area": {"id": self.area.pk, "name": self.area.name, "level": self.area.level},
            "frame": self.area.outline,
            "features": {"type": "FeatureCollection", "features": children},
            "points": (
                reverse("dashboards:points", args=[self.campaign.pk]) + f"?area={self.area.pk}"
                if self.campaign is not None and self.area.level == AreaLevel.GRID
                else ""
            ),
        }


def default_area(user: User) -> Area | None:
    """The user's scope root (the district for the command); the first by code when they have several."""
    return Area.objects.filter(path__in=user.scope_paths).order_by("code").first()


def choose_campaign(user: User, raw: str) -> tuple[Campaign | None, list[Campaign]]:
    """The URL's campaign if visible, else the running one that started last, else the newest."""
    campaigns = list(Campaign.objects.visible_to(user).order_by("-starts_on", "-pk"))
    if raw.isdigit():
        chosen = next((c for c in campaigns if c.pk == int(raw)), None)
        if chosen is not None:
            return chosen, campaigns
    running = [c for c in campaigns if c.status == CampaignStatus.RUNNING]
    candidates = running or campaigns
    return (candidates[0] if candidates else None), campaigns


def band(value: float | None, bands: tuple[tuple[float, str], ...]) -> str:
    if value is None:
        return NO_DATA
    colour = bands[0][1]
    for lower, band_colour in bands:
        if value >= lower:
            colour = band_colour
    return colour


def legend(mode: str) -> list[tuple[str, str]]:
    bands = COMPLETION_BANDS if mode == COMPLETION else GRADE_BANDS
    labels = []
    for i, (lower, colour) in enumerate(bands):
        upper = bands[i + 1][0] if i + 1 < len(bands) else None
        span = f"{lower:g}–{upper:g}%" if upper is not None else f"≥ {lower:g}%"
        labels.append((span, colour))
    none = _("无整治对象") if mode == COMPLETION else _("未分级")
    return [*labels, (str(none), NO_DATA)]


def _area_row(snapshot: DailySnapshot, user: User, area: Area) -> list[SnapshotRow]:
    """The report row of `area` the user may read: the district total for the district."""
    if area.level == AreaLevel.DISTRICT:
        dimension, key = Dimension.TOTAL.value, ALL
    else:
        dimension, key = AREA_DIMENSIONS[area.level].value, str(area.pk)
    return list(visible_rows(snapshot, user).filter(dimension=dimension, key=key))


def campaign_kpis(campaign: Campaign, snapshot: DailySnapshot | None, user: User, area: Area) -> list[Kpi]:
    rows = _area_row(snapshot, user, area) if snapshot is not None else []
    headline, links = figures.summary(snapshot, rows)
    overdue = overdue_plans_in(figures.overdue_plans(campaign, user), area).count()
    return [
        Kpi(_("整治对象"), f"{headline['targets']:,}", links["targets"]),
        Kpi(_("已验收"), f"{headline['accepted']:,}", links["accepted"], "green"),
        Kpi(_("未完成"), f"{headline['open']:,}"),
        Kpi(_("完成率"), f"{headline['completion']}%"),
        Kpi(
            _("逾期方案"),
            f"{overdue:,}",
            figures.dashboard_list_url("overdue_plans", campaign, area=area.pk),
            "red" if overdue else "",
        ),
    ]


def overdue_plans_in(plans: QuerySet[Plan], area: Area) -> QuerySet[Plan]:
    return plans.filter(_grid_q(area, "premises__building__grid_id"))


def _longterm_cells(sections: list[longterm.Section]) -> dict[tuple[str, str], tuple[Any, int | str, str]]:
    cells: dict[tuple[str, str], tuple[Any, int | str, str]] = {}
    for section in sections:
        if section.rows:
            for cell in section.rows[0].cells:
                cells[(section.key, cell[0].key)] = cell
    return cells


def longterm_kpis(sections: list[longterm.Section]) -> list[Kpi]:
    cells = _longterm_cells(sections)
    kpis = []
    for pair, label in LONGTERM_FIGURES.items():
        if pair in cells:
            column, value, link = cells[pair]
            tone = "red" if column.tag == "red" and value else ""
            kpis.append(Kpi(str(label), f"{value:,}" if isinstance(value, int) else str(value), link, tone))
    return kpis


def _completion_map(snapshot: DailySnapshot | None, user: User, shown: list[Area]) -> list[MapArea]:
    """Each shown area's completion in the newest daily report (the dashboard's completion by area)."""
    areas = []
    for row in figures.by_area(snapshot, user, shown):
        in_scope = sum(row.counts.values())
        value = row.completion if in_scope else None
        accepted = row.counts[Progress.ACCEPTED]
        areas.append(
            MapArea(
                row.area,
                value,
                f"{value}%" if value is not None else "—",
                band(value, COMPLETION_BANDS),
                _("已验收 %(accepted)s / 整治对象 %(total)s") % {"accepted": accepted, "total": in_scope},
            )
        )
    return areas


def _grade_map(sections: list[longterm.Section], shown: list[Area]) -> list[MapArea]:
    """The red-grade share of each shown area, from the 长效管理 rows (the area's own and its children's)."""
    rows = next((s.rows for s in sections if s.key == "grades"), [])
    by_area = {row.area.pk: row.figures for row in rows}
    areas = []
    for area in shown:
        counts = by_area.get(area.pk, {})
        graded, red = counts.get("graded", 0), counts.get(RiskGrade.RED.value, 0)
        value = round(red * 100 / graded, 1) if graded else None
        areas.append(
            MapArea(
                area,
                value,
                f"{value}%" if value is not None else "—",
                band(value, GRADE_BANDS),
                _("红 %(red)s / 已分级 %(graded)s") % {"red": red, "graded": graded},
            )
        )
    return areas


def _grid_q(area: Area, field_name: str) -> Q:
    if area.level == AreaLevel.DISTRICT:
        return Q()
    return Q(**{f"{field_name}__in": area.grid_ids()})


def alerts(user: User, area: Area, sections: list[longterm.Section], today: dt.date) -> list[Alert]:
    """Overdue plans (every open plan past its deadline), red-grade premises and open fabrication flags
    in the area: each box's count and link are those of its list; its rows the most pressing few."""
    boxes: list[Alert] = []
    if can(user, Action.VIEW, Plan):
        plans = Plan.objects.visible_to(user).filter(
            _grid_q(area, "premises__building__grid_id"), state__in=OPEN_STATES, deadline__lt=today
        )
        boxes.append(
            Alert(
                "overdue_plans",
                _("逾期整改方案"),
                plans.count(),
                filtered_list_url("rectification:plan_list", overdue="true", area=area.pk),
                [
                    AlertRow(
                        f"{p.premises.building.address} {p.premises.unit_label}",
                        _("逾期 %(n)s 天") % {"n": (today - p.deadline).days},
                        p.get_absolute_url(),
                    )
                    for p in plans.select_related("premises__building").order_by("deadline", "pk")[
                        :ALERT_ROWS
                    ]
                ],
            )
        )
    cells = _longterm_cells(sections)
    if ("grades", "red") in cells:
        _column, count, url = cells[("grades", "red")]
        red = PremisesGrade.objects.visible_to(user).filter(
            _grid_q(area, "premises__building__grid_id"), grade=RiskGrade.RED
        )
        boxes.append(
            Alert(
                "red_premises",
                _("红色等级出租户"),
                int(count),
                url,
                [
                    AlertRow(
                        f"{g.premises.building.address} {g.premises.unit_label}",
                        _("风险分 %(score)s") % {"score": g.score},
                        reverse("registry:premises_detail", args=[g.premises_id]),
                    )
                    for g in red.select_related("premises__building").order_by(
                        "-score", "-computed_at", "pk"
                    )[:ALERT_ROWS]
                ],
            )
        )
    if ("flags", "flags_open") in cells:
        _column, count, url = cells[("flags", "flags_open")]
        flags = FabricationFlag.objects.visible_to(user).filter(
            _grid_q(area, "grid_id"), status=FlagStatus.OPEN
        )
        boxes.append(
            Alert(
                "flags",
                _("疑似造假提示（待核查）"),
                int(count),
                url,
                [
                    AlertRow(
                        f.get_kind_display(),
                        f"{f.grid.name} · {timezone.localtime(f.raised_at):%m-%d %H:%M}",
                        reverse("patrols:fabricationflag_detail", args=[f.pk]),
                    )
                    for f in flags.select_related("grid").order_by("-raised_at", "-pk")[:ALERT_ROWS]
                ],
            )
        )
    return boxes


def build_screen(user: User, area: Area, *, mode: str = "", campaign_raw: str = "") -> Screen:
    """Everything the screen shows for `area` (which the caller has checked the user may see); `mode` by
    default completion while a campaign runs, else grade."""
    today = timezone.localdate()
    campaign, campaigns = choose_campaign(user, campaign_raw)
    if mode not in MODES:
        # An ended campaign's map is one colour (all done): the grades say more then.
        mode = COMPLETION if campaign is not None and campaign.status == CampaignStatus.RUNNING else GRADE
    snapshot = figures.newest_snapshot(campaign, today) if campaign else None
    visible = Area.objects.visible_to(user)
    crumbs = list(visible.filter(pk__in=area.ancestor_ids).order_by("path"))
    sections = (
        longterm.build(user, area, only=["grades", "due", "flags"]) if longterm.may_view_any(user) else []
    )
    # A grid has no children: the map shows the grid itself.
    shown = list(visible.filter(parent=area).order_by("code")) or [area]
    map_areas = _completion_map(snapshot, user, shown) if mode == COMPLETION else _grade_map(sections, shown)
    # Best first: the highest completion, the smallest red share.
    ranked = sorted(
        (m for m in map_areas if m.value is not None),
        key=lambda m: (-m.value if mode == COMPLETION else m.value, m.area.code),  # type: ignore[operator]
    )
    return Screen(
        area=area,
        crumbs=crumbs,
        mode=mode,
        campaign=campaign,
        campaigns=campaigns,
        snapshot=snapshot,
        campaign_kpis=campaign_kpis(campaign, snapshot, user, area) if campaign else [],
        longterm_kpis=longterm_kpis(sections),
        map_areas=map_areas,
        ranking=ranked,
        alerts=alerts(user, area, sections, today),
        legend=legend(mode),
        updated_at=timezone.localtime(),
    )
