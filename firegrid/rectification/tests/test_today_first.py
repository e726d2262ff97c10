"""待办优先: the plan and hazard lists (web and API) put what needs action first — a landlord's recheck request
on top with its badge, then open rows by deadline (overdue first), closed rows last (a 2019 plan never
before an open one) — say so in the sort control and the API schema, keep the other orders, and cost the
same queries for one row or many."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from firegrid import testing as t
from firegrid.api_testing import api_client
from firegrid.conftest import assert_status
from firegrid.core.ordering import TODO_FIRST_HELP, TODO_FIRST_LABEL
from firegrid.inspections.choices import HazardStatus
from firegrid.inspections.models import Hazard
from firegrid.rectification import services as s
from firegrid.rectification.choices import PlanState
from firegrid.rectification.models import Plan, PlanItem
from firegrid.rectification.testing import plan_with_hazards

pytestmark = pytest.mark.django_db

BADGE = "房东申请复查"


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def set_plan(plan: Plan, *, deadline: dt.date, state: str | None = None, hazards: str | None = None) -> None:
    """A scene, not a user action: the plan (and its hazards) as they would stand by now."""
    fields: dict[str, object] = {"deadline": deadline}
    if state is not None:
        fields["state"] = state
    Plan.objects.filter(pk=plan.pk).update(**fields)
    hazard_fields: dict[str, object] = {"deadline": deadline}
    if hazards is not None:
        hazard_fields["status"] = hazards
    Hazard.objects.filter(plan_items__plan=plan).update(**hazard_fields)


@pytest.fixture
def worklist(checklist, district, personas):
    """Grid A: a plan due in 10 days, an overdue one, one whose landlord asked for the recheck, and a
    2019 plan accepted long ago — made last, so neither newest-first nor deadline order puts it last.
    Grid B: the outsider's plan with a recheck request (out of the grid worker's sight)."""
    d, gw = district, personas.grid_worker
    third = t.make_premises(d.building_a, d.landlord_a, unit_label="3楼")
    fourth = t.make_premises(d.building_a, d.landlord_a, unit_label="4楼")

    due = plan_with_hazards(d.premises_a, actor=gw)
    set_plan(due, deadline=in_days(10))
    overdue = plan_with_hazards(d.shop_a, actor=gw)
    s.notify_plan(overdue, actor=gw)
    set_plan(overdue, deadline=in_days(-3), state=PlanState.OVERDUE)
    recheck = plan_with_hazards(third, actor=gw)
    set_plan(recheck, deadline=in_days(20))
    for step in (s.notify_plan, s.start_rectification, s.request_recheck):
        recheck.refresh_from_db()
        step(recheck, actor=gw)
    other = plan_with_hazards(d.premises_b, actor=personas.outsider)
    set_plan(other, deadline=in_days(25))
    for step in (s.notify_plan, s.start_rectification, s.request_recheck):
        other.refresh_from_db()
        step(other, actor=personas.outsider)
    closed = plan_with_hazards(fourth, actor=gw)
    set_plan(closed, deadline=dt.date(2019, 10, 31), state=PlanState.ACCEPTED, hazards=HazardStatus.ACCEPTED)
    return SimpleNamespace(due=due, overdue=overdue, recheck=recheck, other=other, closed=closed)


def plan_ids(response) -> list[int]:
    return [p.pk for p in response.context["object_list"]]


def plans_of_hazards(hazard_ids: list[int]) -> list[int]:
    """The plan of each hazard in the order given, runs of the same plan collapsed."""
    plan_of = dict(PlanItem.objects.filter(hazard_id__in=hazard_ids).values_list("hazard_id", "plan_id"))
    runs: list[int] = []
    for pk in hazard_ids:
        if not runs or runs[-1] != plan_of[pk]:
            runs.append(plan_of[pk])
    return runs


# --- plans -------------------------------------------------------------------------------------------------


def test_plan_list_puts_the_recheck_request_first_then_overdue_then_due_and_2019_last(
    login, personas, worklist
):
    w = worklist
    response = login(personas.grid_worker).get(reverse("rectification:plan_list"))
    assert_status(response, 200)
    assert plan_ids(response) == [w.recheck.pk, w.overdue.pk, w.due.pk, w.closed.pk]
    # The district sees both recheck requests on top (the nearer deadline first), the 2019 plan still last.
    response = login(personas.commander).get(reverse("rectification:plan_list"))
    assert plan_ids(response) == [w.recheck.pk, w.other.pk, w.overdue.pk, w.due.pk, w.closed.pk]


def test_the_recheck_request_carries_its_badge(login, personas, worklist):
    response = login(personas.grid_worker).get(reverse("rectification:plan_list"))
    flagged = {p.pk for p in response.context["object_list"] if p.todo_flagged}
    assert flagged == {worklist.recheck.pk}
    assert response.context["todo_badge"] == BADGE
    body = response.content.decode()
    assert body.count(f'<span class="tag todo-badge">{BADGE}</span>') == 1
    # The badge sits in the recheck request's row, not in another's.
    row = body.split(f'<span class="tag todo-badge">{BADGE}</span>')[1].split("</tr>")[0]
    assert reverse("rectification:plan_detail", args=[worklist.recheck.pk]) in row


def test_the_sort_control_names_the_default_and_keeps_the_other_orders(login, personas, worklist):
    client = login(personas.grid_worker)
    body = client.get(reverse("rectification:plan_list")).content.decode()
    assert f'<option value="" selected>{TODO_FIRST_LABEL}</option>' in body
    assert '<option value="deadline">整改期限</option>' in body
    # The hidden sort input gives way to the control (one `sort` per search).
    assert 'type="hidden" name="sort"' not in body
    response = client.get(reverse("rectification:plan_list"), {"sort": "deadline"})
    assert plan_ids(response)[0] == worklist.closed.pk  # an explicit order is obeyed
    assert '<option value="deadline" selected>' in response.content.decode()
    # Sorted otherwise, the recheck request still wears its badge.
    assert {p.pk for p in response.context["object_list"] if p.todo_flagged} == {worklist.recheck.pk}


def test_plan_api_has_the_same_default_order(personas, worklist):
    w = worklist
    response = api_client(personas.grid_worker).get("/api/v1/plans/")
    assert_status(response, 200)
    assert [row["id"] for row in response.data["results"]] == [
        w.recheck.pk,
        w.overdue.pk,
        w.due.pk,
        w.closed.pk,
    ]
    response = api_client(personas.grid_worker).get("/api/v1/plans/", {"sort": "-deadline"})
    assert [row["id"] for row in response.data["results"]][-1] == w.closed.pk


def test_the_plan_list_costs_the_same_queries_for_one_plan_or_five(login, district, personas, checklist):
    client = login(personas.commander)
    plan_with_hazards(district.premises_a, actor=personas.grid_worker)
    assert_status(client.get(reverse("rectification:plan_list")), 200)  # the session's one-off write
    with CaptureQueriesContext(connection) as one:
        assert_status(client.get(reverse("rectification:plan_list")), 200)
    for unit in ("5楼", "6楼", "7楼"):
        premises = t.make_premises(district.building_a, district.landlord_a, unit_label=unit)
        plan = plan_with_hazards(premises, actor=personas.grid_worker)
        for step in (s.notify_plan, s.start_rectification, s.request_recheck):
            plan.refresh_from_db()
            step(plan, actor=personas.grid_worker)
    plan_with_hazards(district.premises_b, actor=personas.outsider)
    with CaptureQueriesContext(connection) as five:
        response = client.get(reverse("rectification:plan_list"))
    assert response.context["paginator"].count == 5
    assert len(five) == len(one)


# --- hazards -----------------------------------------------------------------------------------------------


def test_hazard_list_puts_the_recheck_request_first_then_overdue_then_due_and_removed_last(
    login, personas, worklist
):
    w = worklist
    response = login(personas.grid_worker).get(reverse("inspections:hazard_list"))
    assert_status(response, 200)
    hazards = [h.pk for h in response.context["object_list"]]
    assert plans_of_hazards(hazards) == [w.recheck.pk, w.overdue.pk, w.due.pk, w.closed.pk]
    flagged = {h.pk for h in response.context["object_list"] if h.todo_flagged}
    assert flagged == set(Hazard.objects.filter(plan_items__plan=w.recheck).values_list("pk", flat=True))
    body = response.content.decode()
    assert body.count(f'<span class="tag todo-badge">{BADGE}</span>') == len(flagged)
    assert f'<option value="" selected>{TODO_FIRST_LABEL}</option>' in body


def test_hazard_api_has_the_same_default_order(personas, worklist):
    w = worklist
    response = api_client(personas.commander).get("/api/v1/hazards/")
    assert_status(response, 200)
    hazards = [row["id"] for row in response.data["results"]]
    assert plans_of_hazards(hazards) == [w.recheck.pk, w.other.pk, w.overdue.pk, w.due.pk, w.closed.pk]
    # The outsider sees only grid B's hazards, and its recheck request on top.
    response = api_client(personas.outsider).get("/api/v1/hazards/")
    assert plans_of_hazards([row["id"] for row in response.data["results"]]) == [w.other.pk]


def test_the_hazard_list_costs_the_same_queries_for_few_hazards_or_many(login, district, personas, checklist):
    client = login(personas.grid_worker)
    plan_with_hazards(district.premises_a, actor=personas.grid_worker)
    assert_status(client.get(reverse("inspections:hazard_list")), 200)
    with CaptureQueriesContext(connection) as few:
        assert_status(client.get(reverse("inspections:hazard_list")), 200)
    plan = plan_with_hazards(
        district.shop_a, actor=personas.grid_worker, fail=("SEP-01", "SEP-06", "EXIT-03")
    )
    for step in (s.notify_plan, s.start_rectification, s.request_recheck):
        plan.refresh_from_db()
        step(plan, actor=personas.grid_worker)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("inspections:hazard_list"))
    assert response.context["paginator"].count == 5
    assert len(many) == len(few)


def test_the_api_schema_states_the_default_order(db):
    from firegrid.areas.models import User

    client = api_client(User(username="reader", role="grid_worker"))  # unsaved: nothing leaks into the data
    schema = yaml.safe_load(client.get("/api/schema/").content)
    for path in ("/api/v1/plans/", "/api/v1/hazards/"):
        sort = next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "sort")
        assert str(TODO_FIRST_HELP) in sort["description"], path


def test_rectification_hands_the_hazard_list_its_flag(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from firegrid.inspections import filters

    _rows, badge = filters.hazard_flag()
    assert str(badge) == BADGE
    monkeypatch.setattr(filters, "_HAZARD_FLAG", {})
    with pytest.raises(ImproperlyConfigured):
        filters.hazard_flag()
