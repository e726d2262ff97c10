"""The 长效管理 page: every part's table, who sees which, and every figure on it opening a list of that
many rows (each part tests its own figures; this tests the page that assembles them)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from firegrid.conftest import assert_status

pytestmark = pytest.mark.django_db

PAGE = reverse("dashboards:longterm")


def _sections(response) -> dict[str, object]:
    return {section.key: section for section in response.context["sections"]}


@pytest.mark.parametrize("who", ["commander", "subdistrict_officer", "community_officer", "grid_worker"])
def test_every_figure_on_the_page_opens_a_list_of_that_many(graded, personas, login, who):
    client = login(getattr(personas, who))
    response = client.get(PAGE)
    assert_status(response, 200)
    checked = 0
    for section in response.context["sections"]:
        for row in section.rows:
            for column, value, link in row.cells:
                if column.rate_of is not None:
                    assert not link
                    continue
                listed = client.get(link)
                assert_status(listed, 200)
                assert listed.context["paginator"].count == value, (section.key, row.area.name, column.key)
                checked += 1
    assert checked > 20


def test_who_sees_which_parts(graded, personas, login):
    commander = _sections(login(personas.commander).get(PAGE))
    assert list(commander) == [
        "grades",
        "due",
        "self_inspection",
        "verification",
        "patrols",
        "flags",
        "points",
    ]
    worker = _sections(login(personas.grid_worker).get(PAGE))
    assert "flags" not in worker and "grades" in worker  # fabrication hints are for supervisors
    for user in (personas.liaison, personas.landlord):
        assert login(user).get(PAGE).status_code in (403, 302)


def test_an_area_outside_the_scope_is_404_and_a_child_area_drills_down(graded, personas, login):
    client = login(personas.subdistrict_officer)
    assert_status(client.get(PAGE, {"area": graded.c2.pk}), 404)
    rows = _sections(client.get(PAGE, {"area": graded.c1.pk}))["grades"].rows
    assert [r.area for r in rows] == [graded.c1, graded.grid_a, graded.grid_a2]
    rate = next(cell for cell in rows[0].cells if cell[0].key == "worse")
    assert rate[1] == 0
