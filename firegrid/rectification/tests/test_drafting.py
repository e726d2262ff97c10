"""起草整改方案 from the hazard list (issue 14, item 6): which rows can be ticked and by whom, the draft plan
made from the ticked hazards (form POST and htmx), every tampered POST refused with its own message and
nothing changed, the ticks kept after a refusal, and the same through `POST /api/v1/plans/`."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from firegrid.api_testing import api_client
from firegrid.conftest import assert_status
from firegrid.core.models import AuditEntry
from firegrid.inspections.bulk import hazard_actions
from firegrid.inspections.choices import HazardStatus
from firegrid.inspections.models import Hazard
from firegrid.rectification import services as s
from firegrid.rectification.bulk import DRAFT_PLAN
from firegrid.rectification.choices import PlanState
from firegrid.rectification.models import Plan
from firegrid.rectification.testing import inspect
from firegrid.rectification.tests.scenes import in_days, url

pytestmark = pytest.mark.django_db

DRAFT = "rectification:plan_draft"
HAZARDS = "inspections:hazard_list"


@pytest.fixture
def found(checklist, district, personas):
    """Open hazards at premises_a (two) and shop_a (one) in grid A, and premises_b (two) in grid B."""
    gw = personas.grid_worker
    inspect(district.premises_a, actor=gw, fail=("SEP-01", "EXIT-03"))
    inspect(district.shop_a, actor=gw, fail=("ELEC-01",))
    inspect(district.premises_b, actor=personas.outsider, fail=("SEP-01", "EXIT-03"))
    return {
        name: list(Hazard.objects.filter(premises=premises).order_by("pk"))
        for name, premises in (
            ("a", district.premises_a),
            ("shop", district.shop_a),
            ("b", district.premises_b),
        )
    }


def ids(*hazards: Hazard) -> list[int]:
    return [h.pk for h in hazards]


def ticked_boxes(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'name="selected" value="(\d+)" form="bulk-form"[^>]*checked', html)}


def boxes(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'name="selected" value="(\d+)" form="bulk-form"', html)}


def nothing_changed() -> None:
    assert not Plan.objects.exists()
    assert not AuditEntry.objects.filter(content_type__model="plan").exists()


# --- the list offers ------------------------------------------------------------------------------------


def test_rectification_registers_the_action_on_the_hazard_list():
    assert DRAFT_PLAN in hazard_actions()


def test_only_open_hazards_without_a_plan_get_a_box(login, found, personas, district):
    a1, a2 = found["a"]
    Hazard.objects.filter(pk=a2.pk).update(status=HazardStatus.ACCEPTED)
    s.create_plan(district.shop_a, actor=personas.grid_worker)  # the shop's hazard is in a plan now
    response = login(personas.grid_worker).get(reverse(HAZARDS))
    assert_status(response, 200)
    html = response.content.decode()
    assert boxes(html) == {a1.pk}
    assert 'id="bulk-form"' in html and "起草整改方案" in html
    assert 'data-select-all="bulk-form"' in html


@pytest.mark.parametrize("persona", ["commander", "liaison"])
def test_roles_that_may_not_draft_plans_get_no_boxes(login, found, personas, persona):
    html = login(getattr(personas, persona)).get(reverse(HAZARDS)).content.decode()
    assert boxes(html) == set()
    assert 'id="bulk-form"' not in html


def test_ticks_named_in_the_query_are_kept_for_the_rows_that_can_take_them(login, found, personas):
    a1, a2 = found["a"]
    b1, _b2 = found["b"]
    query = f"?selected={a1.pk}&selected={a2.pk}&selected={b1.pk}&selected=x"
    html = login(personas.grid_worker).get(reverse(HAZARDS) + query).content.decode()
    assert ticked_boxes(html) == {a1.pk, a2.pk}  # grid B's hazard is not on the worker's list
    # The sort and page links do not carry the ticks along.
    assert "selected=" not in re.sub(r'name="next" value="[^"]*"', "", html)


# --- drafting -------------------------------------------------------------------------------------------


def test_ticked_hazards_become_a_draft_plan_and_the_user_lands_at_its_notice(login, found, personas):
    a1, a2 = found["a"]
    client = login(personas.grid_worker)
    response = client.post(reverse(DRAFT), {"selected": ids(a1, a2), "next": reverse(HAZARDS)})
    plan = Plan.objects.get()
    assert_status(response, 302)
    assert response["Location"] == plan.get_absolute_url()
    assert plan.state == PlanState.DRAFT and plan.premises_id == a1.premises_id
    assert set(plan.items.values_list("hazard_id", flat=True)) == {a1.pk, a2.pk}
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "已起草" in page
    # The notice move waits open on a draft plan: one click issues the notice.
    assert re.search(r'<details class="card move" id="move-notify" open>', page)


def test_htmx_draft_redirects_the_whole_page(login, found, personas):
    response = login(personas.grid_worker).post(
        reverse(DRAFT), {"selected": ids(*found["a"])}, HTTP_HX_REQUEST="true"
    )
    assert_status(response, 200)
    assert response["HX-Redirect"] == Plan.objects.get().get_absolute_url()


def test_draft_then_notice_issues_the_notice(login, found, personas):
    client = login(personas.grid_worker)
    client.post(reverse(DRAFT), {"selected": ids(*found["a"])})
    plan = Plan.objects.get()
    response = client.post(
        reverse("rectification:plan_move", args=[plan.pk]), {"move": "notify", "notify-version": plan.version}
    )
    assert_status(response, 302)
    plan.refresh_from_db()
    assert plan.state == PlanState.NOTIFIED
    assert plan.documents.filter(kind="notice").count() == 1


# --- tampered posts: a clear error each, nothing changed, the ticks kept -----------------------------------


def refused(client, hazard_ids, *, back=None):
    back = back or reverse(HAZARDS) + "?q=樟潭&page=1"
    response = client.post(reverse(DRAFT), {"selected": hazard_ids, "next": back})
    assert_status(response, 302)
    page = client.get(response["Location"])
    errors = [str(m) for m in page.context["messages"]]
    return response["Location"], errors


def test_a_hazard_outside_the_scope_is_refused(login, found, personas):
    a1, _ = found["a"]
    b1, _ = found["b"]
    location, errors = refused(login(personas.grid_worker), ids(a1, b1))
    assert errors == [f"编号为 {b1.pk} 的隐患不存在或不在您的管辖范围内。"]
    assert location.startswith(reverse(HAZARDS) + "?")
    assert f"selected={a1.pk}" in location and "q=" in location and "page=1" in location
    nothing_changed()


def test_a_closed_hazard_is_refused(login, found, personas):
    a1, a2 = found["a"]
    Hazard.objects.filter(pk=a2.pk).update(status=HazardStatus.VOID)
    _location, errors = refused(login(personas.grid_worker), ids(a1, a2))
    assert errors == [f"{a2}（已作废） 已不在待整改状态，不能纳入整改方案。"]
    nothing_changed()


def test_hazards_of_two_premises_are_refused_naming_both(login, found, personas, district):
    a1, _ = found["a"]
    (shop,) = found["shop"]
    location, errors = refused(login(personas.grid_worker), ids(a1, shop))
    assert len(errors) == 1
    assert "所选隐患分属 2 个出租户" in errors[0]
    assert str(district.premises_a) in errors[0] and str(district.shop_a) in errors[0]
    assert f"selected={a1.pk}" in location and f"selected={shop.pk}" in location
    nothing_changed()


def test_a_hazard_already_in_a_plan_is_refused(login, found, personas, district):
    a1, a2 = found["a"]
    plan = s.draft_plan([a1.pk], actor=personas.grid_worker)
    _location, errors = refused(login(personas.grid_worker), ids(a1, a2))
    assert errors == [f"{a1}（{plan}） 已在未结束的整改方案中，不能再起草。"]
    assert Plan.objects.count() == 1 and plan.items.count() == 1


def test_a_whole_building_hazard_is_refused(login, found, personas):
    a1, a2 = found["a"]
    Hazard.objects.filter(pk=a2.pk).update(premises=None)
    _location, errors = refused(login(personas.grid_worker), ids(a1, a2))
    assert len(errors) == 1 and "是整幢建筑的隐患" in errors[0] and a2.item.code in errors[0]
    nothing_changed()


def test_nothing_ticked_is_refused(login, found, personas):
    _location, errors = refused(login(personas.grid_worker), ["x"])
    assert errors == ["请至少选择一项隐患。"]
    nothing_changed()


def test_a_foreign_next_falls_back_to_the_hazard_list(login, found, personas):
    b1, _ = found["b"]
    location, _errors = refused(login(personas.grid_worker), ids(b1), back="https://evil.example/")
    assert location == f"{reverse(HAZARDS)}?selected={b1.pk}"


def test_htmx_refusal_answers_the_message_in_place(login, found, personas):
    a1, _ = found["a"]
    (shop,) = found["shop"]
    response = login(personas.grid_worker).post(
        reverse(DRAFT), {"selected": ids(a1, shop)}, HTTP_HX_REQUEST="true"
    )
    assert_status(response, 200)
    assert "HX-Redirect" not in response
    assert response.content.decode().startswith('<div class="errors" role="alert"><p>所选隐患分属 2 个出租户')
    nothing_changed()


@pytest.mark.parametrize("persona", ["commander", "liaison"])
def test_roles_that_may_not_draft_plans_get_403(login, found, personas, persona):
    response = login(getattr(personas, persona)).post(reverse(DRAFT), {"selected": ids(*found["a"])})
    assert_status(response, 403)
    nothing_changed()


def test_a_landlord_is_sent_to_the_portal_and_nothing_is_drafted(login, found, personas):
    response = login(personas.landlord).post(reverse(DRAFT), {"selected": ids(*found["a"])})
    assert response.status_code == 302 and response["Location"] == "/portal/"
    nothing_changed()


def test_anonymous_is_sent_to_login(client, found):
    response = client.post(reverse(DRAFT), {"selected": ids(*found["a"])})
    assert_status(response, 302)
    assert response["Location"].startswith(reverse("login"))
    nothing_changed()


def test_get_is_not_allowed(login, personas):
    assert_status(login(personas.grid_worker).get(reverse(DRAFT)), 405)


# --- the API: the same service ------------------------------------------------------------------------------


def test_api_drafts_a_plan_from_hazards_alone(found, personas):
    a1, a2 = found["a"]
    response = api_client(personas.grid_worker).post(url("plans"), {"hazards": ids(a1, a2)}, format="json")
    assert_status(response, 201)
    assert {i["hazard"] for i in response.data["items"]} == {a1.pk, a2.pk}
    assert response.data["premises"] == a1.premises_id and response.data["state"] == PlanState.DRAFT


def test_api_refuses_what_the_page_refuses(found, personas, district):
    client = api_client(personas.grid_worker)
    a1, a2 = found["a"]
    (shop,) = found["shop"]
    b1, _ = found["b"]
    two = client.post(url("plans"), {"hazards": ids(a1, shop)}, format="json")
    assert_status(two, 400)
    assert "所选隐患分属 2 个出租户" in two.data["hazards"][0]
    outside = client.post(url("plans"), {"hazards": ids(a1, b1)}, format="json")
    assert_status(outside, 400)
    assert set(outside.data) == {"hazards"}
    other = client.post(url("plans"), {"premises": district.shop_a.pk, "hazards": ids(a1)}, format="json")
    assert_status(other, 400)
    assert f"不属于出租户 {district.shop_a}" in other.data["hazards"][0]
    past = client.post(url("plans"), {"hazards": ids(a1), "deadline": in_days(-1)}, format="json")
    assert_status(past, 400)
    assert "deadline" in past.data
    officer = client.post(url("plans"), {"hazards": ids(a1), "officer": personas.outsider.pk}, format="json")
    assert_status(officer, 400)
    assert set(officer.data) == {"officer"}
    neither = client.post(url("plans"), {}, format="json")
    assert_status(neither, 400)
    assert set(neither.data) == {"premises"}
    Hazard.objects.filter(pk=a2.pk).update(status=HazardStatus.ACCEPTED)
    closed = client.post(url("plans"), {"hazards": ids(a2)}, format="json")
    assert_status(closed, 400)
    assert "已不在待整改状态" in closed.data["hazards"][0]
    nothing_changed()
    forbidden = api_client(personas.commander).post(url("plans"), {"hazards": ids(a1)}, format="json")
    assert_status(forbidden, 403)
    nothing_changed()
