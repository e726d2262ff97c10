"""ECharts options built from the dashboard's figures. Every clickable data point carries its `url`:
dashboard.js sends a click there, so the page script knows nothing about the figures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from firegrid.campaigns.status import Progress
from firegrid.inspections.choices import HazardBucket

from .figures import BUCKET_COLOURS, CHART_PROGRESS, PROGRESS_COLOURS, AreaProgress

if TYPE_CHECKING:
    from .figures import BurnDown, CategoryHazards, Figure

LEGEND = {"bottom": 0, "type": "scroll"}
TOOLTIP_AXIS = {"trigger": "axis", "axisPointer": {"type": "shadow"}}
# Every bar keeps its name: ECharts hides category labels that would crowd (every other area's, on a
# district's eighteen subdistricts); dashboard.js makes a chart tall enough for one label per bar instead.
EVERY_LABEL = {"interval": 0}


def _point(value: int, url: str) -> dict[str, Any]:
    # A zero segment has nothing behind it to show; a point without a URL is not clickable.
    return {"value": value, "url": url if value else ""}


def burn_down_option(series: BurnDown) -> dict[str, Any]:
    # Days without a daily report are left as gaps in the line (connectNulls off), and said so.
    notes: list[str] = []
    if series["missing"]:
        notes.append(_("%(n)s 天没有日报，图中断开处无数据") % {"n": len(series["missing"])})
    if series["live_today"]:
        notes.append(_("今日为实时数"))
    return {
        "title": {"subtext": "；".join(notes), "left": "right", "top": -8} if notes else {"show": False},
        "tooltip": {"trigger": "axis"},
        "legend": LEGEND,
        "grid": {"left": 48, "right": 16, "top": 24, "bottom": 56},
        "xAxis": {"type": "category", "data": series["days"], "boundaryGap": False},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": _("未完成（实际）"),
                "type": "line",
                "data": series["actual"],
                "connectNulls": False,
                "showSymbol": False,
                "itemStyle": {"color": "#b7162a"},
                "areaStyle": {"opacity": 0.08},
            },
            {
                "name": _("目标线"),
                "type": "line",
                "data": series["ideal"],
                "showSymbol": False,
                "itemStyle": {"color": "#909399"},
                "lineStyle": {"type": "dashed"},
            },
        ],
    }


def survey_option(series: dict[str, list[Any]]) -> dict[str, Any]:
    """The survey curve (排查覆盖): per day, the rates the day's report froze; a click opens that report's
    survey section. Days without a report are gaps."""
    names = {
        "buildings_surveyed": (_("建筑已排查完"), "#1f6fb2"),
        "premises_covered": (_("出租户已排查"), "#b7162a"),
        "rooms_inspected": (_("房间已查"), "#2e8b57"),
    }
    return {
        "tooltip": {"trigger": "axis"},
        "legend": LEGEND,
        "grid": {"left": 48, "right": 16, "top": 24, "bottom": 56},
        "xAxis": {"type": "category", "data": series["days"], "boundaryGap": False},
        "yAxis": {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {
                "name": name,
                "type": "line",
                "showSymbol": False,
                "connectNulls": False,
                "itemStyle": {"color": colour},
                "data": [
                    {"value": value, "url": url} if value is not None else None
                    for value, url in zip(series[key], series["urls"], strict=True)
                ],
            }
            for key, (name, colour) in names.items()
        ],
    }


def by_area_option(rows: list[AreaProgress]) -> dict[str, Any]:
    names = [f"{row.area.name} {row.completion}%" for row in rows]
    return {
        "tooltip": TOOLTIP_AXIS,
        "legend": LEGEND,
        "grid": {"left": 8, "right": 16, "top": 8, "bottom": 56, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": names, "inverse": True, "axisLabel": EVERY_LABEL},
        "series": [
            {
                "name": str(progress.label),
                "type": "bar",
                "stack": "total",
                "itemStyle": {"color": PROGRESS_COLOURS[progress]},
                "data": [_point(row.counts[progress], row.links.get(progress.value, "")) for row in rows],
            }
            for progress in CHART_PROGRESS
        ],
    }


def hazards_option(rows: list[CategoryHazards]) -> dict[str, Any]:
    return {
        "tooltip": TOOLTIP_AXIS,
        "legend": LEGEND,
        "grid": {"left": 8, "right": 16, "top": 8, "bottom": 56, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {
            "type": "category",
            "data": [row["name"] for row in rows],
            "inverse": True,
            "axisLabel": EVERY_LABEL,
        },
        "series": [
            {
                "name": str(bucket.label),
                "type": "bar",
                "stack": "total",
                "itemStyle": {"color": BUCKET_COLOURS[bucket]},
                "data": [_point(row["counts"][bucket.value], row["links"][bucket.value]) for row in rows],
            }
            for bucket in HazardBucket
        ],
    }


def ageing_option(rows: list[Figure]) -> dict[str, Any]:
    return {
        "tooltip": TOOLTIP_AXIS,
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [row["name"] for row in rows], "axisLabel": EVERY_LABEL},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": _("逾期方案"),
                "type": "bar",
                "itemStyle": {"color": PROGRESS_COLOURS[Progress.OVERDUE]},
                "label": {"show": True, "position": "top"},
                "data": [_point(row["value"], row["url"]) for row in rows],
            }
        ],
    }


def four_category_option(rows: list[Figure]) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
        "legend": LEGEND,
        "series": [
            {
                "name": _("四类人员房东出租户"),
                "type": "pie",
                "radius": ["35%", "65%"],
                "center": ["50%", "45%"],
                "data": [
                    {
                        **_point(row["value"], row["url"]),
                        "name": row["name"],
                        "itemStyle": {"color": PROGRESS_COLOURS[Progress(row["key"])]},
                    }
                    for row in rows
                    if row["value"]
                ],
            }
        ],
    }
