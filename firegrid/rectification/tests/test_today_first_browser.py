"""The plan list in Chromium at 1440×900: the landlord's recheck request is the first row with its badge,
the sort control beside the count names the default (待办优先（默认）), and choosing another order from it
reloads the rows (htmx) in that order, the control keeping the choice. Screenshot to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from firegrid.browser import ARTIFACTS
from firegrid.core.ordering import TODO_FIRST_LABEL

from .test_today_first import BADGE, worklist  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_plan_list_opens_on_the_recheck_request_and_sorts_from_its_control(
    worklist,  # noqa: F811
    personas,
    page_for,
    live_server,
):
    page = page_for(personas.grid_worker)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}{reverse('rectification:plan_list')}")

    first_row = page.locator("#list-results tbody tr").first
    expect(first_row.locator(".todo-badge")).to_have_text(BADGE)
    expect(first_row).to_contain_text("3楼")
    control = page.locator("#list-results .sort-control select")
    expect(control.locator("option:checked")).to_have_text(str(TODO_FIRST_LABEL))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plan-list-today-first.png"), full_page=True)

    control.select_option("deadline")
    expect(page).to_have_url(re.compile(r"[?&]sort=deadline(&|$)"))
    expect(page.locator("#list-results tbody tr").first).to_contain_text("4楼")  # the 2019 plan
    expect(page.locator("#list-results .sort-control select option:checked")).to_have_text("整改期限")
    # The search keeps the chosen order: the control belongs to the search form.
    page.fill("#search-form input[name=q]", "樟树潭")
    page.click("#search-form button[type=submit]")
    expect(page).to_have_url(
        re.compile(r"[?&]q=%E6%A8%9F.*[?&]sort=deadline(&|$)|[?&]sort=deadline.*q=%E6%A8%9F")
    )
    expect(page.locator("#list-results tbody tr").first).to_contain_text("4楼")
