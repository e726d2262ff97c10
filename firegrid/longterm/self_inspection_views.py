"""Staff pages of 房东自查: the list of self-inspections (自查记录: area tree, period, status, drawn, awaiting
verification; .xlsx), one self-inspection with its answers, photos and verification, its photos' files, the
premises that owe a period's self-inspection (应自查), and the part of the premises page the verifying grid
worker reads (registered from `LongtermConfig.ready()`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from firegrid.areas.models import User
from firegrid.core.permissions import Action, can
from firegrid.core.responses import image_response
from firegrid.core.tables import Column, enumerate_items
from firegrid.core.views import ObjectDetailView, ObjectListView, ScopedMixin
from firegrid.inspections.models import Answer, ChecklistItem
from firegrid.registry.models import Premises

from .choices import SelfCheckResult, SelfInspectionStatus
from .filters import OwedPremisesFilterSet, SelfInspectionFilterSet
from .models import SelfInspection, SelfInspectionPhoto, Verification
from .selfcheck import PHOTO_CODES, SELF_CHECK_CODES

if TYPE_CHECKING:
    pass


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _contradicted(row: SelfInspection) -> str:
    verification: Verification | None = getattr(row, "verification", None)
    return enumerate_items(verification.contradicted_items) if verification is not None else ""


SELF_INSPECTION_COLUMNS = [
    Column("premises", gettext_lazy("出租户"), link=True, value=lambda r: str(r.premises), truncate=True),
    Column("period", gettext_lazy("自查月份"), sort="period", value=lambda r: f"{r.period:%Y-%m}"),
    Column("status", gettext_lazy("状态"), tag=True),
    Column(
        "submitted_at", gettext_lazy("提交时间"), sort="submitted_at", value=lambda r: _local(r.submitted_at)
    ),
    Column("drawn", gettext_lazy("抽中核实"), value=lambda r: _("是") if r.draw_id else _("否")),
    Column("contradicted_items", gettext_lazy("不符项"), value=_contradicted),
    Column("premises.building.grid.name", gettext_lazy("网格")),
    Column("premises.kind", gettext_lazy("类型"), default=False),
]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMixin lets only signed-in users through
    return request.user


def require_self_inspection_view(user: User) -> None:
    """The staff pages are for the roles that read self-inspections (a unit liaison: 403)."""
    if not can(user, Action.VIEW, SelfInspection):
        raise PermissionDenied(_("您的角色无权查看此页面。"))


class SelfInspectionListView(ObjectListView[SelfInspection]):
    """自查记录: every self-inspection in scope, newest period first; each row opens its page."""

    model = SelfInspection
    filterset_class = SelfInspectionFilterSet
    columns = SELF_INSPECTION_COLUMNS
    select_related = ("premises__building__grid", "verification")


@dataclass
class AnswerRow:
    """One item of a self-inspection as its page shows it: the landlord's answer, the photo, and what
    the verifying inspection found."""

    code: str
    title: str
    answer: str
    answer_label: str
    photo: SelfInspectionPhoto | None
    asks_photo: bool
    found: str  # the verifying inspection's result for the item ("" when not verified or not checked)
    found_label: str
    contradicted: bool


def answer_rows(row: SelfInspection) -> list[AnswerRow]:
    """The items of `row` in the self-check list's order (photos: the attached ones)."""
    answers = {a.item_code: a for a in row.answers.all()}
    order = {code: i for i, code in enumerate(SELF_CHECK_CODES)}
    titles = {
        item.code: item.display_title
        for item in ChecklistItem.objects.filter(template_id=row.template_id, code__in=answers).only(
            "code", "title", "title_en"
        )
    }
    photos = {p.item_code: p for p in row.photos.all()}
    verification: Verification | None = getattr(row, "verification", None)
    found: dict[str, Answer] = {}
    contradicted: set[str] = set()
    if verification is not None:
        found = {
            a.item.code: a
            for a in verification.inspection.answers.select_related("item").filter(item__code__in=answers)
        }
        contradicted = set(verification.contradicted_items)
    return [
        AnswerRow(
            code=code,
            title=titles.get(code, code),
            answer=answer.result,
            answer_label=answer.get_result_display(),
            photo=photos.get(code),
            asks_photo=code in PHOTO_CODES,
            found=found[code].result if code in found else "",
            found_label=found[code].get_result_display() if code in found else "",
            contradicted=code in contradicted,
        )
        for code, answer in sorted(answers.items(), key=lambda pair: order.get(pair[0], len(order)))
    ]


class SelfInspectionDetailView(ObjectDetailView[SelfInspection]):
    """One self-inspection: the landlord's answers with their photos, the draw, and the verification —
    the inspection that verified it and the items it contradicted."""

    model = SelfInspection
    template_name = "longterm/selfinspection_detail.html"
    select_related = (
        "premises__building__grid",
        "landlord",
        "submitted_by",
        "draw",
        "verification__inspection",
    )
    fields = [
        Column("premises", gettext_lazy("出租户"), value=lambda r: str(r.premises)),
        Column("period", gettext_lazy("自查月份"), value=lambda r: f"{r.period:%Y-%m}"),
        Column("status", gettext_lazy("状态")),
        Column("submitted_at", gettext_lazy("提交时间"), value=lambda r: _local(r.submitted_at)),
        Column("submitted_by", gettext_lazy("提交人"), value=lambda r: str(r.submitted_by)),
        Column("draw", gettext_lazy("抽检批次"), value=lambda r: str(r.draw) if r.draw_id else _("未抽中")),
        Column("premises.building.grid.name", gettext_lazy("网格")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        row = self.object
        context.update(
            answer_rows=answer_rows(row),
            verification=getattr(row, "verification", None),
            results=SelfCheckResult,
            premises_url=reverse("registry:premises_detail", args=[row.premises_id]),
        )
        return context


class SelfInspectionPhotoFileView(ScopedMixin[SelfInspectionPhoto], View):
    """A self-inspection photo or its thumbnail, only inside the user's scope (else 404)."""

    model = SelfInspectionPhoto

    def get(self, request: HttpRequest, pk: int, variant: str) -> FileResponse:
        photo = get_object_or_404(self.get_queryset(), pk=pk)
        self.check_action(photo)
        return image_response(photo, variant)


# --- the owed list ------------------------------------------------------------------------------------------


OWED_COLUMNS = [
    Column("premises", gettext_lazy("出租户"), link=True, value=lambda p: str(p)),
    Column("self_inspected", gettext_lazy("本期已自查")),
    Column("self_missed", gettext_lazy("逾期未自查")),
    Column("portal_account", gettext_lazy("房东已开通账号")),
    Column("status", gettext_lazy("状态"), tag=True),
    Column("building.grid.name", gettext_lazy("网格")),
    Column("kind", gettext_lazy("类型"), default=False),
]


class OwedListView(ObjectListView[Premises]):
    """应自查: the premises that owe a period's self-inspection, by state (not submitted, missed …); rows
    open the premises page."""

    model = Premises
    filterset_class = OwedPremisesFilterSet
    columns = OWED_COLUMNS
    select_related = ("building__grid",)

    # As ObjectListView.get: the export streams a file; the stub says HttpResponse.
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        require_self_inspection_view(_user(request))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        period = self.filterset.chosen_period()
        context.update(
            verbose_name_plural=_("应自查出租户（%(period)s）") % {"period": f"{period:%Y-%m}"},
            detail_url_name="registry:premises_detail",
            list_url=reverse("longterm:owed_list"),
            add_url="",
            list_id="longterm.owed",
        )
        return context


# --- the premises page's part -------------------------------------------------------------------------------

PREMISES_PAGE_ROWS = 3


def premises_self_inspection_context(premises: Premises, user: User) -> dict[str, Any]:
    """The premises page's 房东自查 box: its latest self-inspections, the one awaiting verification open with
    its answers and photos (what the grid worker checks at the door)."""
    if not can(user, Action.VIEW, SelfInspection):
        return {}
    rows: QuerySet[SelfInspection] = (
        SelfInspection.objects.visible_to(user)
        .filter(premises=premises)
        .select_related("verification__inspection", "draw")
        .prefetch_related("answers", "photos")
        .order_by("-period", "-pk")
    )
    latest = list(rows[:PREMISES_PAGE_ROWS])
    awaiting = next((r for r in latest if r.draw_id and r.status == SelfInspectionStatus.SUBMITTED), None)
    return {
        "self_inspection_part": True,
        "self_inspections": latest,
        "self_inspection_awaiting": awaiting,
        "self_inspection_rows": answer_rows(awaiting) if awaiting is not None else [],
        "self_inspection_list_url": f"{reverse('longterm:selfinspection_list')}?premises={premises.pk}",
    }
