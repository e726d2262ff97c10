"""End to end at a 360 px phone viewport: a grid worker walks a night patrol — starts it, checks in at
the route's first building with the camera (its plate's QR code) and at the next by its plate number (the
camera's fallback), checks in at a building off the route (recorded and flagged, not refused), finishes —
and the community officer finds the flag to look at, never a penalty."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from firegrid import testing as t
from firegrid.browser import ARTIFACTS
from firegrid.longterm.tests.scene import FAKE_CAMERA
from firegrid.patrols import services
from firegrid.patrols.choices import FlagKind, PatrolKind, PatrolStatus, TeamKind
from firegrid.patrols.models import FabricationFlag, Patrol, PatrolScan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grid_worker_walks_a_patrol_on_the_phone(page_for, live_server, district, personas):
    d = district
    second = t.make_building(d.grid_a, "樟潭街道樟树潭村14号")
    off_route = t.make_building(d.grid_a, "樟潭街道樟树潭村30号")
    team = services.create_team(
        name="樟树潭一网格巡查组",
        kind=TeamKind.GRID_WORKERS,
        area=d.grid_a,
        members=[personas.grid_worker],
        actor=personas.community_officer,
    )
    now = timezone.now()
    patrol = services.plan_patrol(
        team=team,
        kind=PatrolKind.NIGHT,
        window_start=now - dt.timedelta(minutes=30),
        window_end=now + dt.timedelta(hours=3),
        buildings=[d.building_a, second],
        actor=personas.community_officer,
    )

    page = page_for(personas.grid_worker, phone=True)
    page.add_init_script(FAKE_CAMERA.replace("CODE", f"{live_server.url}/patrols/b/{d.building_a.pk}/"))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/patrols/mine/")
    page.click(f"a[href$='/patrols/{patrol.pk}/run/']")
    page.click("button:has-text('开始巡查')")
    expect(page.locator("[data-progress]")).to_contain_text("0 / 2")
    # The camera reads the first building's plate (scan.js); the scan is sent with the form.
    page.click("[data-scan-start]")
    expect(page.locator(f".patrol-stop.scanned[data-building='{d.building_a.pk}']")).to_have_count(1)
    expect(page.locator("[data-progress]")).to_contain_text("1 / 2")
    for building in (second, off_route):
        page.fill("#scan-code", str(building.pk))
        page.click("[data-scan-form] button:not([data-scan-start])")
        expect(page.locator(f".patrol-stop.scanned[data-building='{building.pk}']")).to_have_count(1)
    expect(page.locator("[data-progress]")).to_contain_text("2 / 2")
    expect(page.locator(".patrol-route.off")).to_contain_text("30号")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "patrol-phone.png"), full_page=True)
    page.click("button:has-text('结束巡查')")
    expect(page.locator(".patrol-meta .tag")).to_contain_text("已完成")
    assert errors == []

    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.FINISHED
    assert PatrolScan.objects.filter(patrol=patrol).count() == 3
    flag = FabricationFlag.objects.get(kind=FlagKind.OFF_ROUTE)
    assert flag.user == personas.grid_worker

    # The community officer sees the flag to look at; the worker's peers and the worker do not.
    officer = page_for(personas.community_officer)
    officer.goto(f"{live_server.url}/patrols/flags/?status=open")
    expect(officer.locator("body")).to_contain_text("路线外打卡")
    assert Patrol.objects.get().participants.filter(pk=personas.grid_worker.pk).exists()
