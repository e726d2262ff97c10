"""End to end in headless Chromium: a grid worker finds a premises, edits it, sees the change in its
history; an outsider opening the same URL gets 404. Screenshots go to test-artifacts/."""

import pytest

from firegrid.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone-360"])
def test_grid_worker_edits_premises_and_sees_history(page_for, live_server, district, personas, phone):
    page = page_for(personas.grid_worker, phone=phone)
    suffix = "phone" if phone else "desktop"
    shot(page, f"home-{suffix}")
    assert page.locator(".figure").first.is_visible()

    page.goto(f"{live_server.url}/registry/premises/")
    page.fill("input[name=q]", "樟树潭村12号")
    page.click("button:has-text('搜索')")
    page.wait_for_selector("text=共 2 条")
    shot(page, f"premises-list-{suffix}")
    page.click("a:has-text('整幢')")
    page.wait_for_url(f"**/registry/premises/{district.premises_a.pk}/")

    page.click("a:has-text('修改')")
    page.fill("input[name=unit_label]", "整幢（已核实）")
    page.fill("input[name=change_reason]", "入户核实门牌")
    shot(page, f"premises-edit-{suffix}")
    page.click("button:has-text('保存')")
    page.wait_for_url(f"**/registry/premises/{district.premises_a.pk}/")
    assert page.locator("h1").inner_text().endswith("整幢（已核实）")

    page.click("a:has-text('修改记录')")
    page.wait_for_selector(".timeline .entry-update")
    text = page.locator(".timeline").inner_text()
    assert "整幢（已核实）" in text and "入户核实门牌" in text
    shot(page, f"premises-history-{suffix}")


def test_outsider_opening_the_same_url_gets_404(page_for, live_server, district, personas):
    page = page_for(personas.outsider)
    response = page.goto(f"{live_server.url}/registry/premises/{district.premises_a.pk}/")
    assert response.status == 404
    shot(page, "outsider-404")


def test_bad_input_is_shown_on_the_field_and_kept(page_for, live_server, district, personas):
    page = page_for(personas.grid_worker, phone=True)
    page.goto(f"{live_server.url}/registry/rooms/{district.room_a.pk}/edit/")
    page.fill("input[name=area_m2]", "0")
    page.fill("input[name=number]", "201-甲")
    page.click("button:has-text('保存')")
    page.wait_for_selector(".form-field.has-error")
    assert page.locator("input[name=number]").input_value() == "201-甲"
    shot(page, "room-bad-input-phone")
