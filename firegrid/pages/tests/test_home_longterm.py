"""The home page's 长效管理 strip: each figure is its scope's total and opens a list of that many rows."""

from __future__ import annotations

import pytest

from firegrid.conftest import assert_status

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["commander", "subdistrict_officer", "grid_worker"])
def test_every_longterm_figure_on_the_home_page_opens_a_list_of_that_many(graded, personas, login, who):
    client = login(getattr(personas, who))
    response = client.get("/")
    assert_status(response, 200)
    figures = response.context["longterm_figures"]
    keys = [column.key for column, _v, _l in figures]
    assert keys[:4] == ["red", "overdue", "today", "worse"]
    assert ("flags_open" in keys) == (who != "grid_worker")  # fabrication hints are for supervisors
    for column, value, link in figures:
        assert client.get(link).context["paginator"].count == value, column.key
    red = figures[0][1]
    assert red == 1  # premises_a, in every one of these scopes


def test_no_strip_for_a_landlord_or_a_liaison(graded, personas, login):
    for user in (personas.landlord, personas.liaison):
        response = login(user).get("/", follow=True)
        assert not response.context.get("longterm_figures")
