"""Outreach records (宣传记录): list with the totals per kind, page, form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy, pgettext_lazy

from firegrid.core.tables import Column
from firegrid.core.views import ObjectDetailView, ObjectEditView, ObjectListView

from .. import filters, services
from ..forms import OutreachRecordForm
from ..models import OutreachKind, OutreachRecord

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest

OUTREACH_RECORD_COLUMNS = [
    Column("held_on", gettext_lazy("日期"), link=True, sort="held_on"),
    Column("kind", gettext_lazy("宣传形式"), sort="kind", tag=True),
    Column("area.name", gettext_lazy("区域")),
    Column("audience", pgettext_lazy("audience", "对象")),
    Column("attendance", gettext_lazy("参加人数")),
    Column("material", gettext_lazy("资料类型")),
    Column("copies", gettext_lazy("份数")),
    Column("campaign.name", gettext_lazy("专项整治行动"), default=False),
    Column("recorded_by", gettext_lazy("登记人"), value=lambda r: str(r.recorded_by), default=False),
    Column("note", gettext_lazy("备注"), default=False),
]


def outreach_totals_rows(totals: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    return [{"kind": OutreachKind(kind).label, "key": kind, **figures} for kind, figures in totals.items()]


class OutreachRecordListView(ObjectListView):
    """宣传记录: filtered by kind, area (with the areas below), campaign and dates, with the totals per
    kind of what the filters select."""

    model = OutreachRecord
    filterset_class = filters.OutreachRecordFilterSet
    columns = OUTREACH_RECORD_COLUMNS
    template_name = "outreach/record_list.html"
    select_related = ("area", "campaign", "recorded_by")
    request: AuthedHttpRequest

    def get_template_names(self) -> list[str]:
        if self.request.htmx and self.request.htmx.target == "list-results":
            return ["outreach/record_list_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        records = self.filterset.qs if self.filterset.is_valid() else OutreachRecord.objects.none()
        context["totals"] = outreach_totals_rows(services.outreach_totals(None, records=records))
        return context


class OutreachRecordDetailView(ObjectDetailView):
    model = OutreachRecord
    select_related = ("area", "campaign", "recorded_by")
    fields = [
        Column("kind", gettext_lazy("宣传形式")),
        Column("held_on", gettext_lazy("日期")),
        Column("area.name", gettext_lazy("区域")),
        Column("campaign.name", gettext_lazy("专项整治行动")),
        Column("audience", pgettext_lazy("audience", "对象")),
        Column("attendance", gettext_lazy("参加人数")),
        Column("material", gettext_lazy("资料类型")),
        Column("copies", gettext_lazy("份数")),
        Column("note", gettext_lazy("备注")),
        Column("recorded_by", gettext_lazy("登记人"), value=lambda r: str(r.recorded_by)),
    ]


class OutreachRecordEditView(ObjectEditView):
    model = OutreachRecord
    form_class = OutreachRecordForm
    request: AuthedHttpRequest

    def create(self, data: dict[str, Any], *, reason: str) -> OutreachRecord:
        return services.create_outreach_record(data, actor=self.request.user, reason=reason)

    def update(self, data: dict[str, Any], *, expected_version: int, reason: str) -> OutreachRecord:
        assert self.object is not None  # an update edits the object the page was opened on
        return services.update_outreach_record(
            self.object, data, actor=self.request.user, expected_version=expected_version, reason=reason
        )
