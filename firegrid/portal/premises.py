"""One of the landlord's premises in the portal (the home card opens it): the address and kind, its risk
grade and the landlord's points, the open plans with their countdown, the documents issued on its plans,
the tenants living there now and this period's self-inspection; and its file (一户一档) as the landlord
may read it. Everything is read inside the landlord's scope; another landlord's premises is not found
(404). The staff pages of a premises send a landlord here (firegrid.portal.middleware)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from firegrid.core.permissions import Action, can
from firegrid.longterm.models import SelfInspection
from firegrid.longterm.selfcheck import period_of
from firegrid.points.models import PointsEntry
from firegrid.points.services import landlord_points
from firegrid.rectification import premises_file
from firegrid.rectification.choices import DocumentStatus
from firegrid.rectification.models import Document, Plan
from firegrid.rectification.views.premises_file import page_number
from firegrid.registry.choices import PremisesStatus
from firegrid.registry.models import Premises, TenantHousehold
from firegrid.risk.models import PremisesGrade

from .deadlines import with_open_deadline
from .middleware import portal_url
from .views import PortalMixin, describe

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest

# Points entries of the premises shown on its page; the points page has them all.
RECENT_ENTRIES = 5


class PremisesView(PortalMixin, TemplateView):
    template_name = "portal/premises.html"
    request: AuthedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        premises = get_object_or_404(
            Premises.objects.visible_to(user).select_related("building__grid"), pk=self.kwargs["pk"]
        )
        today = timezone.localdate()
        plans = list(
            with_open_deadline(Plan.objects.visible_to(user).filter(premises=premises))
            .annotate(hazard_count=Count("items"))
            .order_by("deadline", "pk")
        )
        for plan in plans:
            describe(plan)
        period = period_of(today)
        self_inspections = list(
            SelfInspection.objects.visible_to(user).filter(premises=premises).order_by("-period")[:3]
        )
        this_period = next((s for s in self_inspections if s.period == period), None)
        context.update(
            premises=premises,
            grade=self.grade(premises),
            open_plans=[p for p in plans if not p.is_closed],
            closed_plans=[p for p in plans if p.is_closed],
            documents=Document.objects.visible_to(user)
            .filter(plan__premises=premises, status=DocumentStatus.ISSUED)
            .order_by("-issued_at", "-pk"),
            households=TenantHousehold.objects.visible_to(user)
            .current(today)
            .filter(premises=premises)
            .select_related("room")
            .order_by("moved_in", "pk"),
            period=period,
            self_inspection=this_period,
            self_inspection_due=this_period is None and premises.status == PremisesStatus.ACTIVE,
            self_inspections=self_inspections,
            **self.points(premises, today.year),
        )
        return context

    def grade(self, premises: Premises) -> PremisesGrade | None:
        user = self.request.user
        if not can(user, Action.VIEW, PremisesGrade):
            return None
        return PremisesGrade.objects.visible_to(user).filter(premises=premises).first()

    def points(self, premises: Premises, year: int) -> dict[str, Any]:
        """The landlord's total this year (points are the landlord's, not the premises') and this
        premises' latest entries; nothing where points are not kept for the landlord."""
        user = self.request.user
        if user.landlord_id is None or not can(user, Action.VIEW, PointsEntry):
            return {"points": None, "point_entries": []}
        entries = (
            PointsEntry.objects.visible_to(user)
            .filter(premises=premises, year=year)
            .order_by("-occurred_on", "-pk")[:RECENT_ENTRIES]
        )
        return {"points": landlord_points(user.landlord_id, year), "point_entries": list(entries)}


class PremisesFileView(PortalMixin, TemplateView):
    """一户一档 in the portal: the same timeline the staff read (premises_file.timeline), with what the
    landlord may see — their inspections, hazards, plans, documents, after-photos, enforcement served on
    them and the notes staff marked 房东可见 — a page at a time. Each entry's link and photos lead to the
    portal's page of the same thing, or the link is left out where the portal has none."""

    template_name = "portal/premises_file.html"
    fragment_template = "rectification/_timeline_page.html"
    request: AuthedHttpRequest

    def get_template_names(self) -> list[str]:
        return [self.fragment_template if self.request.htmx else self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request = self.request
        premises = get_object_or_404(
            Premises.objects.visible_to(request.user).select_related("building__grid"), pk=self.kwargs["pk"]
        )
        page = premises_file.timeline(premises, request.user, page=page_number(request.GET.get("page")))
        page.entries = [self.in_portal(entry) for entry in page.entries]
        base = reverse("portal:premises_file", args=[premises.pk])
        last_day = timezone.localtime(page.entries[-1].time).date().isoformat() if page.entries else ""
        context.update(
            premises=premises,
            page=page,
            prev_day=request.GET.get("day", ""),
            more_url=f"{base}?page={page.number + 1}&day={last_day}",
            next_url=f"{base}?page={page.number + 1}",
            previous_url=f"{base}?page={page.number - 1}" if page.number > 2 else base,
        )
        return context

    def in_portal(self, entry: premises_file.Entry) -> premises_file.Entry:
        photos = [
            replace(
                photo,
                thumbnail_url=portal_url(self.request, photo.thumbnail_url),
                image_url=portal_url(self.request, photo.image_url),
            )
            for photo in entry.photos
        ]
        return replace(
            entry,
            link=portal_url(self.request, entry.link),
            photos=[photo for photo in photos if photo.thumbnail_url and photo.image_url],
        )
