"""The phone patrol page's logic, shared by the staff pages (`views/phone.py`) and the landlord portal
(`portal/patrols.py`): what the page shows, reading a scanned code, and the scan and finding posts. Each
side passes its own templates and URLs; the services decide what is allowed.

A scanned code is the text of a QR code or what was typed: a building plate's URL (`/patrols/b/<id>/`),
a premises' door code (`/inspections/scan/<id>/`, counted for its building), or a building number. A code
naming a building outside what the user may scan on the patrol is 404, like any object out of scope.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from firegrid.areas.models import User
from firegrid.core.permissions import Action, can
from firegrid.inspections.choices import InspectionKind
from firegrid.inspections.models import Inspection
from firegrid.registry.models import Building, Premises

from . import services
from .choices import FindingKind, PatrolKind, PatrolStatus, ScanSource
from .forms import FindingForm
from .models import Patrol, PatrolFinding, PatrolScan, PatrolStop
from .services.patrols import moves_for

BUILDING_URL = re.compile(r"/patrols/b/(\d+)/?(?:[?#].*)?$")
PREMISES_URL = re.compile(r"/inspections/scan/(\d+)/?(?:[?#].*)?$")
TYPED = re.compile(r"^[Bb#]?\s*(\d{1,11})$")


@dataclass(frozen=True)
class RouteStop:
    """One building of the route as the page shows it: its place, and whether it was scanned."""

    stop: PatrolStop
    building: Building
    scanned: bool


@dataclass(frozen=True)
class ScannedCode:
    building: Building
    premises: Premises | None
    source: str


def resolve_code(code: str, patrol: Patrol, user: User) -> ScannedCode:
    """The building (and premises) a scanned or typed code names, among those `user` may scan on
    `patrol`. Unreadable: ValidationError; out of scope or unknown: Http404."""
    code = code.strip()
    scannable = services.scannable_buildings(patrol, user)
    if match := BUILDING_URL.search(code):
        building = scannable.filter(pk=int(match.group(1))).first()
        source = ScanSource.BUILDING_QR
    elif match := PREMISES_URL.search(code):
        premises = (
            Premises.objects.filter(pk=int(match.group(1)), building__in=scannable)
            .select_related("building")
            .first()
        )
        if premises is None:
            raise Http404
        return ScannedCode(premises.building, premises, ScanSource.PREMISES_QR)
    elif match := TYPED.match(code):
        building = scannable.filter(pk=int(match.group(1))).first()
        source = ScanSource.TYPED
    else:
        raise ValidationError(_("无法识别：请扫描建筑门牌二维码，或输入门牌下方的建筑编号。"))
    if building is None:
        raise Http404
    return ScannedCode(building, None, source)


def active_patrols(user: User) -> list[Patrol]:
    """The patrols under way on the user's teams, the latest started first."""
    return list(
        Patrol.objects.visible_to(user)
        .in_progress_for(user)
        .select_related("team", "area")
        .order_by("-started_at", "-pk")
        .distinct()
    )


def patrol_for_building(user: User, building: Building) -> Patrol | None:
    """The user's patrol under way that a scan of `building` belongs to: one with it on the route, else
    one it may be scanned on (off the route, flagged), the latest started first."""
    candidates = active_patrols(user)
    for patrol in candidates:
        if patrol.stops.filter(building=building).exists():
            return patrol
    for patrol in candidates:
        if services.scannable_buildings(patrol, user).filter(pk=building.pk).exists():
            return patrol
    return None


def run_context(patrol: Patrol, user: User, *, last_building: int | None = None) -> dict[str, Any]:
    """What the phone patrol page shows: the route with ticks, scans off the route, findings so far, the
    moves the user may make, and fresh ids for the forms (a second tap is the same scan)."""
    scans = list(patrol.scans.select_related("building", "scanned_by").order_by("scanned_at", "pk"))
    scanned = {scan.building_id for scan in scans}
    stops = [
        RouteStop(stop, stop.building, stop.building_id in scanned)
        for stop in patrol.stops.select_related("building").order_by("position")
    ]
    on_route = {stop.building.pk for stop in stops}
    off_route: dict[int, Building] = {}
    for scan in scans:
        if scan.building_id not in on_route:
            off_route.setdefault(scan.building_id, scan.building)
    member = services.is_member(patrol.team, user)
    findings = list(
        patrol.findings.select_related("building", "premises").order_by("-reported_at", "-pk")[:50]
    )
    return {
        "patrol": patrol,
        "stops": stops,
        "off_route": list(off_route.values()),
        "done": sum(1 for stop in stops if stop.scanned),
        "findings": findings,
        "scan_count": len(scans),
        "is_member": member,
        "can_scan": member
        and patrol.status == PatrolStatus.IN_PROGRESS
        and can(user, Action.ADD, PatrolScan),
        "can_report": member
        and patrol.status == PatrolStatus.IN_PROGRESS
        and can(user, Action.ADD, PatrolFinding),
        "moves": moves_for(patrol, user),
        "client_uuid": uuid.uuid4(),
        "last_building": last_building,
    }


def post_scan(request: HttpRequest, patrol: Patrol, user: User) -> PatrolScan | None:
    """The scan form of the phone page (`code`, `client_uuid`, `latitude`, `longitude`): recorded, or the
    reason why not as a message. An out-of-scope building is 404."""
    try:
        scanned = resolve_code(request.POST.get("code", ""), patrol, user)
        scan = services.record_scan(
            patrol,
            scanned.building,
            actor=user,
            client_uuid=request.POST.get("client_uuid") or uuid.uuid4(),
            premises=scanned.premises,
            source=scanned.source,
            latitude=request.POST.get("latitude"),
            longitude=request.POST.get("longitude"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None
    scan_message(request, scan)
    return scan


def scan_message(request: HttpRequest, scan: PatrolScan) -> None:
    if scan.on_route and scan.in_window:
        messages.success(request, _("已打卡：%(building)s") % {"building": scan.building})
        return
    notes = []
    if not scan.on_route:
        notes.append(_("不在本次路线上"))
    if not scan.in_window:
        notes.append(_("不在计划时段内"))
    messages.warning(
        request,
        _("已打卡：%(building)s（%(notes)s，已记录并提示核查）")
        % {"building": scan.building, "notes": "、".join(notes)},
    )


def finding_building(patrol: Patrol, user: User, value: object) -> Building:
    """The building a finding form names, among those the user may scan on the patrol (else 404)."""
    pk = str(value or "")
    building = services.scannable_buildings(patrol, user).filter(pk=pk).first() if pk.isdigit() else None
    if building is None:
        raise Http404
    return building


def save_finding(request: HttpRequest, patrol: Patrol, user: User, form: FindingForm) -> PatrolFinding | None:
    """Record a valid finding form; a refusal lands on the form's fields (nothing typed is lost)."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    building = finding_building(patrol, user, data["building"])
    try:
        finding = services.add_finding(
            patrol,
            building=building,
            premises=data.get("premises"),
            kind=data["kind"],
            note=data["note"],
            actor=user,
            client_uuid=data["client_uuid"],
            photo=data.get("photo"),
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
        return None
    messages.success(request, _("已记录巡查发现。"))
    return finding


def inspection_start(finding: PatrolFinding, user: User) -> dict[str, Any] | None:
    """For a grid worker's hazard lead: the normal inspection start for that premises (the inspections'
    own start form, fields and service), a patrol or night inspection by the patrol's kind."""
    if finding.kind != FindingKind.HAZARD or not can(user, Action.ADD, Inspection):
        return None
    target = {"premises": finding.premises_id} if finding.premises_id else {"building": finding.building_id}
    kind = InspectionKind.NIGHT if finding.patrol.kind == PatrolKind.NIGHT else InspectionKind.PATROL
    return {**target, "kind": kind, "client_uuid": uuid.uuid4()}
