"""报警处置 in the portal: the alert cases of the landlord's own premises (open ones first, newest first) with
their sensors, and a case page — the alarm, its timeline of moves with who made each (role and name; a
mobile masked), the outcome and note once closed, and what the landlord should do meanwhile. Read-only:
cases are moved by grid workers and officers (`firegrid.monitoring.services`). Everything is read inside
the landlord's scope (`visible_to`); another landlord's case is not found (404). The staff case pages send
a landlord here (firegrid.portal.middleware), and the landlord's alarm notification links here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from firegrid.core.masking import mask_mobile
from firegrid.core.permissions import Action, can
from firegrid.monitoring.choices import OPEN_STATES, CaseState, DeviceKind
from firegrid.monitoring.models import AlertCase, Device

from .views import PortalMixin

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.core.http import AuthedHttpRequest

# Cases per page of the list (open ones always come first).
PAGE_SIZE = 30

# What to do while a case is open, by sensor kind: a short safety hint in the landlord's words.
SAFETY_HINTS: dict[str, Promise] = {
    DeviceKind.SMOKE: gettext_lazy(
        "请立即联系租户或到场查看。发现明火或浓烟，立即拨打 119，组织人员从楼梯撤离，不要乘坐电梯。"
    ),
    DeviceKind.EBIKE_CHARGING: gettext_lazy(
        "请立即联系租户停止在室内为电动自行车充电，把车移到室外或集中充电点。发现冒烟起火，立即拨打 119 并撤离。"
    ),
    DeviceKind.ELECTRICAL_FIRE: gettext_lazy(
        "请提醒租户停用大功率电器。闻到焦味或看到冒烟时，在确保安全的前提下断开总电源，并拨打 119。"
    ),
    DeviceKind.GAS: gettext_lazy(
        "请立即通知租户关闭燃气阀门、打开门窗通风，不要开关电器、不要使用明火，到室外后再打电话；情况严重时拨打 119。"
    ),
}


def cases_of(user: User) -> QuerySet[AlertCase]:
    """The alert cases of the landlord's premises, open ones first, then newest first."""
    if not can(user, Action.VIEW, AlertCase):
        raise PermissionDenied(_("您的角色无权查看此页面。"))
    return (
        AlertCase.objects.visible_to(user)
        .select_related("premises__building", "room", "device")
        .annotate(
            closed_last=Case(
                When(state=CaseState.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("closed_last", "-opened_at", "-pk")
    )


def handler(user: User | None) -> str:
    """Who made a move, as the landlord reads it: role and name, the mobile masked."""
    if user is None:
        return ""
    text = f"{user.get_role_display()} {user}"
    return f"{text}（{mask_mobile(user.mobile)}）" if user.mobile else text


@dataclass(frozen=True)
class Step:
    """One line of a case's timeline."""

    time: dt.datetime
    label: str
    who: str = ""
    state: str = ""


def timeline(case: AlertCase) -> list[Step]:
    """The case's moves in order: the alarm (and its repeats), acknowledged, visited, closed."""
    steps = [Step(case.opened_at, _("传感器报警"), state=CaseState.OPEN)]
    if case.alarm_count > 1:
        steps.append(
            Step(
                case.last_alarm_at,
                _("再次报警（共 %(n)s 次）") % {"n": case.alarm_count},
                state=CaseState.OPEN,
            )
        )
    if case.acknowledged_at:
        steps.append(
            Step(
                case.acknowledged_at,
                str(CaseState.ACKNOWLEDGED.label),
                handler(case.acknowledged_by),
                "acknowledged",
            )
        )
    if case.visited_at:
        steps.append(Step(case.visited_at, str(CaseState.VISITED.label), handler(case.visited_by), "visited"))
    if case.closed_at:
        steps.append(Step(case.closed_at, str(CaseState.CLOSED.label), handler(case.closed_by), "closed"))
    return sorted(steps, key=lambda step: step.time)


class AlertCaseListView(PortalMixin, TemplateView):
    """The landlord's alert cases (a page at a time) and their sensors per premises."""

    template_name = "portal/alerts.html"
    request: AuthedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page = Paginator(cases_of(user), PAGE_SIZE).get_page(self.request.GET.get("page"))
        devices = (
            Device.objects.visible_to(user)
            .select_related("premises__building", "room")
            .order_by("premises__sort_key", "premises_id", "kind", "serial")
            if can(user, Action.VIEW, Device)
            else Device.objects.none()
        )
        context.update(
            page=page,
            cases=list(page.object_list),
            open_count=cases_of(user).filter(state__in=OPEN_STATES).count(),
            devices=list(devices),
        )
        return context


class AlertCaseView(PortalMixin, TemplateView):
    """One alert case of the landlord's premises (another landlord's: 404)."""

    template_name = "portal/alert_case.html"
    request: AuthedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case = get_object_or_404(
            cases_of(self.request.user).select_related("acknowledged_by", "visited_by", "closed_by"),
            pk=self.kwargs["pk"],
        )
        is_open = case.state != CaseState.CLOSED
        context.update(
            case=case,
            steps=timeline(case),
            is_open=is_open,
            hint=SAFETY_HINTS.get(case.kind, "") if is_open else "",
        )
        return context
