"""Building QR plates (建筑巡查码): one building's QR code as SVG, and a printable sheet of a grid's (or
community's) plates — one per A6 page, or four per A4 page — to stick at each building's entrance.

The code holds the public address of `/patrols/b/<id>/` (`FIREGRID_SITE_URL`, like the QR codes on
documents: a plate outlives whatever host the officer printed it from). Scanned during a patrol it
records the scan; otherwise it opens the building.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from firegrid.areas.models import Area
from firegrid.core.http import AuthedHttpRequest
from firegrid.core.permissions import Action, can
from firegrid.registry.models import Building

from ..models import Patrol

# More plates than this in one sheet is a print job for a day, not a page.
MAX_PLATES = 500
SIZES = ("a6", "a4")


def plate_url(building: Building) -> str:
    return f"{settings.FIREGRID_SITE_URL.rstrip('/')}{reverse('patrols:building_scan', args=[building.pk])}"


def plate_svg(building: Building, *, scale: int = 6) -> str:
    buffer = io.BytesIO()
    segno.make(plate_url(building), error="m").save(
        buffer, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True, title=str(building)
    )
    return buffer.getvalue().decode("utf-8")


def require_printer(user: Any) -> None:
    """Plates are printed by the roles that plan patrols (area roles, the system admin)."""
    if not can(user, Action.ADD, Patrol):
        raise PermissionDenied(_("您的角色无权打印巡查码。"))


class BuildingQRCodeView(LoginRequiredMixin, View):
    """The building's plate QR code (SVG), in the user's scope."""

    def get(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        building = get_object_or_404(Building.objects.visible_to(request.user), pk=pk)
        return HttpResponse(plate_svg(building).encode("utf-8"), content_type="image/svg+xml")


class PlatePrintView(LoginRequiredMixin, View):
    """打印巡查码: `?area=<grid or community>&size=a6|a4`, the area's buildings in the user's scope by
    address (at most `MAX_PLATES`; `?page=` for the next ones)."""

    def get(self, request: AuthedHttpRequest) -> HttpResponse:
        require_printer(request.user)
        area_id = request.GET.get("area", "")
        areas = Area.objects.visible_to(request.user)
        area = get_object_or_404(areas, pk=area_id) if area_id.isdigit() else None
        size = request.GET.get("size", "a6")
        size = size if size in SIZES else "a6"
        page = int(request.GET["page"]) if request.GET.get("page", "").isdigit() else 1
        page = max(1, page)
        buildings = (
            Building.objects.visible_to(request.user).select_related("grid").order_by("sort_key", "pk")
        )
        if area is not None:
            buildings = buildings.filter(grid_id__in=area.grid_ids())
        total = buildings.count() if area is not None else 0
        rows = list(buildings[(page - 1) * MAX_PLATES : page * MAX_PLATES]) if area is not None else []
        plates = [{"building": b, "svg": plate_svg(b, scale=5)} for b in rows]
        context = {
            "area": area,
            "areas": areas.filter(level__in=("grid", "community")).order_by("path"),
            "size": size,
            "plates": plates,
            "total": total,
            "page": page,
            "has_next": page * MAX_PLATES < total,
            "sheets": [plates[i : i + 4] for i in range(0, len(plates), 4)] if size == "a4" else [],
        }
        return render(request, "patrols/plates.html", context)
