"""房东自查 in the portal: the landlord's premises with this period's self-inspection status, and the phone
form (one big yes/no per self-check item) that submits one. What it writes is the long-term mechanism's
(`longterm.services.submit_self_inspection`)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from firegrid.inspections.models import ChecklistItem
from firegrid.longterm import services as longterm
from firegrid.longterm.choices import SelfCheckResult
from firegrid.longterm.models import SelfInspection
from firegrid.longterm.selfcheck import period_of, self_check_items
from firegrid.registry.models import Premises

from .views import PortalMixin

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest


class SelfInspectionListView(PortalMixin, TemplateView):
    """Each of the landlord's premises with this period's self-inspection: to do, or its status."""

    template_name = "portal/self_inspection.html"
    request: AuthedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        period = period_of(timezone.localdate())
        premises = list(Premises.objects.visible_to(self.request.user).select_related("building"))
        done = {
            row.premises_id: row
            for row in SelfInspection.objects.visible_to(self.request.user).filter(
                period=period, premises__in=premises
            )
        }
        context.update(period=period, rows=[(p, done.get(p.pk)) for p in premises])
        return context


class SelfInspectionFormView(PortalMixin, View):
    """The self-check list of one premises as a phone form: a yes/no per item, submitted once per period
    (the hidden client_uuid makes a second tap or a resend the same submission)."""

    template_name = "portal/self_inspection_form.html"
    request: AuthedHttpRequest

    def _premises(self, pk: int) -> Premises:
        return get_object_or_404(
            Premises.objects.visible_to(self.request.user).select_related("building"), pk=pk
        )

    def _render(
        self, request: HttpRequest, premises: Premises, items: list[ChecklistItem], **extra: Any
    ) -> HttpResponse:
        chosen: dict[str, str] = extra.pop("chosen", {})
        context = {
            "premises": premises,
            "period": period_of(timezone.localdate()),
            "rows": [(item, chosen.get(item.code, "")) for item in items],
            "client_uuid": extra.pop("client_uuid", None) or uuid.uuid4(),
            "errors": extra.pop("errors", []),
            "results": SelfCheckResult,
        }
        return render(request, self.template_name, context, status=extra.pop("status", 200))

    def _already_done(self, premises: Premises) -> bool:
        period = period_of(timezone.localdate())
        return SelfInspection.objects.filter(premises=premises, period=period).exists()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        premises = self._premises(pk)
        if self._already_done(premises):
            messages.info(request, _("该出租房屋本月已完成自查。"))
            return redirect(reverse("portal:self_inspection"))
        return self._render(request, premises, self_check_items(premises))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        premises = self._premises(pk)
        items = self_check_items(premises)
        chosen = {item.code: request.POST.get(f"item-{item.code}", "") for item in items}
        client_uuid = request.POST.get("client_uuid", "")
        missing = [item.title for item in items if chosen[item.code] not in SelfCheckResult.values]
        if missing:
            error = _("请回答每一项：%(items)s") % {"items": "、".join(missing)}
            return self._render(
                request, premises, items, client_uuid=client_uuid, chosen=chosen, errors=[error], status=400
            )
        try:
            longterm.submit_self_inspection(
                premises, chosen, actor=self.request.user, client_uuid=client_uuid
            )
        except ValidationError as exc:
            return self._render(
                request,
                premises,
                items,
                client_uuid=client_uuid,
                chosen=chosen,
                errors=exc.messages,
                status=400,
            )
        messages.success(request, _("本月自查已提交，谢谢！"))
        return redirect(reverse("portal:self_inspection"))
