"""The task FilterSet: the web list, its export and the API use it."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.db.models.query import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.areas.models import Area, Department
from firegrid.campaigns.models import Campaign
from firegrid.core.filters import FiregridFilterSet, IdFilter
from firegrid.core.ordering import TODO_FIRST_HELP, TodoFirst

from .choices import OPEN_STATUSES, TaskKind, TaskStatus
from .models import Task


class TaskFilterSet(FiregridFilterSet):
    search_fields = ("title", "body")
    form_fields = ("q", "mine", "status", "overdue", "kind", "campaign")

    mine = django_filters.BooleanFilter(method="filter_mine", label=_("我的任务"))
    status = django_filters.MultipleChoiceFilter(choices=TaskStatus.choices, label=_("状态"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已超期"))
    kind = django_filters.ChoiceFilter(choices=TaskKind.choices, label=_("类型"))
    campaign = django_filters.ModelChoiceFilter(queryset=Campaign.objects.all(), label=_("专项整治行动"))
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), method="filter_department", label=_("部门")
    )
    parent = IdFilter(field_name="parent_id", label=_("上级任务"))
    plan = IdFilter(field_name="plan_id", label=_("整改方案"))
    sort = django_filters.OrderingFilter(
        fields=(("due_on", "due_on"), ("status", "status"), ("created_at", "created_at")),
        field_labels={"due_on": _("完成期限"), "status": _("状态"), "created_at": _("创建时间")},
        label=_("排序"),
        help_text=TODO_FIRST_HELP,
    )

    class Meta:
        model = Task
        fields = [
            "q",
            "area",
            "mine",
            "status",
            "overdue",
            "kind",
            "campaign",
            "department",
            "parent",
            "plan",
        ]

    def todo_first(self) -> TodoFirst:
        """Open tasks first, the nearest due date first (overdue ones lead); done and cancelled last."""
        return TodoFirst(open=Q(status__in=OPEN_STATUSES), deadline="due_on", newest=("-created_at", "-pk"))

    def filter_area(self, queryset: QuerySet[Task], name: str, area: Area | None) -> QuerySet[Task]:
        # Tasks held by the area or any area below it.
        return queryset.filter(area__path__startswith=area.path) if area is not None else queryset

    def filter_mine(self, queryset: QuerySet[Task], name: str, value: bool | None) -> QuerySet[Task]:
        if value is None or self.request is None:
            return queryset
        mine = Task.objects.held_by(self.request.user).values("pk")
        return queryset.filter(pk__in=mine) if value else queryset.exclude(pk__in=mine)

    def filter_overdue(self, queryset: QuerySet[Task], name: str, value: bool | None) -> QuerySet[Task]:
        if value is None:
            return queryset
        late = Q(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_department(
        self, queryset: QuerySet[Task], name: str, department: Department | None
    ) -> QuerySet[Task]:
        if department is None:
            return queryset
        joint = Task.departments.through.objects.filter(department=department).values("task_id")
        return queryset.filter(Q(department=department) | Q(pk__in=joint))
