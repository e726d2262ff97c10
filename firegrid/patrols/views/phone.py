"""The phone side of patrols, at 360 px: my patrols (我的巡查), the patrol page (route with ticks, a big
扫码打卡 button, the typed building number, findings, finish), a finding with its photo, and the building
plate's URL `/patrols/b/<id>/` — scanned during a patrol under way it records the scan, otherwise it shows
the building.

The landlord portal uses the same views (`portal/patrols.py` subclasses them with its sign-in, its frame
`portal/base.html` and its URL names); a landlord who opens a staff URL is sent to the portal's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from firegrid.core.http import AuthedHttpRequest
from firegrid.registry.models import Building, Premises

from .. import services
from ..choices import FindingKind, PatrolStatus, ScanSource
from ..forms import FindingForm
from ..models import Patrol
from ..phone import (
    finding_building,
    patrol_for_building,
    post_scan,
    run_context,
    save_finding,
    scan_message,
)


class PhoneMixin(View):
    """What differs between the staff pages and the portal's: the frame, the URL names, where a landlord
    is sent. The portal's subclasses set these."""

    request: AuthedHttpRequest
    base_template: ClassVar[str] = "base.html"
    url_names: ClassVar[dict[str, str]] = {
        "mine": "patrols:mine",
        "run": "patrols:patrol_run",
        "finding_new": "patrols:finding_new",
        "building": "patrols:building_scan",
        "move": "patrols:patrol_move",
        "premises": "registry:premises_detail",
    }
    # The portal's pages (its subclasses) — a landlord never reaches the staff ones
    # (firegrid.portal.middleware sends them to the portal's page of the same name).
    in_portal: ClassVar[bool] = False

    def url(self, name: str, *args: object) -> str:
        return reverse(self.url_names[name], args=args)

    def render_page(self, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
        context = {"base_template": self.base_template, **context}
        return render(self.request, template, context, status=status)

    def patrol(self, pk: int) -> Patrol:
        rows = Patrol.objects.visible_to(self.request.user).select_related("team", "area")
        return get_object_or_404(rows, pk=pk)


class MyPatrolsView(LoginRequiredMixin, PhoneMixin):
    """我的巡查: the patrols of the user's teams — under way, coming (planned, window not yet over) and
    finished in the last week — each a card opening the patrol page."""

    def get(self, request: AuthedHttpRequest) -> HttpResponse:
        user = request.user
        now = timezone.now()
        mine = (
            Patrol.objects.visible_to(user)
            .filter(team__members=user)
            .select_related("team", "area")
            .distinct()
        )
        context = {
            "running": list(mine.filter(status=PatrolStatus.IN_PROGRESS).order_by("-started_at")),
            "coming": list(
                mine.filter(status=PatrolStatus.PLANNED, window_end__gte=now).order_by("window_start")[:20]
            ),
            "finished": list(
                mine.filter(
                    status=PatrolStatus.FINISHED, finished_at__gte=now - dt.timedelta(days=7)
                ).order_by("-finished_at")[:20]
            ),
            "run_url_name": self.url_names["run"],
        }
        return self.render_page("patrols/phone/mine.html", context)


class PatrolRunView(LoginRequiredMixin, PhoneMixin):
    """The phone patrol page. POST is a scan: the code read by the camera or typed, with the phone's
    position if it gave one; then back to the page with the scanned building marked."""

    def context(self, patrol: Patrol, **extra: Any) -> dict[str, Any]:
        context = run_context(patrol, self.request.user, **extra)
        context.update(
            finding_url=self.url("finding_new", patrol.pk),
            run_url=self.url("run", patrol.pk),
            mine_url=self.url("mine"),
            start_url=self.url("move", patrol.pk, "start"),
            finish_url=self.url("move", patrol.pk, "finish"),
        )
        return context

    def get(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        patrol = self.patrol(pk)
        last = request.GET.get("b", "")
        return self.render_page(
            "patrols/phone/run.html",
            self.context(patrol, last_building=int(last) if last.isdigit() else None),
        )

    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        patrol = self.patrol(pk)
        scan = post_scan(request, patrol, request.user)
        target = self.url("run", patrol.pk)
        return redirect(f"{target}?b={scan.building_id}" if scan is not None else target)


class FindingNewView(LoginRequiredMixin, PhoneMixin):
    """记录巡查发现 at one building of the patrol (`?building=`): a note or a hazard lead, the premises if it
    concerns one, a photo if it helps. A grid worker's hazard lead goes on to the finding's page, where the
    inspection starts with one tap."""

    def show(self, patrol: Patrol, building: Building, form: FindingForm, status: int = 200) -> HttpResponse:
        context = {
            "patrol": patrol,
            "building": building,
            "form": form,
            "run_url": self.url("run", patrol.pk),
        }
        return self.render_page("patrols/phone/finding_form.html", context, status=status)

    def get(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        patrol = self.patrol(pk)
        building = finding_building(patrol, request.user, request.GET.get("building"))
        form = FindingForm(building=building, initial={"client_uuid": uuid.uuid4()})
        return self.show(patrol, building, form)

    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        patrol = self.patrol(pk)
        building = finding_building(patrol, request.user, request.POST.get("building"))
        form = FindingForm(request.POST, request.FILES, building=building)
        finding = save_finding(request, patrol, request.user, form)
        if finding is None:
            return self.show(patrol, building, form, status=400)
        if finding.kind == FindingKind.HAZARD and not self.in_portal:
            return redirect(reverse("patrols:patrolfinding_detail", args=[finding.pk]))
        return redirect(f"{self.url('run', patrol.pk)}?b={building.pk}")


class BuildingScanView(LoginRequiredMixin, PhoneMixin):
    """Where a building's QR plate leads (`/patrols/b/<id>/`). With a patrol under way on one of the
    user's teams that may scan this building: the 打卡 page (the page's script adds the phone's position,
    if it gives one, and sends it). Otherwise the building with its premises (404 out of scope)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Not signed in: a grid worker and a landlord volunteer sign in at different doors.
        if not request.user.is_authenticated:
            return render(request, "patrols/phone/plate_login.html", {"next": request.get_full_path()})
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        building = get_object_or_404(Building.objects.select_related("grid"), pk=pk)
        patrol = patrol_for_building(user, building)
        if patrol is not None:
            context = {
                "patrol": patrol,
                "building": building,
                "client_uuid": uuid.uuid4(),
                "on_route": patrol.stops.filter(building=building).exists(),
                "run_url": self.url("run", patrol.pk),
            }
            return self.render_page("patrols/phone/building_scan.html", context)
        if not Building.objects.visible_to(user).filter(pk=building.pk).exists():
            raise Http404
        premises = list(
            Premises.objects.visible_to(user).filter(building=building).order_by("sort_key", "pk")
        )
        context = {
            "building": building,
            "premises": premises,
            "mine_url": self.url("mine"),
            "premises_url_name": self.url_names["premises"],
        }
        return self.render_page("patrols/phone/building.html", context)

    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        chosen = request.POST.get("patrol", "")
        patrol = self.patrol(int(chosen) if chosen.isdigit() else 0)
        building = services.scannable_buildings(patrol, user).filter(pk=pk).first()
        if building is None:
            raise Http404
        try:
            scan = services.record_scan(
                patrol,
                building,
                actor=user,
                client_uuid=request.POST.get("client_uuid") or uuid.uuid4(),
                source=ScanSource.BUILDING_QR,
                latitude=request.POST.get("latitude"),
                longitude=request.POST.get("longitude"),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.url("run", patrol.pk))
        scan_message(request, scan)
        return redirect(f"{self.url('run', patrol.pk)}?b={building.pk}")
