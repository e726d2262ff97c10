"""The 待办优先 FilterSets (core/ordering.py) of every list people work from: each one's default order is an
expression the database runs (SQLite here, PostgreSQL in the second run), its sort control names it, and a
list without it keeps its plain default. Each list's own order is tested in its app (test_today_first)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from firegrid.core.filters import FiregridFilterSet
from firegrid.core.ordering import TODO_FIRST_LABEL
from firegrid.inspections.filters import HazardFilterSet, InspectionFilterSet
from firegrid.longterm.filters import SelfInspectionFilterSet
from firegrid.patrols.filters import FabricationFlagFilterSet, PatrolFilterSet, PatrolFindingFilterSet
from firegrid.rectification.api.filters import DocumentFilterSet
from firegrid.rectification.filters import PlanFilterSet
from firegrid.registry.filters import PremisesFilterSet, TenantHouseholdFilterSet, TenantMoveFilterSet
from firegrid.tasks.filters import TaskFilterSet

pytestmark = pytest.mark.django_db

TODO_LISTS = [
    PlanFilterSet,
    HazardFilterSet,
    InspectionFilterSet,
    TenantHouseholdFilterSet,
    TenantMoveFilterSet,
    SelfInspectionFilterSet,
    TaskFilterSet,
    DocumentFilterSet,
    PatrolFilterSet,
    PatrolFindingFilterSet,
    FabricationFlagFilterSet,
]


def bound(filterset_class: type[FiregridFilterSet], user, data=None) -> FiregridFilterSet:
    request = RequestFactory().get("/")
    request.user = user
    model = filterset_class._meta.model
    return filterset_class(data or {}, queryset=model.objects.visible_to(user), request=request)


@pytest.mark.parametrize("filterset_class", TODO_LISTS, ids=lambda c: c.__name__)
def test_the_default_order_runs_and_is_named(personas, filterset_class):
    for user in (personas.commander, personas.grid_worker):
        filterset = bound(filterset_class, user)
        assert filterset.todo_first() is not None
        list(filterset.qs[:50])  # the database takes the expressions
        options = filterset.sort_options()
        assert options[0] == ("", TODO_FIRST_LABEL)
        assert len(options) > 1  # the other orders stay selectable


def test_a_list_without_it_keeps_its_plain_default(personas, district):
    filterset = bound(PremisesFilterSet, personas.commander)
    assert filterset.todo_first() is None
    assert filterset.sort_options()[0] == ("", "默认顺序")
    assert list(filterset.qs) == sorted(filterset.qs, key=lambda p: -p.pk)  # newest first district-wide


def test_the_descending_orders_are_named_in_the_readers_language(personas, district):
    from django.utils import translation

    options = dict(bound(PremisesFilterSet, personas.commander).sort_options())
    assert options["-address"] == "地址（降序）"
    with translation.override("en"):
        options = {
            value: str(label) for value, label in bound(PremisesFilterSet, personas.commander).sort_options()
        }
    assert options["address"] == "Address" and options["-address"] == "Address (descending)"
