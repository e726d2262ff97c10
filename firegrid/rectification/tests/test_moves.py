"""The one move dispatcher (`services.make_move`): the plan page and the API move a plan through it, so
a refusal reads the same on both."""

import pytest
from django.urls import reverse

from firegrid.api_testing import API, api_client
from firegrid.rectification import services as s
from firegrid.rectification.choices import MoveName, PlanState
from firegrid.rectification.machine import MOVES
from firegrid.rectification.models import Plan
from firegrid.rectification.testing import plan_with_hazards

pytestmark = pytest.mark.django_db

ILLEGAL_START = "方案当前状态为“草稿”，不能开始整改。当前可以：送达通知、撤销。"


def page_move(client, plan, name, **fields):
    """POST a move as the plan page's form does."""
    data = {"move": name, f"{name}-version": Plan.objects.get(pk=plan.pk).version}
    data.update({f"{name}-{key}": value for key, value in fields.items()})
    return client.post(reverse("rectification:plan_move", args=[plan.pk]), data)


def api_move(user, plan, name, **body):
    body.setdefault("version", Plan.objects.get(pk=plan.pk).version)
    return api_client(user).post(f"{API}/plans/{plan.pk}/moves/", {"move": name, **body}, format="json")


def test_every_move_a_person_asks_for_has_its_service():
    # Marking overdue is the nightly run's; every other move of the table is served by the dispatcher.
    assert set(s.MOVE_SERVICES) == set(MOVES) - {MoveName.MARK_OVERDUE}


def test_an_illegal_move_reads_the_same_on_the_page_and_in_the_api(login, checklist, district, personas):
    officer = personas.community_officer
    plan = plan_with_hazards(district.premises_a, actor=personas.grid_worker)
    page = page_move(login(officer), plan, "start")
    assert page.status_code == 400
    assert page.context["page_errors"] == [ILLEGAL_START]
    api = api_move(officer, plan, "start")
    assert api.status_code == 400
    assert api.data == {"move": [ILLEGAL_START]}
    stored = Plan.objects.get(pk=plan.pk)
    assert (stored.state, stored.version) == (PlanState.DRAFT, plan.version)


def test_the_page_and_the_api_both_move_through_the_dispatcher(
    monkeypatch, login, checklist, district, personas
):
    calls = []
    make_move = s.make_move

    def spy(plan, move_name, **kwargs):
        calls.append((MoveName(move_name), kwargs["expected_version"]))
        return make_move(plan, move_name, **kwargs)

    monkeypatch.setattr(s, "make_move", spy)
    gw = personas.grid_worker
    plan = plan_with_hazards(district.premises_a, actor=gw)
    assert page_move(login(gw), plan, "notify").status_code == 302
    notified = Plan.objects.get(pk=plan.pk)
    assert api_move(gw, plan, "start").status_code == 200
    assert calls == [(MoveName.NOTIFY, plan.version), (MoveName.START, notified.version)]
    assert Plan.objects.get(pk=plan.pk).state == PlanState.RECTIFYING


def test_a_stale_version_is_a_conflict_on_the_page_and_in_the_api(login, checklist, district, personas):
    gw = personas.grid_worker
    plan = plan_with_hazards(district.premises_a, actor=gw)
    read = plan.version
    s.update_plan(plan, {"note": "先电话联系"}, actor=gw, expected_version=read)
    page = login(gw).post(
        reverse("rectification:plan_move", args=[plan.pk]), {"move": "notify", "notify-version": read}
    )
    assert page.status_code == 409
    api = api_move(gw, plan, "notify", version=read)
    assert api.status_code == 409 and set(api.data) == {"version"}
    assert Plan.objects.get(pk=plan.pk).state == PlanState.DRAFT
