"""房东自治巡查队 in the portal: a landlord volunteer's patrols (those of the teams they belong to), the
phone patrol page (scan, note a finding, finish) and the building plate's scan page, under the portal's
frame. The pages are the patrols app's phone views (`firegrid.patrols.views.phone`) with the portal's
sign-in, frame and URL names; what they write goes through `firegrid.patrols.services`, which check team
membership and scope (another team's patrol, a building outside the patrol's area: 404)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.urls import reverse

from firegrid.patrols.models import Patrol
from firegrid.patrols.views import patrols, phone

from .views import PortalMixin

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest


class PortalPatrolMixin(PortalMixin):
    base_template: ClassVar[str] = "portal/base.html"
    url_names: ClassVar[dict[str, str]] = {
        "mine": "portal:patrols",
        "run": "portal:patrol_run",
        "finding_new": "portal:patrol_finding",
        "building": "portal:patrol_building",
        "move": "portal:patrol_move",
        "premises": "portal:premises",
    }
    in_portal: ClassVar[bool] = True


class MyPatrolsView(PortalPatrolMixin, phone.MyPatrolsView):
    """我的巡查: the landlord's teams' patrols under way, coming and recently finished."""

    request: AuthedHttpRequest


class PatrolRunView(PortalPatrolMixin, phone.PatrolRunView):
    """The patrol page: the route with ticks, 扫码打卡, the typed building number, findings, finish."""

    request: AuthedHttpRequest


class FindingNewView(PortalPatrolMixin, phone.FindingNewView):
    """A note (or hazard lead) at a building of the patrol, with a photo if it helps: a grid worker
    follows it up (it waits in their work queue)."""

    request: AuthedHttpRequest


class BuildingScanView(PortalPatrolMixin, phone.BuildingScanView):
    """A building's plate scanned by a landlord volunteer (the staff URL sends landlords here)."""

    request: AuthedHttpRequest


class PatrolMoveView(PortalMixin, patrols.PatrolMoveView):
    """开始巡查 / 结束巡查 from the portal's patrol page (the patrols service checks team membership), back to
    that page."""

    request: AuthedHttpRequest

    def default_url(self, patrol: Patrol) -> str:
        return reverse("portal:patrol_run", args=[patrol.pk])
