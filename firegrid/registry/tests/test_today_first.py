"""待办优先 on the tenant lists: a move a landlord reported and nobody has confirmed yet (新上报) comes first
with its badge, then the households living there now, then those gone — web and API; the tenant moves page
names its default order in the sort control."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from firegrid import testing as t
from firegrid.api_testing import api_client
from firegrid.conftest import assert_status
from firegrid.core.ordering import TODO_FIRST_LABEL
from firegrid.registry import services

pytestmark = pytest.mark.django_db

BADGE = '<span class="tag todo-badge">新上报</span>'


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


@pytest.fixture
def households(district, personas):
    """In premises_a: tenant_a (living there since 2019), a household gone two days ago, and one the
    landlord reported today that moved in 100 days ago — ordered by move-in date alone it would sit between
    the other two."""
    gone = t.make_tenant(
        district.premises_a, head_name="孙已搬", moved_in=days_ago(30), moved_out=days_ago(2)
    )
    reported = services.register_move_in(
        district.premises_a,
        actor=personas.landlord,
        head_name="陈新来",
        id_number=t.valid_id_number(901, born="19900202"),
        people=2,
        moved_in=days_ago(100),
    )
    return district.tenant_a, gone, reported


def test_a_new_landlord_report_is_first_with_its_badge_then_current_then_gone(login, personas, households):
    current, gone, reported = households
    response = login(personas.grid_worker).get(reverse("registry:tenanthousehold_list"))
    assert_status(response, 200)
    assert [h.pk for h in response.context["object_list"]] == [reported.pk, current.pk, gone.pk]
    body = response.content.decode()
    assert body.count(BADGE) == 1
    assert (
        reverse("registry:tenanthousehold_detail", args=[reported.pk])
        in body.split(BADGE)[1].split("</tr>")[0]
    )
    assert f'<option value="" selected>{TODO_FIRST_LABEL}</option>' in body


def test_once_confirmed_the_badge_goes_and_the_household_takes_its_place(login, personas, households):
    current, gone, reported = households
    services.confirm_move(reported, actor=personas.grid_worker)
    response = login(personas.grid_worker).get(reverse("registry:tenanthousehold_list"))
    # Both living there now: the list's own order (latest move-in first).
    assert [h.pk for h in response.context["object_list"]] == [reported.pk, current.pk, gone.pk]
    assert BADGE not in response.content.decode()
    response = login(personas.grid_worker).get(reverse("registry:tenanthousehold_list"), {"current": "true"})
    assert [h.pk for h in response.context["object_list"]] == [reported.pk, current.pk]


def test_the_api_lists_tenants_in_the_same_order_and_only_in_scope(personas, households):
    current, gone, reported = households
    response = api_client(personas.grid_worker).get("/api/v1/tenant-households/")
    assert_status(response, 200)
    assert [row["id"] for row in response.data["results"]] == [reported.pk, current.pk, gone.pk]
    response = api_client(personas.outsider).get("/api/v1/tenant-households/")
    assert {row["id"] for row in response.data["results"]}.isdisjoint({reported.pk, current.pk, gone.pk})


def test_the_tenant_moves_page_names_its_default_order(login, personas, households):
    response = login(personas.grid_worker).get(reverse("registry:tenant_moves"))
    assert_status(response, 200)
    assert [h.pk for h in response.context["object_list"]] == [households[2].pk]
    body = response.content.decode()
    assert f'<option value="" selected>{TODO_FIRST_LABEL}</option>' in body
    assert 'type="hidden" name="sort"' not in body
