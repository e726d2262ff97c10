"""我的积分 in the portal: the signed-in landlord's points this year — the total against the yearly base,
each entry with its date, amount and reason, the rules explained (what earns and what costs points),
earlier years' totals and any 文明家庭 / 文明商户 nomination with its certificate. Read from points
(`firegrid.points`); phone first, no script."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from firegrid.core.permissions import Action, can
from firegrid.points.models import PointsEntry
from firegrid.points.views import chosen_year, ledger_context
from firegrid.registry.models import Landlord

from .views import PortalMixin

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest


class PointsView(PortalMixin, TemplateView):
    template_name = "portal/points.html"
    request: AuthedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        landlord = Landlord.objects.visible_to(user).first() if user.landlord_id is not None else None
        if landlord is None or not can(user, Action.VIEW, PointsEntry):
            raise PermissionDenied(_("只有房东本人可以查看积分。"))
        context = super().get_context_data(**kwargs)
        context.update(ledger_context(landlord, user, chosen_year(self.request)))
        return context
