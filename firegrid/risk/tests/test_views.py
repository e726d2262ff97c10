"""Risk pages: the due list (anonymous → 403 → allowed, scope, order, export), the 长效管理 figures whose
every number equals the count of the list it opens, and the grade box on the premises page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from firegrid import testing as t
from firegrid.conftest import assert_status
from firegrid.inspections.choices import InspectionStatus, VisitOutcome
from firegrid.inspections.models import Inspection
from firegrid.inspections.services import default_template
from firegrid.rectification.testing import inspect
from firegrid.risk import services
from firegrid.risk.figures import CHANGE_DRILL_DOWNS, DRILL_DOWNS, figure_rows
from firegrid.risk.models import GradeChange

pytestmark = pytest.mark.django_db

LIST = reverse("risk:premisesgrade_list")
FIGURES = reverse("dashboards:longterm")
CHANGES = reverse("risk:gradechange_list")


def covered(premises, days_ago: int) -> None:
    """A covering visit `days_ago`, written as a scene (no hazards)."""
    when = timezone.now() - dt.timedelta(days=days_ago)
    Inspection.objects.create(
        premises=premises,
        building=premises.building,
        template=default_template(),
        status=InspectionStatus.SUBMITTED,
        outcome=VisitOutcome.VACANT,
        started_at=when,
        submitted_at=when,
    )


@pytest.fixture
def scene(district, personas):
    d = district
    extra = t.make_premises(d.building_a, d.landlord_a, unit_label="3楼", is_shared_rental=True)
    t.make_room(extra, "301", occupants=6)  # crowded: 6 people in 15 m²
    inspect(d.premises_a, actor=personas.grid_worker, fail=("SEP-01", "SEP-06"))  # red, due in 30 days
    covered(d.shop_a, 400)  # green by weight, long overdue
    covered(extra, 95)  # crowded shared rental inspected 95 days ago: yellow, overdue by 5 days
    services.recompute_grades(
        [d.premises_a.pk, d.shop_a.pk, d.premises_b.pk, extra.pk], cause="command", now=timezone.now()
    )
    d.extra = extra
    return d


def test_anonymous_is_sent_to_sign_in_and_a_unit_liaison_gets_403(scene, personas, client, login):
    assert client.get(LIST).status_code == 302
    assert client.get(FIGURES).status_code == 302
    assert_status(login(personas.liaison).get(LIST), 403)
    assert_status(login(personas.liaison).get(FIGURES), 403)


def test_due_list_shows_the_grid_workers_premises_red_first_and_links_to_the_premises_page(
    scene, personas, login
):
    response = login(personas.grid_worker).get(LIST)
    assert_status(response, 200)
    rows = [obj.pk for obj, *_rest in response.context["rows"]]
    assert rows == [scene.premises_a.pk, scene.extra.pk, scene.shop_a.pk]
    html = response.content.decode()
    assert reverse("registry:premises_detail", args=[scene.premises_a.pk]) in html
    assert "2 项红线隐患未消除" in html
    assert scene.premises_b.building.address not in html


def test_outsider_sees_only_their_grid(scene, personas, login):
    response = login(personas.outsider).get(LIST)
    assert [obj.pk for obj, *_rest in response.context["rows"]] == [scene.premises_b.pk]


def test_due_list_exports_xlsx(scene, personas, login):
    response = login(personas.community_officer).get(LIST, {"export": "xlsx", "due": "overdue"})
    assert_status(response, 200)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def _change(premises, old: str, new: str, days_ago: int) -> GradeChange:
    first = GradeChange.objects.filter(premises=premises).first()
    assert first is not None
    return GradeChange.objects.create(
        premises=premises,
        old_grade=old,
        new_grade=new,
        score=0,
        rule_set=first.rule_set,
        computed_at=timezone.now() - dt.timedelta(days=days_ago),
        cause="nightly",
    )


def test_every_figure_equals_the_count_of_the_list_it_opens(scene, personas, login):
    _change(scene.premises_a, "green", "red", 3)  # worse, in the window
    _change(scene.shop_a, "yellow", "green", 29)  # better, in the window (29 days ago: day 30 of 30)
    _change(scene.extra, "green", "yellow", 45)  # worse, before the window
    officer = personas.subdistrict_officer
    client = login(officer)
    rows = figure_rows(officer)
    assert rows[0].area == scene.s1
    checked = 0
    for row in rows:
        for key in [*DRILL_DOWNS, *CHANGE_DRILL_DOWNS]:
            listed = client.get(row.links[key]).context["paginator"].count
            assert listed == row.figures.get(key, 0), (row.area.name, key)
            checked += listed
    assert checked > 0
    total = rows[0].figures
    assert (total["graded"], total["red"], total["yellow"], total["green"]) == (3, 1, 1, 1)
    assert (total["overdue"], total["never"]) == (2, 0)
    assert (total["worse"], total["better"]) == (1, 1)


def test_the_longterm_page_shows_the_grade_figures_with_their_links(scene, personas, login):
    response = login(personas.subdistrict_officer).get(FIGURES)
    assert_status(response, 200)
    html = response.content.decode()
    grades = next(s for s in response.context["sections"] if s.key == "grades")
    total = grades.rows[0]
    assert total.area == scene.s1
    for column, _value, link in total.cells:
        assert link and link.replace("&", "&amp;") in html, column.key
    assert [value for _c, value, _l in total.cells][:4] == [3, 1, 1, 1]


def test_grade_change_rows_open_the_premises_page(scene, personas, login):
    change = _change(scene.premises_a, "green", "red", 1)
    response = login(personas.grid_worker).get(CHANGES, {"direction": "worse"})
    assert_status(response, 200)
    assert [obj.pk for obj, *_rest in response.context["rows"]] == [change.pk]
    assert reverse("registry:premises_detail", args=[scene.premises_a.pk]) in response.content.decode()
    assert login(personas.liaison).get(CHANGES).status_code == 403


def test_premises_page_shows_the_grade_with_reasons_and_history(scene, personas, login):
    url = reverse("registry:premises_detail", args=[scene.premises_a.pk])
    html = login(personas.grid_worker).get(url).content.decode()
    assert "风险等级" in html and "2 项红线隐患未消除" in html and "等级变化" in html
    # A landlord is sent to the portal's page of the premises, which shows the grade and why.
    landlord = login(personas.landlord).get(url, follow=True)
    assert landlord.redirect_chain == [(f"/portal/premises/{scene.premises_a.pk}/", 302)]
    assert "2 项红线隐患未消除" in landlord.content.decode()


def test_premises_page_has_no_grade_box_for_a_unit_liaison(scene, personas, login):
    url = reverse("registry:premises_detail", args=[scene.premises_a.pk])
    response = login(personas.liaison).get(url)
    assert_status(response, 200)
    assert "risk-grade" not in response.content.decode()
