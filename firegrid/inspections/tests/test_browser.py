"""End to end at a 360 px phone viewport: a grid worker completes a survey inspection with a photo and
sees the resulting hazard on the premises."""

import io

import pytest
from PIL import Image

from firegrid.browser import ARTIFACTS
from firegrid.inspections.models import Hazard, Photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def jpeg(path):
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (200, 60, 40)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_grid_worker_completes_a_survey_with_a_photo(
    page_for, live_server, district, personas, checklist, tmp_path
):
    page = page_for(personas.grid_worker, phone=True)
    page.goto(f"{live_server.url}/registry/premises/{district.premises_a.pk}/")
    page.click(".start-form .joint summary")  # the joint-inspection departments unfold under the button
    page.wait_for_selector(f".start-form input[name=departments][value='{district.fire.pk}']")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inspection-start-phone.png"))
    page.click("button:has-text('开始检查')")
    page.wait_for_selector("form.checklist")
    # Everything passes but the electrical wiring, which the inspector photographs.
    page.eval_on_selector_all("input[type=radio][value=pass]", "els => els.forEach(e => e.checked = true)")
    page.click("#item-ELEC-01 .result-fail")
    page.fill("input[name=note-ELEC-01]", "楼道飞线")
    page.set_input_files("#item-ELEC-01 input[type=file] >> nth=0", str(jpeg(tmp_path / "wire.jpg")))
    page.wait_for_selector("#photos-ELEC-01 img")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inspection-checklist-phone.png"))
    page.click("button:has-text('提交检查')")
    page.wait_for_url("**/inspections/*/")
    assert page.locator(".messages").inner_text().strip() == "检查已提交。"
    page.goto(f"{live_server.url}/registry/premises/{district.premises_a.pk}/")
    assert page.locator(".bucket-to_fix .value").inner_text() == "1"
    hazards = page.locator("section.related", has=page.locator("h2", has_text="隐患"))
    assert "ELEC-01" in hazards.first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "premises-hazards-phone.png"), full_page=True)
    hazard = Hazard.objects.get()
    assert hazard.item.code == "ELEC-01" and hazard.answer.note == "楼道飞线"
    assert Photo.objects.filter(answer=hazard.answer).count() == 1
