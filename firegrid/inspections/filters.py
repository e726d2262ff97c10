"""FilterSets for inspections and hazards: web lists, API, exports and coverage drill-downs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import django_filters
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.core.filters import FiregridFilterSet
from firegrid.core.ordering import TODO_FIRST_HELP, TodoFirst

from .choices import (
    OPEN_STATUSES,
    HazardBucket,
    HazardStatus,
    InspectionKind,
    InspectionStatus,
    Severity,
    VisitOutcome,
)
from .models import Hazard, HazardQuerySet, Inspection

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class InspectionFilterSet(FiregridFilterSet):
    search_fields = ("building__address", "premises__unit_label", "premises__business_name", "note")
    area_lookup = "building__grid_id"
    form_fields = ("q", "kind", "outcome", "status", "since", "until", "return_visit")

    kind = django_filters.MultipleChoiceFilter(choices=InspectionKind.choices, label=_("检查类型"))
    outcome = django_filters.MultipleChoiceFilter(choices=VisitOutcome.choices, label=_("检查结果"))
    status = django_filters.MultipleChoiceFilter(choices=InspectionStatus.choices, label=_("状态"))
    since = django_filters.DateFilter(field_name="started_at", lookup_expr="date__gte", label=_("起始日期"))
    until = django_filters.DateFilter(field_name="started_at", lookup_expr="date__lte", label=_("截止日期"))
    return_visit = django_filters.BooleanFilter(method="filter_return_visit", label=_("待回访"))
    sort = django_filters.OrderingFilter(
        fields=(("started_at", "started_at"), ("building__sort_key", "address")),
        field_labels={"started_at": _("开始时间"), "building__sort_key": _("地址")},
        label=_("排序"),
        help_text=TODO_FIRST_HELP,
    )

    class Meta:
        model = Inspection
        fields = ["q", "area", "kind", "outcome", "status", "premises", "building"]

    def todo_first(self) -> TodoFirst:
        """Drafts still to finish and return visits still owed first, the earliest return visit first."""
        owed = Q(pk__in=Inspection.objects.return_visits_owed().values("pk"))
        return TodoFirst(
            open=Q(status=InspectionStatus.DRAFT) | owed,
            deadline="return_visit_due",
            newest=("-started_at", "-id"),
        )

    def filter_return_visit(
        self, queryset: QuerySet[Inspection], name: str, value: bool | None
    ) -> QuerySet[Inspection]:
        """Return visits still owed: locked, not found or renovating, with no later submitted visit."""
        if value is None:
            return queryset
        owed = Inspection.objects.return_visits_owed()
        return (
            queryset.filter(pk__in=owed.values("pk")) if value else queryset.exclude(pk__in=owed.values("pk"))
        )


# The hazards on top of the hazard list, with a badge: those a landlord asked to have rechecked. The request
# is the plan's (rectification, above inspections), so rectification hands the rows in from its
# AppConfig.ready(); a list without it would silently lose its top rows, hence the error.
_HAZARD_FLAG: dict[str, Any] = {}


def register_hazard_flag(rows: Callable[[], Q], badge: StrOrPromise) -> None:
    """Install the hazards the list puts first (`rows()`: a Q over hazards) and their badge."""
    _HAZARD_FLAG.update(rows=rows, badge=badge)


def hazard_flag() -> tuple[Q, StrOrPromise]:
    if not _HAZARD_FLAG:
        raise ImproperlyConfigured("register_hazard_flag was not called (RectificationConfig.ready)")
    return _HAZARD_FLAG["rows"](), _HAZARD_FLAG["badge"]


class HazardFilterSet(FiregridFilterSet):
    search_fields = (
        "building__address",
        "premises__unit_label",
        "item__code",
        "item__title",
        "item__title_en",
    )
    area_lookup = "building__grid_id"
    form_fields = ("q", "bucket", "severity", "category", "item_code", "older_than_days")

    bucket = django_filters.ChoiceFilter(
        choices=HazardBucket.choices, method="filter_bucket", label=_("状态分组")
    )
    status = django_filters.MultipleChoiceFilter(choices=HazardStatus.choices, label=_("状态"))
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices, label=_("隐患等级"))
    category = django_filters.CharFilter(field_name="item__category", label=_("分类"))
    item_code = django_filters.CharFilter(field_name="item__code", label=_("检查项编号"))
    older_than_days = django_filters.NumberFilter(method="filter_age", label=_("发现超过（天）"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已超期"))
    sort = django_filters.OrderingFilter(
        fields=(("found_at", "found_at"), ("deadline", "deadline"), ("building__sort_key", "address")),
        field_labels={"found_at": _("发现时间"), "deadline": _("整改期限"), "building__sort_key": _("地址")},
        label=_("排序"),
        help_text=TODO_FIRST_HELP,
    )

    class Meta:
        model = Hazard
        fields = [
            "q",
            "area",
            "bucket",
            "status",
            "severity",
            "category",
            "item_code",
            "premises",
            "building",
            "inspection",
        ]

    def todo_first(self) -> TodoFirst:
        """The landlord's recheck requests on top; open hazards by deadline (overdue first); removed and
        void ones last."""
        flagged, badge = hazard_flag()
        return TodoFirst(
            flagged=flagged & Q(status__in=OPEN_STATUSES),
            badge=badge,
            open=Q(status__in=OPEN_STATUSES),
            deadline="deadline",
            newest=("-found_at", "-id"),
        )

    def filter_bucket(self, queryset: HazardQuerySet, name: str, value: str) -> HazardQuerySet:
        return queryset.in_bucket(value) if value else queryset

    def filter_age(self, queryset: QuerySet[Hazard], name: str, value: Decimal | None) -> QuerySet[Hazard]:
        if value in (None, ""):
            return queryset
        return queryset.filter(found_at__lt=timezone.now() - dt.timedelta(days=int(value)))

    def filter_overdue(self, queryset: QuerySet[Hazard], name: str, value: bool | None) -> QuerySet[Hazard]:
        if value is None:
            return queryset
        overdue = {"status__in": OPEN_STATUSES, "deadline__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)
