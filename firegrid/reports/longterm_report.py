"""长效管理日报: the 长效管理 figures of a day, per area, frozen (`LongtermReport`).

Made by the nightly job `reports.longterm_report` (after the grades are recomputed and the month's draw),
or by the command by hand, or at the end of `firegrid demo`. Only today's report can be made: the
figures are the present state of grades, queues, self-inspections, patrols and points, which keep no
history that a past day could be recomputed from. A report once made never changes (a correction is
version + 1 with a reason). The report shows each figure with its change since the day before; a
figure is a link to its list only on the live 长效管理 page, where the list and the figure are the same
moment's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import AreaLevel, Role
from firegrid.areas.models import Area, User
from firegrid.core.models import AuditAction
from firegrid.core.services import record_change

from .longterm import FigureColumn, Section, _cells, build, sections
from .models import LongtermReport
from .services import may_generate, may_view


def report_viewer(actor: User | None) -> User:
    """Who the figures are computed as: the whole district. The generating commander, or for the job an
    unsaved district-wide user (the figures of every area, whoever reads them later)."""
    if actor is not None and actor.is_district_wide:
        return actor
    return User(username="longterm-report", role=Role.DISTRICT_COMMANDER)


def compute_content(viewer: User) -> dict[str, Any]:
    """Every area's figures: each area that has children is computed once as a root (its own row and its
    children's rows), top level first."""
    areas: dict[str, dict[str, Any]] = {}
    figures: dict[str, dict[str, dict[str, int]]] = {}
    keys: dict[str, list[str]] = {}
    pending = list(Area.objects.filter(parent=None).order_by("code"))
    for root in pending:
        areas[str(root.pk)] = _area(root)
    while pending:
        area = pending.pop(0)
        for section in build(viewer, area):
            keys.setdefault(section.key, [c.key for c in section.columns])
            for row in section.rows:
                entry = str(row.area.pk)
                if entry not in areas:
                    areas[entry] = _area(row.area)
                    if row.area.level != AreaLevel.GRID:
                        pending.append(row.area)
                figures.setdefault(entry, {})[section.key] = dict(row.figures)
    return {"areas": areas, "figures": figures, "sections": keys}


def _area(area: Area) -> dict[str, Any]:
    return {"name": area.name, "level": area.level, "path": area.path, "parent": area.parent_id}


def newest(day: dt.date) -> LongtermReport | None:
    return LongtermReport.objects.filter(day=day).order_by("-version").first()


def generate_longterm_report(
    day: dt.date | None = None, *, actor: User | None = None, reason: str = "", correction: bool = False
) -> LongtermReport:
    """Today's report: made if today has none, else the existing one unchanged — unless this is a
    correction (`correction=True` or a reason), which makes version + 1 and needs a reason.
    `actor=None` is the scheduler, the demo or a management command (trusted)."""
    if actor is not None and not may_generate(actor):
        raise PermissionDenied(_("您的角色无权生成日报。"))
    today = timezone.localdate()
    day = day or today
    if day != today:
        raise ValidationError({"day": _("长效管理日报只能生成当天的（各项数字是当前状态，无法回溯）。")})
    reason = reason.strip()
    with transaction.atomic():
        latest = newest(day)
        if latest is not None and not (correction or reason):
            return latest
        if latest is not None and not reason:
            raise ValidationError({"reason": _("更正日报必须填写原因。")})
        # Two generations at once may both compute; the unique (day, version) keeps one of them.
        report = LongtermReport.objects.create(
            day=day,
            version=latest.version + 1 if latest else 1,
            generated_at=timezone.now(),
            generated_by=actor,
            reason=reason,
            content=compute_content(report_viewer(actor)),
        )
        record_change(
            actor=actor,
            action=AuditAction.CREATE,
            obj=report,
            after={"day": day.isoformat(), "version": report.version, "areas": len(report.content["areas"])},
            reason=reason,
        )
    return report


# --- reading a report -----------------------------------------------------------------------------------


@dataclass
class ReportRow:
    area_id: int
    name: str
    level: str
    cells: list[tuple[FigureColumn, int | str, int | None]]  # column, value, change since the day before


@dataclass
class ReportSection:
    section: Section
    rows: list[ReportRow]


def may_view_report(user: User) -> bool:
    return may_view(user) and user.role != Role.UNIT_LIAISON


def _in_scope(user: User, path: str) -> bool:
    return any(path.startswith(p) for p in user.scope_paths)


def report_sections(
    report: LongtermReport, user: User, area_id: int | None = None, previous: LongtermReport | None = None
) -> list[ReportSection]:
    """The sections the user may see: the rows of `area_id` (else the user's scope roots) and its children,
    inside the user's scope, with each figure's change since `previous`."""
    content: Mapping[str, Any] = report.content
    areas: Mapping[str, Mapping[str, Any]] = content["areas"]
    if area_id is not None:
        entry = areas.get(str(area_id))
        if entry is None or not _in_scope(user, entry["path"]):
            return []
        roots = [str(area_id)]
    else:
        roots = [k for k, a in areas.items() if a["path"] in set(user.scope_paths)]
        roots.sort(key=lambda k: areas[k]["path"])
    children = sorted(
        (k for k, a in areas.items() if str(a["parent"]) in roots and a["level"] != AreaLevel.DISTRICT),
        key=lambda k: areas[k]["path"],
    )
    shown = [*roots, *(c for c in children if c not in roots)]
    before: Mapping[str, Any] = previous.content["figures"] if previous is not None else {}
    out: list[ReportSection] = []
    for section in sections():
        if section.key not in content["sections"] or not section.may_view(user):
            continue
        rows = []
        for key in shown:
            figures = content["figures"].get(key, {}).get(section.key, {})
            old = before.get(key, {}).get(section.key) if previous is not None else None
            deltas = [
                None
                if column.rate_of is not None or old is None
                else figures.get(column.key, 0) - old.get(column.key, 0)
                for column in section.columns
            ]
            cells = [
                (column, value, delta)
                for (column, value, _link), delta in zip(
                    _cells(section.columns, None, figures), deltas, strict=True
                )
            ]
            rows.append(ReportRow(int(key), areas[key]["name"], areas[key]["level"], cells))
        out.append(ReportSection(section, rows))
    return out
