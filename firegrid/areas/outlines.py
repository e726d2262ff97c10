"""Area outlines (区域边界) from a GeoJSON file: the district's own boundaries, which the command screen's
map draws (ECharts no longer ships China's map data, and intranets reach no tile server).

The file is a FeatureCollection (RFC 7946, WGS-84 longitude/latitude) — what QGIS, mapshaper or
`ogr2ogr -f GeoJSON -t_srs EPSG:4326` make of a shapefile. Each feature names its area in a property,
`code` (the administrative code, 行政区划代码) or `name`, and carries a Polygon or MultiPolygon.

All or nothing: every feature is checked and reported (feature number, area, each problem), and the
outlines are written only when no feature has a problem. Who may: whoever may change areas (the system
admin), and only areas in their scope. The page (`views.OutlineImportView`) and the command
(`firegrid areas import-outlines`) both call `import_outlines`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import record_change, require, snapshot

from .models import Area, User

MATCH_PROPERTIES = ("code", "name")
# A district's outlines down to its grids are a few MB; a larger file is some other data.
MAX_BYTES = 50 * 1024 * 1024
GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
# CRS names that mean WGS-84 longitude/latitude (the 2008 GeoJSON draft's "crs" member; RFC 7946 dropped it).
WGS84_NAMES = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326", "CRS84")

MATCH_CHOICES = [("code", gettext_lazy("行政区划代码 (code)")), ("name", gettext_lazy("名称 (name)"))]


@dataclass
class FeatureResult:
    """One feature of the file: which area it names, its outline as stored, and what is wrong with it."""

    number: int  # 1-based, as a person counts the features
    label: str  # the code or name the feature gives
    area: Area | None = None
    geometry: dict[str, Any] | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class OutlineReport:
    rows: list[FeatureResult]
    dry_run: bool
    written: int = 0

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "features": len(self.rows),
            "errors": self.error_count,
            "written": self.written,
            "dry_run": self.dry_run,
            "rows": [
                {
                    "feature": row.number,
                    "area": row.label,
                    "area_id": row.area.pk if row.area else None,
                    "errors": row.errors,
                }
                for row in self.rows
            ],
        }


def read_feature_collection(content: bytes) -> dict[str, Any]:
    """The file's FeatureCollection; ValidationError when the file is not one (nothing else is read)."""
    if len(content) > MAX_BYTES:
        raise ValidationError(
            _("文件超过 %(mb)s MB。"), code="too_large", params={"mb": MAX_BYTES // (1024 * 1024)}
        )
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationError(_("文件不是 UTF-8 编码的 GeoJSON（JSON）文件。"), code="not_json") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValidationError(_("文件应为 GeoJSON 要素集合（FeatureCollection）。"), code="not_collection")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationError(_("文件中没有要素（features）。"), code="no_features")
    crs = data.get("crs")
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if name is not None and name not in WGS84_NAMES:
        raise ValidationError(
            _("坐标系为 %(crs)s，应为 WGS-84 经纬度（EPSG:4326）。请先转换坐标系再导入。"),
            code="crs",
            params={"crs": name},
        )
    return data


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _ring(ring: Any, errors: list[str]) -> list[list[float]] | None:
    """A linear ring as [[lng, lat], …] (any height dropped), or None with the problem in `errors`."""
    if not isinstance(ring, list) or len(ring) < 4:
        errors.append(_("坐标无效：每个环至少要有 4 个点（首尾相同）。"))
        return None
    points: list[list[float]] = []
    for index, position in enumerate(ring, start=1):
        if not isinstance(position, list) or len(position) not in (2, 3) or not all(map(_number, position)):
            errors.append(_("坐标无效：第 %(n)s 个点不是 [经度, 纬度]。") % {"n": index})
            return None
        lng, lat = float(position[0]), float(position[1])
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            errors.append(
                _(
                    "坐标超出 WGS-84 经纬度范围（经度 -180～180，纬度 -90～90）：第 %(n)s 个点 (%(lng)s, %(lat)s)。"
                )
                % {"n": index, "lng": position[0], "lat": position[1]}
            )
            return None
        points.append([lng, lat])
    if points[0] != points[-1]:
        errors.append(_("坐标无效：环的首尾两点应相同（闭合）。"))
        return None
    return points


def _polygon(rings: Any, errors: list[str]) -> list[list[list[float]]] | None:
    if not isinstance(rings, list) or not rings:
        errors.append(_("坐标无效：多边形没有环。"))
        return None
    checked = [_ring(ring, errors) for ring in rings]
    if any(ring is None for ring in checked):
        return None
    return [ring for ring in checked if ring is not None]


def check_geometry(geometry: Any) -> tuple[dict[str, Any] | None, list[str]]:
    """A feature's geometry as it will be stored (Polygon or MultiPolygon, 2-D), and its problems."""
    errors: list[str] = []
    if not isinstance(geometry, dict):
        return None, [_("要素没有几何图形（geometry）。")]
    kind = geometry.get("type")
    if kind not in GEOMETRY_TYPES:
        return None, [_("几何类型为 %(type)s，应为 Polygon 或 MultiPolygon。") % {"type": kind}]
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        polygon = _polygon(coordinates, errors)
        return ({"type": kind, "coordinates": polygon} if polygon else None), errors
    if not isinstance(coordinates, list) or not coordinates:
        return None, [_("坐标无效：多多边形没有多边形。")]
    polygons = [_polygon(rings, errors) for rings in coordinates]
    if errors:
        return None, errors
    return {"type": kind, "coordinates": polygons}, errors


def _areas_by(match: str, labels: list[str], actor: User | None) -> dict[str, list[Area]]:
    """The areas each label may mean, among those the actor may change (every area for the system)."""
    rows = Area.objects.all() if actor is None else Area.objects.visible_to(actor, Action.CHANGE)
    found: dict[str, list[Area]] = {}
    for area in rows.filter(**{f"{match}__in": labels}).order_by("path"):
        found.setdefault(getattr(area, match), []).append(area)
    return found


def check_features(data: dict[str, Any], *, actor: User | None, match: str = "code") -> list[FeatureResult]:
    """Every feature of the collection: its area (by `match`: code or name) and geometry, with problems."""
    if match not in MATCH_PROPERTIES:
        raise ValueError(f"match must be one of {MATCH_PROPERTIES}")
    rows: list[FeatureResult] = []
    for number, feature in enumerate(data["features"], start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        value = properties.get(match) if isinstance(properties, dict) else None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a code kept as a number in a shapefile's table: 330803001.0
        row = FeatureResult(number, "" if value is None else str(value).strip())
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            row.errors.append(_("不是 GeoJSON 要素（Feature）。"))
        elif not row.label:
            row.errors.append(_("要素没有 %(property)s 属性，无法对应到区域。") % {"property": match})
        row.geometry, problems = check_geometry(
            feature.get("geometry") if isinstance(feature, dict) else None
        )
        row.errors += problems
        rows.append(row)
    areas = _areas_by(match, [row.label for row in rows if row.label], actor)
    first_for: dict[int, int] = {}
    for row in rows:
        if not row.label:
            continue
        candidates = areas.get(row.label, [])
        if not candidates:
            message = (
                _("没有代码为 %(value)s 的区域，或它不在您的管辖范围内。")
                if match == "code"
                else _("没有名为 %(value)s 的区域，或它不在您的管辖范围内。")
            )
            row.errors.insert(0, message % {"value": row.label})
        elif len(candidates) > 1:
            row.errors.insert(
                0,
                _("有 %(n)s 个区域名为 %(value)s，请改用行政区划代码对应。")
                % {"n": len(candidates), "value": row.label},
            )
        else:
            row.area = candidates[0]
            earlier = first_for.setdefault(row.area.pk, row.number)
            if earlier != row.number:
                row.errors.append(_("与第 %(n)s 个要素是同一区域。") % {"n": earlier})
    return rows


@transaction.atomic
def import_outlines(
    data: dict[str, Any],
    *,
    actor: User | None,
    match: str = "code",
    dry_run: bool = False,
    source: str = "",
) -> OutlineReport:
    """Check every feature and, when none has a problem (and not `dry_run`), store each area's outline
    (version + 1 and an audit entry per area, in one transaction). `actor` None: the system (the command
    run without --user), which may change every area."""
    if actor is not None:
        require(actor, Action.CHANGE, Area)
    report = OutlineReport(check_features(data, actor=actor, match=match), dry_run=dry_run)
    if report.error_count or dry_run:
        return report
    reason = _("导入区域边界：%(file)s") % {"file": source} if source else _("导入区域边界")
    rows = Area.objects.all() if actor is None else Area.objects.visible_to(actor, Action.CHANGE)
    locked = rows.select_for_update().in_bulk([row.area.pk for row in report.rows if row.area])
    for row in report.rows:
        area = locked[row.area.pk] if row.area else None
        if area is None:  # gone or out of scope since the check: nothing is written
            raise ValidationError(_("第 %(n)s 个要素的区域已不可修改，未导入。") % {"n": row.number})
        before = snapshot(area)
        area.outline = row.geometry
        area.version += 1  # an editor holding the old version gets a conflict, not an overwrite
        area.save(update_fields=["outline", "version"])
        record_change(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=area,
            before=before,
            after=snapshot(area),
            reason=reason,
        )
        report.written += 1
    return report
