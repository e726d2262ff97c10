"""Points pages: the entry list, the landlords' totals, a landlord's ledger and the manual entry form (each
walked anonymous → outsider 404 → 403 → allowed), the year-end evaluation page with its compute and
confirm buttons and certificate links, and the figures whose every number equals the list it opens."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from firegrid import testing as t
from firegrid.conftest import PORTAL, assert_status
from firegrid.points import evaluation, services
from firegrid.points.choices import PointsRule
from firegrid.points.figures import DRILL_DOWNS, figure_rows
from firegrid.points.models import Nomination, PointsEntry, YearEndEvaluation
from firegrid.registry.choices import PremisesKind

from .scene import TODAY, YEAR, give

pytestmark = pytest.mark.django_db

ENTRIES = reverse("points:pointsentry_list")
TOTALS = reverse("points:landlord_totals")


@pytest.fixture
def scene(district):
    d = district
    d.minus = give(d.landlord_a, -20, rule=PointsRule.ENFORCEMENT, reason="逾期不整改，转入执法")
    d.plus = give(d.landlord_b, 15, rule=PointsRule.PATROL_PARTICIPATION, reason="参加巡查")
    d.landlord_c = t.make_landlord("陈中", area=d.grid_a2)
    t.make_premises(t.make_building(d.grid_a2), d.landlord_c)
    give(d.landlord_c, 3, rule=PointsRule.TRAINING_ATTENDANCE, reason="参加消防培训")
    return d


def listed(response) -> list:
    assert_status(response, 200)
    return list(response.context["object_list"])


def test_anonymous_is_sent_to_sign_in(scene, client):
    for url in (
        ENTRIES,
        TOTALS,
        reverse("points:landlord_points", args=[scene.landlord_a.pk]),
        reverse("points:manual_entry", args=[scene.landlord_a.pk]),
        reverse("points:evaluation", args=[YEAR]),
        reverse("points:nomination_list"),
    ):
        assert client.get(url).status_code == 302, url


def test_entry_list_shows_the_scope_filters_exports_and_opens_the_source(scene, personas, login):
    assert {e.landlord_id for e in listed(login(personas.grid_worker).get(ENTRIES))} == {scene.landlord_a.pk}
    client = login(personas.community_officer)
    rows = listed(client.get(ENTRIES))
    assert {e.landlord_id for e in rows} == {scene.landlord_a.pk, scene.landlord_c.pk}
    assert [e.pk for e in listed(client.get(ENTRIES, {"sign": "minus"}))] == [scene.minus.pk]
    assert (
        listed(client.get(ENTRIES, {"rule": PointsRule.TRAINING_ATTENDANCE}))[0].landlord == scene.landlord_c
    )
    assert len(listed(login(personas.outsider).get(ENTRIES))) == 1
    export = client.get(ENTRIES, {"export": "xlsx"})
    assert_status(export, 200)
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 3 and -20 in values[1] + values[2]
    # A row opens what caused the entry (here none: the landlord's ledger).
    source = reverse("points:entry_source", args=[scene.minus.pk])
    assert source in client.get(ENTRIES).content.decode()
    assert client.get(source)["Location"] == reverse("points:landlord_points", args=[scene.landlord_a.pk])
    PointsEntry.objects.filter(pk=scene.minus.pk).update(source_url="/rectification/plans/1/")
    assert client.get(source)["Location"] == "/rectification/plans/1/"
    assert_status(login(personas.outsider).get(source), 404)


def test_totals_rank_the_landlords_in_scope_by_the_years_points(scene, personas, login):
    client = login(personas.community_officer)
    rows = listed(client.get(TOTALS))
    assert [(r.name, r.points, r.place) for r in rows] == [("陈中", 103, 1), ("张建国", 80, 2)]
    assert [r.name for r in listed(client.get(TOTALS, {"band": "poor"}))] == ["张建国"]
    assert [r.name for r in listed(client.get(TOTALS, {"area": scene.grid_a2.pk}))] == ["陈中"]
    assert [r.name for r in listed(client.get(TOTALS, {"award": "shop"}))] == ["张建国"]
    assert [r.points for r in listed(client.get(TOTALS, {"year": YEAR - 1}))] == [100, 100]
    everyone = listed(login(personas.commander).get(TOTALS))
    assert [(r.name, r.place) for r in everyone] == [("李秀英", 1), ("陈中", 2), ("张建国", 3)]
    export = client.get(TOTALS, {"export": "xlsx"})
    assert_status(export, 200)
    # A landlord's points are on the portal's page: the staff ranking sends them there.
    assert login(personas.landlord).get(TOTALS, {"export": "xlsx"})["Location"] == "/portal/points/"
    page = client.get(TOTALS).content.decode()
    assert reverse("points:landlord_points", args=[scene.landlord_a.pk]) in page


def test_a_landlords_ledger_shows_each_entry_with_its_reason(scene, personas, login):
    url = reverse("points:landlord_points", args=[scene.landlord_a.pk])
    officer = login(personas.community_officer).get(url)
    assert_status(officer, 200)
    page = officer.content.decode()
    assert "逾期不整改，转入执法" in page and "-20" in page and "80" in page
    assert reverse("points:manual_entry", args=[scene.landlord_a.pk]) in page
    assert f"?corrects={scene.minus.pk}" in page
    liaison = login(personas.liaison).get(url)
    assert_status(liaison, 200)
    assert reverse("points:manual_entry", args=[scene.landlord_a.pk]) not in liaison.content.decode()
    assert_status(login(personas.outsider).get(url), 404)
    assert_status(
        login(personas.liaison).get(reverse("points:landlord_points", args=[scene.landlord_b.pk])), 404
    )


def test_the_manual_entry_form_adds_an_entry_for_officers_in_scope(scene, personas, login):
    url = reverse("points:manual_entry", args=[scene.landlord_a.pk])
    client = login(personas.community_officer)
    page = client.get(url)
    assert_status(page, 200)
    assert "style=" not in page.content.decode() and "<script>" not in page.content.decode()
    response = client.post(
        url, {"rule": PointsRule.TRAINING_ATTENDANCE, "occurred_on": TODAY, "note": "消防培训"}
    )
    assert_status(response, 302)
    entry = PointsEntry.objects.get(rule=PointsRule.TRAINING_ATTENDANCE, landlord=scene.landlord_a)
    assert (entry.amount, entry.created_by) == (2, personas.community_officer)
    # A correction from the ledger's button: the entry it corrects is carried along.
    form = client.get(url, {"corrects": scene.minus.pk})
    assert "逾期不整改，转入执法" in form.content.decode()
    refused = client.post(
        url, {"rule": PointsRule.CORRECTION, "occurred_on": TODAY, "corrects": scene.minus.pk}
    )
    assert_status(refused, 200)
    assert list(refused.context["form"].errors) == ["note"]
    done = client.post(
        url,
        {
            "rule": PointsRule.CORRECTION,
            "occurred_on": TODAY,
            "corrects": scene.minus.pk,
            "amount": 20,
            "note": "撤销",
        },
    )
    assert_status(done, 302)
    assert PointsEntry.objects.get(rule=PointsRule.CORRECTION).source == scene.minus
    assert services.landlord_points(scene.landlord_a, YEAR) == 102


def test_the_manual_entry_form_is_404_outside_the_scope_and_403_without_the_right(scene, personas, login):
    url = reverse("points:manual_entry", args=[scene.landlord_a.pk])
    assert_status(login(personas.grid_worker).get(url), 403)
    assert_status(login(personas.grid_worker).post(url, {"rule": "training_attendance", "note": "x"}), 403)
    assert_status(login(personas.outsider).get(url), 404)
    other = reverse("points:manual_entry", args=[scene.landlord_b.pk])
    assert_status(
        login(personas.subdistrict_officer).post(other, {"rule": "training_attendance", "note": "x"}), 404
    )
    assert not PointsEntry.objects.filter(created_by__isnull=False).exists()


def test_the_evaluation_page_computes_confirms_and_links_the_certificates(scene, personas, login):
    draft = services.create_rule_set_draft(services.default_rule_set(), code="points-v", actor=personas.admin)
    services.update_rule_set_parameters(
        draft,
        {"nominations": {"family_min_points": 101, "family_max_share_percent": 100}},
        actor=personas.admin,
    )
    services.publish_rule_set(draft, actor=personas.admin)
    url = reverse("points:evaluation", args=[YEAR])
    commander = login(personas.commander)
    first = commander.get(url).content.decode()
    assert reverse("points:evaluation_compute", args=[YEAR]) in first
    worker = login(personas.grid_worker)
    assert_status(worker.post(reverse("points:evaluation_compute", args=[YEAR])), 403)
    assert_status(commander.post(reverse("points:evaluation_compute", args=[YEAR])), 302)
    page = commander.get(url)
    assert "李秀英" in page.content.decode() and "陈中" in page.content.decode()
    assert reverse("points:evaluation_confirm", args=[YEAR]) in page.content.decode()
    # A grid worker sees the landlords of their grid only, and no buttons.
    seen = worker.get(url).content.decode()
    assert "陈中" not in seen and "李秀英" not in seen
    assert reverse("points:evaluation_confirm", args=[YEAR]) not in seen
    version = YearEndEvaluation.objects.get().version
    assert_status(worker.post(reverse("points:evaluation_confirm", args=[YEAR]), {"version": version}), 403)
    assert_status(
        commander.post(reverse("points:evaluation_confirm", args=[YEAR]), {"version": version}), 302
    )
    nomination = Nomination.objects.get(landlord=scene.landlord_b)
    certificate = reverse("points:certificate_pdf", args=[nomination.pk])
    assert certificate in commander.get(url).content.decode()
    pdf = commander.get(certificate)
    assert_status(pdf, 200)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert_status(worker.get(certificate), 404)
    assert_status(login(personas.landlord).get(url), PORTAL)
    nominees = listed(commander.get(reverse("points:nomination_list"), {"year": YEAR}))
    assert {n.landlord.name for n in nominees} == {"李秀英", "陈中"}


def test_every_figure_equals_the_count_of_the_list_it_opens(scene, personas, login):
    t.make_premises(t.make_building(scene.grid_a2), scene.landlord_a, kind=PremisesKind.SHOP)
    ev = evaluation.evaluate(YEAR, actor=personas.commander)
    YearEndEvaluation.objects.filter(pk=ev.pk).update(
        rows=[{**row, "nominated": True} for row in ev.rows]
        + [
            {
                "award": "family",
                "landlord": scene.landlord_c.pk,
                "name": "陈中",
                "points": 103,
                "rank": 1,
                "nominated": True,
            }
        ]
    )
    evaluation.confirm_evaluation(YearEndEvaluation.objects.get(), actor=personas.commander)
    for persona in ("subdistrict_officer", "commander"):
        user = getattr(personas, persona)
        client = login(user)
        rows = figure_rows(user)
        checked = 0
        for row in rows:
            for key in DRILL_DOWNS:
                count = client.get(row.links[key]).context["paginator"].count
                assert count == row.figures[key], (persona, row.area.name, key)
                checked += count
        assert checked > 0
    total = figure_rows(personas.subdistrict_officer)[0].figures
    assert total == {"landlords": 2, "poor": 1, "middle": 1, "good": 0, "nominated": 1}
    district = figure_rows(personas.commander)[0].figures
    assert (district["landlords"], district["good"]) == (3, 1)


def test_the_menu_offers_the_points_pages_to_staff_not_landlords(scene, personas, login):
    page = login(personas.grid_worker).get(reverse("pages:home")).content.decode()
    assert TOTALS in page and ENTRIES in page
    assert TOTALS not in login(personas.landlord).get(reverse("pages:home")).content.decode()


def test_the_lists_query_count_does_not_grow_with_rows(scene, personas, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(personas.community_officer)

    def measure(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert_status(client.get(url), 200)
        return len(queries)

    before = {url: measure(url) for url in (TOTALS, ENTRIES)}
    building = t.make_building(scene.grid_a)
    for i in range(10):
        landlord = t.make_landlord(area=scene.grid_a)
        t.make_premises(building, landlord)
        give(landlord, i - 5 or 1, premises=None)
    assert {url: measure(url) for url in (TOTALS, ENTRIES)} == before
