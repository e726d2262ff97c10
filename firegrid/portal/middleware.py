"""A signed-in landlord's pages are the portal's, never the back office's (issue 14 item 5).

A landlord can reach a staff URL by a bookmark, an old notice, a building plate's QR code or by typing it:
whatever the staff page would show inside their scope, it is the back office's frame, menu and words. So
every web request of a landlord outside the portal is answered here, before any staff view runs:

- a staff page that has a portal page of the same thing (a premises, a patrol, the guide, a plan, an alert
  case) sends them there, with the same record — the portal looks it up in their own scope again
  (another's: 404);
- every other staff page sends them to the portal's home with a message saying why;
- signing out, the language switch, static files and the REST API (scoped to the landlord's own records,
  as for every caller) stay as they are.

One place for the rule: staff views do not each check for landlords.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from firegrid.areas.choices import Role
from firegrid.core.middleware import GetResponse

# Outside /portal/, what a landlord may still use as it is (URL names).
OPEN = frozenset({"logout", "set_language"})
OPEN_PATH_PREFIXES = ("/api/", "/static/")


# A portal page for a staff page: (the request, the staff URL's arguments, its query string) → the URL.
PortalTarget = Callable[[HttpRequest, dict[str, Any], str], str]


def _plan(request: HttpRequest, plan_id: object, name: str = "portal:plan") -> str:
    """The portal page `name` of a plan the landlord may see, by its id (an unknown one: 404)."""
    from firegrid.rectification.models import Plan

    try:
        pk = int(str(plan_id))
    except ValueError:
        raise Http404 from None
    plan = Plan.objects.visible_to(request.user).filter(pk=pk).first()  # type: ignore[arg-type]
    if plan is None:
        raise Http404
    return reverse(name, args=[plan.public_key])


def _booking_plan(request: HttpRequest, kwargs: dict[str, Any], query: str) -> str:
    from firegrid.outreach.models import Booking

    booking = Booking.objects.visible_to(request.user).filter(pk=kwargs["pk"]).first()  # type: ignore[arg-type]
    if booking is None:
        raise Http404
    return _plan(request, booking.plan_id)


def _same(name: str) -> PortalTarget:
    """The portal page `name` of the same record (the same URL arguments), with the same query."""
    return lambda request, kwargs, query: reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")


def _page(name: str) -> PortalTarget:
    return lambda request, kwargs, query: reverse(name)


# A staff page → the portal's page of the same thing.
PORTAL_PAGE: dict[str, PortalTarget] = {
    "registry:premises_detail": _same("portal:premises"),
    "rectification:premises_file": _same("portal:premises_file"),
    "rectification:plan_detail": lambda request, kwargs, query: _plan(request, kwargs["pk"]),
    "outreach:book": lambda request, kwargs, query: _plan(
        request, QueryDict(query).get("plan"), "portal:plan_book"
    ),
    "outreach:booking_detail": _booking_plan,
    "rectification:document_pdf": _same("portal:document_pdf"),
    "rectification:proof_file": _same("portal:proof_file"),
    "inspections:photo_file": _same("portal:evidence_file"),
    "points:certificate_pdf": _same("portal:certificate_pdf"),
    "points:landlord_totals": _page("portal:points"),
    "points:landlord_points": _page("portal:points"),
    "longterm:selfinspection_list": _page("portal:self_inspection"),
    "longterm:selfinspection_detail": _page("portal:self_inspection"),
    "longterm:selfinspectionphoto_file": _same("portal:self_inspection_photo"),
    "patrols:mine": _same("portal:patrols"),
    "patrols:patrol_run": _same("portal:patrol_run"),
    "patrols:finding_new": _same("portal:patrol_finding"),
    "patrols:building_scan": _same("portal:patrol_building"),
    "monitoring:alertcase_list": _page("portal:alerts"),
    "monitoring:alertcase_detail": _same("portal:alert_case"),
    "pages:help": _page("portal:help"),
    "pages:help_guide": _page("portal:help"),
}


def portal_url(request: HttpRequest, url: str) -> str:
    """The portal's URL for a staff `url` (a link a shared page built, e.g. in a premises file), or "" when
    the portal has no page of that thing (the link is then not shown to a landlord)."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.path.startswith("/portal/"):
        return url
    try:
        match = resolve(parts.path)
    except Resolver404:
        return ""
    target = PORTAL_PAGE.get(match.view_name)
    if target is None:
        return ""
    try:
        return target(request, match.kwargs, parts.query)
    except Http404:
        return ""


class LandlordPortalMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponseBase | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.role != Role.LANDLORD:
            return None
        match = request.resolver_match
        if match is None or match.namespace == "portal" or match.view_name in OPEN:
            return None
        if request.path.startswith(OPEN_PATH_PREFIXES):
            return None
        target = PORTAL_PAGE.get(match.view_name)
        if target is not None:
            return redirect(target(request, kwargs, request.GET.urlencode()))
        if getattr(request, "htmx", False):
            # A fragment would swap the portal's whole page into a staff table: move the whole page.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("portal:home")
            return response
        messages.info(request, _("房东的事项都在房东服务页办理。"))
        return redirect("portal:home")
