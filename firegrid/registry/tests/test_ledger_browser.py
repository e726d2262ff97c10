"""Ledger import in headless Chromium, on a desktop and at 360 px: upload a community's sheet, confirm
the proposed mapping, check, import. Screenshots go to test-artifacts/."""

import pytest

from firegrid.browser import ARTIFACTS
from firegrid.registry.ledger import samples
from firegrid.registry.models import Premises

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def fits(page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone-360"])
def test_grid_worker_imports_a_community_ledger(
    page_for, live_server, settings, tmp_path, district, personas, phone
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FIREGRID_LEDGER_INLINE = True
    path = tmp_path / "樟树潭社区台账.xlsx"
    path.write_bytes(samples.write_xlsx([samples.community_row(i, "樟树潭一网格") for i in range(6)]))
    suffix = "phone" if phone else "desktop"
    page = page_for(personas.grid_worker, phone=phone)

    page.goto(f"{live_server.url}/registry/ledger/?kind=premises")
    shot(page, f"ledger-home-{suffix}")
    assert not phone or fits(page, 360)
    page.set_input_files("input[name=file]", str(path))
    page.select_option("select[name=area]", str(district.grid_a.pk))  # the import area (a limit)
    page.click("button:has-text('上传并识别表头')")
    page.wait_for_selector("h1:has-text('确认列对应关系')")
    assert page.locator("text=只导入“樟树潭一网格”内的行").count() == 1
    assert page.locator("select[name=col_4]").input_value() == "landlord.name"
    shot(page, f"ledger-mapping-{suffix}")
    assert not phone or fits(page, 360)

    page.click("button:has-text('下一步')")
    page.wait_for_selector("h1:has-text('确认取值对应')")  # the sheet's area values (issue 13, item 2)
    shot(page, f"ledger-values-{suffix}")
    assert not phone or fits(page, 360)
    page.click("button:has-text('检查台账')")
    page.wait_for_selector("text=检查通过")
    shot(page, f"ledger-checked-{suffix}")
    assert not phone or fits(page, 360)
    page.click("button:has-text('导入')")
    page.wait_for_selector("text=导入结果")
    shot(page, f"ledger-committed-{suffix}")
    assert Premises.objects.filter(building__address__startswith="樟潭街道测试村").count() == 6
