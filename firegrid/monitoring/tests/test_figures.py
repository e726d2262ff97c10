"""Each monitoring figure equals the count of the list it links to."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from firegrid.api_testing import api_client
from firegrid.monitoring import services
from firegrid.monitoring.choices import CaseOutcome
from firegrid.monitoring.figures import figure_rows

from .scene import make_case, make_device

pytestmark = pytest.mark.django_db


def api_count(user, link: str) -> int:
    path, _, query = link.partition("?")
    api_path = "/api/v1/devices/" if "/devices/" in path else "/api/v1/alert-cases/"
    response = api_client(user).get(f"{api_path}?{query}")
    assert response.status_code == 200, response.data
    return response.data["count"]


def test_every_count_equals_its_list(monitoring_scene, personas, login):
    s = monitoring_scene
    worker = personas.grid_worker
    services.acknowledge_case(s.case_a, actor=worker)
    services.close_case(s.case_a, outcome=CaseOutcome.FALSE_ALARM, note="误报", actor=worker)
    second = make_case(make_device(s.d.shop_a))
    services.visit_case(second, actor=worker)
    make_device(s.d.premises_a)  # offline: never heard from
    user = personas.subdistrict_officer
    rows = figure_rows(user)
    assert [row.area.name for row in rows] == ["樟潭街道", "樟树潭社区"]
    top = rows[0]
    assert top.figures["devices_offline"] == 3
    assert top.figures["cases_open"] == 1
    assert top.figures["cases"] == 2
    assert top.figures[f"outcome_{CaseOutcome.FALSE_ALARM}"] == 1
    assert top.medians["ack"] is not None and top.medians["close"] is not None
    for row in rows:
        links = row.links
        for key in ("devices_offline", "cases_open", "cases", "acknowledged", "closed"):
            assert api_count(user, links[key]) == row.figures.get(key, 0), key
        for label, n, link in row.outcome_cells:
            assert api_count(user, link) == n, label
    # The web list says the same count.
    page = login(user).get(top.links["acknowledged"])
    assert page.status_code == 200


def test_the_figures_are_the_viewers_scope_only(monitoring_scene, personas):
    rows = figure_rows(personas.outsider)
    assert [r.area.name for r in rows] == ["浮石一网格"]
    assert rows[0].figures["cases_open"] == 1


def test_a_window_leaves_older_cases_out(monitoring_scene, personas):
    old = timezone.now() - dt.timedelta(days=60)
    make_case(make_device(monitoring_scene.d.premises_a), at=old)
    rows = figure_rows(personas.grid_worker)
    assert rows[0].figures["cases"] == 1
    assert rows[0].figures["cases_open"] == 2
