"""Offline drafts (stairwells, basements): at a 360 px phone viewport with the network cut, answers stay
in the browser, marked 已离线保存 · 等待同步, and reach the server when the connection returns — also
after the page was reloaded while offline; a submit made offline is queued and sent once."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from firegrid.browser import ARTIFACTS, reopen_offline
from firegrid.inspections.models import Answer, Hazard, Inspection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAITING = "已离线保存 · 等待同步"


def open_checklist(page_for, live_server, district, personas):
    page = page_for(personas.grid_worker, phone=True)
    page.goto(f"{live_server.url}/registry/premises/{district.premises_a.pk}/")
    page.click("button:has-text('开始检查')")
    page.wait_for_selector("form.checklist[data-offline-ready]")
    return page, Inspection.objects.get()


def go_offline(page) -> None:
    """Cut the network, and wait until the page itself knows (the change reaches it asynchronously)."""
    page.context.set_offline(True)
    # Polled from Python: Playwright's wait_for_function evaluates its predicate with eval in the page,
    # which the site's Content-Security-Policy (script-src 'self') refuses.
    for _ in range(100):
        if page.evaluate("navigator.onLine") is False:
            return
        page.wait_for_timeout(50)
    raise AssertionError("the page never saw the network go")


def status(page) -> str:
    return page.locator("#autosave").inner_text().strip()


def wait_for_answers(page, inspection, expected: dict[str, str]) -> dict[str, Answer]:
    """Wait until the page says it saved, then read the server's answers."""
    page.wait_for_selector("#autosave .autosave.ok")
    answers = {a.item.code: a for a in Answer.objects.filter(inspection=inspection).select_related("item")}
    assert {code: answers[code].result for code in expected if code in answers} == expected
    return answers


def stored_copies(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('firegrid.checklist.')).sort()")


def test_answers_typed_offline_are_sent_when_the_network_returns(
    page_for, live_server, district, personas, checklist
):
    page, inspection = open_checklist(page_for, live_server, district, personas)
    go_offline(page)
    page.click("#item-ELEC-01 .result-fail")
    page.fill("input[name=note-ELEC-01]", "楼道飞线")
    page.click("#item-MGMT-03 .result-pass")
    expect(page.locator("#autosave")).to_contain_text(WAITING)
    assert not Answer.objects.filter(inspection=inspection).exists()
    assert stored_copies(page) == [f"firegrid.checklist.{inspection.pk}.{inspection.version}"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inspection-checklist-offline-phone.png"))

    page.context.set_offline(False)  # the `online` event sends the copy
    answers = wait_for_answers(page, inspection, {"ELEC-01": "fail", "MGMT-03": "pass"})
    assert answers["ELEC-01"].note == "楼道飞线"
    assert "已自动保存" in status(page)


def test_a_reload_while_offline_loses_nothing(page_for, live_server, district, personas, checklist):
    page, inspection = open_checklist(page_for, live_server, district, personas)
    url = page.url
    go_offline(page)
    page.click("#item-ELEC-01 .result-fail")
    page.fill("input[name=note-ELEC-01]", "插座烧焦")
    page.click("#item-MGMT-03 .result-na")
    expect(page.locator("#autosave")).to_contain_text(WAITING)
    page = reopen_offline(page, url)  # the checklist is gone from the screen
    assert not Answer.objects.filter(inspection=inspection).exists()

    page.context.set_offline(False)
    page.goto(url)  # the server's page has no answers yet; the browser's copy fills it in and sends it
    page.wait_for_selector("form.checklist[data-offline-ready]")
    assert page.is_checked("#item-ELEC-01 input[value=fail]")
    assert page.input_value("input[name=note-ELEC-01]") == "插座烧焦"
    answers = wait_for_answers(page, inspection, {"ELEC-01": "fail", "MGMT-03": "na"})
    assert answers["ELEC-01"].note == "插座烧焦"

    # Saved: a later visit shows the server's answers and keeps no pending copy.
    page.reload()
    page.wait_for_selector("form.checklist[data-offline-ready]")
    assert page.is_checked("#item-ELEC-01 input[value=fail]")
    assert (
        page.evaluate(
            f"JSON.parse(localStorage.getItem('firegrid.checklist.{inspection.pk}.{inspection.version}')).pending"
        )
        is False
    )


def answer_everything_offline(page):
    go_offline(page)
    page.eval_on_selector_all("input[type=radio][value=pass]", "els => els.forEach(e => e.checked = true)")
    page.click("#item-ELEC-01 .result-fail")
    page.click("button:has-text('提交检查')")
    expect(page.locator("#autosave")).to_contain_text("联网后自动提交")


def test_a_submit_made_offline_is_sent_once_when_the_network_returns(
    page_for, live_server, district, personas, checklist, login
):
    page, inspection = open_checklist(page_for, live_server, district, personas)
    answer_everything_offline(page)
    inspection.refresh_from_db()
    assert inspection.status == "draft" and not Hazard.objects.exists()

    page.context.set_offline(False)
    page.wait_for_selector(".messages:has-text('检查已提交。')")
    inspection.refresh_from_db()
    assert inspection.status == "submitted" and inspection.outcome == "inspected"
    assert list(Hazard.objects.values_list("item__code", flat=True)) == ["ELEC-01"]
    assert stored_copies(page) == []  # the submitted page clears the browser's copies

    # The same submit arriving again (a retry whose answer was lost) changes nothing.
    client = login(personas.grid_worker)
    data = {"outcome": "inspected", **{f"result-{i.code}": "pass" for i in inspection.applicable_items()}}
    response = client.post(reverse("inspections:inspection_submit", args=[inspection.pk]), data)
    assert response.status_code == 302
    assert Hazard.objects.count() == 1 and Inspection.objects.count() == 1


def test_a_queued_submit_survives_a_reload_while_offline(
    page_for, live_server, district, personas, checklist
):
    page, inspection = open_checklist(page_for, live_server, district, personas)
    url = page.url
    answer_everything_offline(page)
    page = reopen_offline(page, url)
    page.context.set_offline(False)
    page.goto(url)  # the draft page again: the queued submit goes at once
    page.wait_for_selector(".messages:has-text('检查已提交。')")
    inspection.refresh_from_db()
    assert inspection.status == "submitted"
    assert list(Hazard.objects.values_list("item__code", flat=True)) == ["ELEC-01"]
    assert stored_copies(page) == []


def test_a_submit_the_server_refuses_is_not_sent_again(page_for, live_server, district, personas, checklist):
    """Offline with items unanswered: the queued submit reaches the server, which lists what is missing;
    the page shows that and does not post again by itself."""
    page, inspection = open_checklist(page_for, live_server, district, personas)
    go_offline(page)
    page.click("#item-ELEC-01 .result-fail")
    page.click("button:has-text('提交检查')")
    expect(page.locator("#autosave")).to_contain_text("联网后自动提交")
    page.context.set_offline(False)
    page.wait_for_selector(".errors:has-text('未检查')")
    page.wait_for_selector("form.checklist[data-offline-ready][data-rejected]")
    draft = page.evaluate(
        f"JSON.parse(localStorage.getItem('firegrid.checklist.{inspection.pk}.{inspection.version}'))"
    )
    assert draft["submit"] is False
    page.wait_for_timeout(1000)
    assert page.locator(".errors:has-text('未检查')").count() == 1  # still the same page, not re-posted
    inspection.refresh_from_db()
    assert inspection.status == "draft"
    assert Answer.objects.get(inspection=inspection, item__code="ELEC-01").result == "fail"
