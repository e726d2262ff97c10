"""Points pages: the entry list (积分记录), the landlords' totals for a year (房东积分, ranked within the
user's scope), a landlord's ledger, and the phone form for attendance and corrections (手动加减分).
The year-end evaluation's pages are in evaluation_views.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, QuerySet, Window
from django.db.models.functions import Rank
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from firegrid.core.permissions import Action, can
from firegrid.core.tables import Column
from firegrid.core.views import ObjectListView, add_errors
from firegrid.registry.models import Landlord

from . import services
from .choices import PointsBand, PointsRule
from .filters import LandlordPointsFilterSet, PointsEntryFilterSet
from .forms import ManualEntryForm
from .models import Nomination, PointsEntry
from .rules import SCHEMA, amount, band, base_points

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.core.http import AuthedHttpRequest


def chosen_year(request: HttpRequest) -> int:
    """The year asked for (?year=), else this year."""
    raw = request.GET.get("year", "")
    this_year = timezone.localdate().year
    if raw.isdigit() and 2000 <= int(raw) <= this_year:
        return int(raw)
    return this_year


def require_points(user: User, action: str = Action.VIEW) -> None:
    if not can(user, action, PointsEntry):
        raise PermissionDenied(_("您的角色无权执行此操作。"))


ENTRY_COLUMNS = [
    Column("occurred_on", gettext_lazy("日期"), sort="occurred_on"),
    Column("landlord.name", gettext_lazy("房东")),
    Column("rule", gettext_lazy("积分规则"), tag=True),
    Column("amount", gettext_lazy("分值"), sort="amount"),
    Column("reason", gettext_lazy("原因"), link=True, value=lambda e: e.reason_text, truncate=True),
    Column("source_label", gettext_lazy("来源"), truncate=True),
    Column(
        "premises",
        gettext_lazy("出租户"),
        value=lambda e: str(e.premises) if e.premises else "",
        default=False,
    ),
    Column(
        "created_by", gettext_lazy("记录人"), value=lambda e: str(e.created_by) if e.created_by else _("系统")
    ),
    Column("rule_set.code", gettext_lazy("积分规则版本"), default=False),
]


class EntryListView(ObjectListView[PointsEntry]):
    """积分记录: every entry in the user's scope; a row opens what caused it."""

    model = PointsEntry
    filterset_class = PointsEntryFilterSet
    columns = ENTRY_COLUMNS
    select_related = ("landlord", "premises__building", "created_by", "rule_set")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["detail_url_name"] = "points:entry_source"
        return context


class EntrySourceView(LoginRequiredMixin, View):
    """A row of the entry list → the page of what caused the entry (the landlord's ledger when it has none)."""

    request: AuthedHttpRequest

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        entry = get_object_or_404(PointsEntry.objects.visible_to(self.request.user), pk=pk)
        return redirect(entry.source_url or reverse("points:landlord_points", args=[entry.landlord_id]))


def _band_label(landlord: Landlord) -> str:
    return str(PointsBand(landlord.band).label)  # type: ignore[attr-defined]  # landlords_with_points


TOTAL_COLUMNS = [
    Column("place", gettext_lazy("名次")),
    Column("name", gettext_lazy("房东"), link=True, sort="name"),
    Column("points", gettext_lazy("积分"), sort="points"),
    Column("gained", gettext_lazy("加分")),
    Column("lost", gettext_lazy("扣分")),
    Column("band", gettext_lazy("积分档次"), value=_band_label),
]


class LandlordTotalsView(ObjectListView[Landlord]):
    """房东积分: the landlords in the user's scope ranked by their points in the year (filters: area, band,
    award kind; the area tree beside), each opening the landlord's ledger."""

    model = Landlord
    filterset_class = LandlordPointsFilterSet
    columns = TOTAL_COLUMNS

    # As ObjectListView.get: the export streams a file, which Django takes from a handler.
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        user = self.request.user
        require_points(user)
        if request.GET.get("export") == "xlsx":
            require_points(user, Action.EXPORT)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Landlord]:
        self.year = chosen_year(self.request)
        base = services.landlords_with_points(self.request.user, self.year)
        self.filterset = self.filterset_class(self.request.GET, queryset=base, request=self.request)
        if not self.filterset.is_valid():
            return base.none()
        rows: QuerySet[Landlord] = self.filterset.qs.annotate(
            place=Window(Rank(), order_by=F("points").desc())
        )
        return rows

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            verbose_name_plural=_("%(year)s 年房东积分") % {"year": self.year},
            add_url="",
            list_url=reverse("points:landlord_totals"),
            detail_url_name="points:landlord_points",
            list_id="points.landlordtotals",
        )
        return context


class LandlordPointsView(LoginRequiredMixin, TemplateView):
    """A landlord's points (房东积分明细): the year's total against the base and the thresholds, every entry
    with its reason and a link to its cause, earlier years' totals and nominations; for officers, the way
    to add attendance or a correction."""

    template_name = "points/landlord_points.html"
    request: AuthedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        require_points(user)
        landlord = get_object_or_404(Landlord.objects.visible_to(user), pk=self.kwargs["pk"])
        context = super().get_context_data(**kwargs)
        context.update(ledger_context(landlord, user, chosen_year(self.request)))
        can_add = can(user, Action.ADD, PointsEntry)
        this_year = context["this_year"]
        context.update(
            can_add=can_add,
            correct_url=reverse("points:manual_entry", args=[landlord.pk]) if can_add else "",
            years=list(range(this_year, this_year - 5, -1)),
        )
        return context


def ledger_context(landlord: Landlord, user: User, year: int) -> dict[str, Any]:
    """What a landlord's points page shows (the staff page and the portal's)."""
    parameters = services.current_parameters()
    entries = list(
        PointsEntry.objects.visible_to(user)
        .filter(landlord=landlord, year=year)
        .select_related("premises__building", "created_by")
        .order_by("-occurred_on", "-id")[:500]
    )
    this_year = timezone.localdate().year
    # This year and the four before (the landlord's record over time), and the year shown.
    by_year = services.yearly_points(landlord.pk, {year, *range(this_year, this_year - 5, -1)}, parameters)
    points = by_year[year]
    totals = sorted(((y, total) for y, total in by_year.items() if y != year), reverse=True)
    nominations = list(
        Nomination.objects.visible_to(user).filter(landlord=landlord).select_related("evaluation")
    )
    return {
        "landlord": landlord,
        "year": year,
        "this_year": this_year,
        "points": points,
        "base": base_points(parameters),
        "band": band(points, parameters),
        "band_label": PointsBand(band(points, parameters)).label,
        "thresholds": parameters["interval"],
        "entries": entries,
        "gained": sum(e.amount for e in entries if e.amount > 0),
        "lost": sum(e.amount for e in entries if e.amount < 0),
        "totals": totals,
        "nominations": nominations,
        "rules": rule_table(parameters),
    }


def rule_table(parameters: Any) -> list[dict[str, Any]]:
    """Every rule with its amount in force, additions first (the rules explained to a landlord)."""
    rows = [
        {"rule": rule, "label": PointsRule(rule).label, "amount": amount(rule, parameters)}
        for rule in SCHEMA["amounts"]
    ]
    rows = [row for row in rows if row["amount"]]
    return sorted(rows, key=lambda row: (row["amount"] < 0, -abs(row["amount"])))


class ManualEntryView(LoginRequiredMixin, FormView):
    """手动加减分 for one landlord: attendance at a training or meeting, or a correction with its reason.
    The landlord outside the officer's scope is 404; a role that may not add entries gets 403."""

    template_name = "points/manual_entry.html"
    form_class = ManualEntryForm
    request: AuthedHttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        user = self.request.user
        self.landlord = get_object_or_404(Landlord.objects.visible_to(user), pk=kwargs["pk"])
        require_points(user, Action.ADD)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, landlord_id=self.landlord.pk)
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "occurred_on": timezone.localdate(),
            "rule": PointsRule.TRAINING_ATTENDANCE,
        }
        corrects = self.request.GET.get("corrects", "")
        if corrects.isdigit():
            initial.update(rule=PointsRule.CORRECTION, corrects=int(corrects))
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context["form"]
        corrected = form["corrects"].value()
        entry = None
        if corrected and str(corrected).isdigit():
            entry = (
                PointsEntry.objects.visible_to(self.request.user)
                .filter(pk=int(corrected), landlord=self.landlord)
                .first()
            )
        context.update(
            landlord=self.landlord,
            corrected=entry,
            points=services.landlord_points(self.landlord, timezone.localdate().year),
            rules=rule_table(services.current_parameters()),
        )
        return context

    def form_valid(self, form: ManualEntryForm) -> HttpResponse:
        data = form.cleaned_data
        rule = data["rule"]
        source = data.get("corrects") if rule == PointsRule.CORRECTION else data.get("record")
        try:
            entry = services.add_manual_entry(
                self.landlord,
                rule,
                actor=self.request.user,
                occurred_on=data["occurred_on"],
                note=data.get("note") or "",
                amount_typed=data.get("amount"),
                source=source,
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("已记录：%(landlord)s %(amount)s 分（%(rule)s）")
            % {"landlord": self.landlord, "amount": entry.signed_amount, "rule": entry.get_rule_display()},
        )
        return redirect(reverse("points:landlord_points", args=[self.landlord.pk]))
