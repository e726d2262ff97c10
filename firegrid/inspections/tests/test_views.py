"""Inspection pages: start, checklist form (autosave, submit, errors kept), hazards, void, coverage
figures equal their drill-down lists, templates — and who may see and do what."""

import uuid

import pytest
from django.urls import reverse

from firegrid.conftest import PORTAL, assert_status
from firegrid.inspections import services as s
from firegrid.inspections.choices import AnswerResult, HazardStatus, VisitOutcome
from firegrid.inspections.models import ChecklistTemplate, Hazard, Inspection

pytestmark = pytest.mark.django_db


def start(client, premises, client_uuid=None):
    return client.post(
        reverse("inspections:inspection_start"),
        {"premises": premises.pk, "kind": "survey", "client_uuid": str(client_uuid or uuid.uuid4())},
    )


def all_pass_post(inspection, **overrides):
    data = {"outcome": "inspected"}
    for item in inspection.applicable_items():
        data[f"result-{item.code}"] = "pass"
    data.update(overrides)
    return data


def test_grid_worker_starts_an_inspection_from_the_premises_page(login, district, personas, checklist):
    client = login(personas.grid_worker)
    page = client.get(reverse("registry:premises_detail", args=[district.premises_a.pk])).content.decode()
    assert reverse("inspections:inspection_start") in page
    client_uuid = uuid.uuid4()
    response = start(client, district.premises_a, client_uuid)
    assert_status(response, 302)
    assert_status(start(client, district.premises_a, client_uuid), 302)  # a double tap opens the same draft
    assert Inspection.objects.filter(client_uuid=client_uuid).count() == 1


def test_liaison_cannot_start_or_see_inspections(login, district, personas, checklist):
    client = login(personas.liaison)
    page = client.get(reverse("registry:premises_detail", args=[district.premises_a.pk])).content.decode()
    assert reverse("inspections:inspection_start") not in page
    assert_status(start(client, district.premises_a), 403)
    inspection = s.start_inspection(actor=personas.grid_worker, premises=district.premises_a)
    assert_status(client.get(reverse("inspections:inspection_detail", args=[inspection.pk])), 404)


def test_outsider_gets_404_on_another_grids_inspection(login, district, personas, checklist):
    inspection = s.start_inspection(actor=personas.grid_worker, premises=district.premises_a)
    client = login(personas.outsider)
    assert_status(client.get(reverse("inspections:inspection_detail", args=[inspection.pk])), 404)
    assert_status(client.post(reverse("inspections:inspection_submit", args=[inspection.pk]), {}), 404)
    assert_status(start(client, district.premises_a), 404)


def test_checklist_shows_applicable_items_and_suggestions(login, district, personas, checklist):
    inspection = s.start_inspection(actor=personas.grid_worker, premises=district.premises_a)
    response = login(personas.grid_worker).get(reverse("inspections:inspection_detail", args=[inspection.pk]))
    page = response.content.decode()
    assert response.context["applicable_count"] == len(inspection.applicable_items())
    assert "MGMT-03" in page and "SEP-02" not in page
    assert "人均 7.50 m²" in page


def test_autosave_keeps_answers_of_a_draft(login, district, personas, checklist):
    inspection = s.start_inspection(actor=personas.grid_worker, premises=district.premises_a)
    client = login(personas.grid_worker)
    response = client.post(
        reverse("inspections:inspection_autosave", args=[inspection.pk]),
        {"result-ELEC-01": "fail", "note-ELEC-01": "飞线充电"},
    )
    assert "已自动保存" in response.content.decode()
    answer = inspection.answers.get(item__code="ELEC-01")
    assert answer.result == AnswerResult.FAIL and answer.note == "飞线充电"


def test_submit_with_missing_items_keeps_what_was_typed(login, district, personas, checklist):
    inspection = s.start_inspection(actor=personas.grid_worker, premises=district.premises_a)
    client = login(personas.grid_worker)
    response = client.post(
        reverse("inspections:inspection_submit", args=[inspection.pk]),
        {"outcome": "inspected", "result-ELEC-01": "fail"},
    )
    assert_status(response, 400)
    page = response.content.decode()
    assert "未检查" in page
    assert 'name="result-ELEC-01" value="fail" checked' in page
    inspection.refresh_from_db()
    assert inspection.status == "draft"


def test_submit_creates_hazards_and_the_premises_page_shows_them(login, district, personas, checklist):
    inspection = s.start_inspection(actor=personas.grid_worker, premises=district.premises_a)
    client = login(personas.grid_worker)
    data = all_pass_post(inspection, **{"result-ELEC-01": "fail"})
    data["rooms"] = [district.room_a.pk]
    for _ in range(3):  # a replayed submit changes nothing
        assert_status(client.post(reverse("inspections:inspection_submit", args=[inspection.pk]), data), 302)
    assert Hazard.objects.filter(premises=district.premises_a).count() == 1
    inspection.refresh_from_db()
    assert list(inspection.rooms_inspected.all()) == [district.room_a]
    page = client.get(reverse("registry:premises_detail", args=[district.premises_a.pk]))
    buckets = {b["code"]: b["count"] for b in page.context["hazard_buckets"]}
    assert buckets == {"to_fix": 1, "to_recheck": 0, "removed": 0}


def test_locked_door_needs_no_answers(login, district, personas, checklist):
    inspection = s.start_inspection(actor=personas.grid_worker, premises=district.premises_a)
    client = login(personas.grid_worker)
    response = client.post(
        reverse("inspections:inspection_submit", args=[inspection.pk]), {"outcome": "locked"}
    )
    assert_status(response, 302)
    inspection.refresh_from_db()
    assert inspection.outcome == VisitOutcome.LOCKED and inspection.return_visit_due


@pytest.fixture
def hazard(district, personas, checklist):
    gw = personas.grid_worker
    inspection = s.start_inspection(actor=gw, premises=district.premises_a)
    answers = [
        s.AnswerInput(i.code, "fail" if i.code == "ELEC-01" else "pass")
        for i in inspection.applicable_items()
    ]
    s.submit_inspection(inspection, actor=gw, outcome="inspected", answers=answers)
    return Hazard.objects.get()


def test_hazard_list_filters_by_bucket_and_area(login, district, personas, hazard):
    client = login(personas.admin)
    url = reverse("inspections:hazard_list")
    assert client.get(url, {"bucket": "to_fix", "area": district.s1.pk}).context["paginator"].count == 1
    assert client.get(url, {"bucket": "removed"}).context["paginator"].count == 0
    assert client.get(url, {"area": district.s2.pk}).context["paginator"].count == 0
    assert client.get(url, {"item_code": "ELEC-01"}).context["paginator"].count == 1


def test_hazard_scope(login, district, personas, hazard):
    url = reverse("inspections:hazard_detail", args=[hazard.pk])
    assert_status(login(personas.outsider).get(url), 404)
    assert_status(login(personas.liaison).get(url), 200)  # the premises of a landlord their unit employs
    # A landlord reads their hazards on their plan in the portal; the staff page sends them there.
    assert_status(login(personas.landlord).get(url), PORTAL)
    assert_status(login(personas.other_liaison).get(url), 404)


def test_only_a_supervisor_voids_a_hazard(login, district, personas, hazard):
    url = reverse("inspections:hazard_void", args=[hazard.pk])
    detail = reverse("inspections:hazard_detail", args=[hazard.pk])
    assert login(personas.grid_worker).get(detail).context["can_void"] is False
    assert login(personas.community_officer).get(detail).context["can_void"] is True
    assert_status(login(personas.grid_worker).post(url, {"reason": "录入错误"}), 403)
    officer = login(personas.community_officer)
    officer.post(url, {"reason": ""})
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.OPEN
    officer.post(url, {"reason": "录入错误"})
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.VOID


@pytest.mark.parametrize("who", ["admin", "subdistrict_officer", "grid_worker"])
def test_every_coverage_figure_equals_its_list(login, district, personas, checklist, who):
    gw = personas.grid_worker
    done = s.start_inspection(actor=gw, premises=district.premises_a)
    s.submit_inspection(
        done,
        actor=gw,
        outcome="inspected",
        rooms=[district.room_a],
        answers=[s.AnswerInput(i.code, "pass") for i in done.applicable_items()],
    )
    locked = s.start_inspection(actor=gw, premises=district.shop_a)
    s.submit_inspection(locked, actor=gw, outcome="locked")
    client = login(getattr(personas, who))
    rows = client.get(reverse("inspections:coverage")).context["rows"]
    assert rows
    for row in rows:
        for key, url in row.links.items():
            listed = client.get(url).context["paginator"].count
            assert listed == row.figures.get(key, 0), (
                f"{row.area} {key}: figure {row.figures.get(key, 0)}, list {listed}"
            )
        for label, n, url in row.outcome_cells:
            assert client.get(url).context["paginator"].count == n, f"{row.area} {label}"
    total = rows[0]
    assert total.figures["premises_covered"] == 1 and total.figures["premises_return"] == 1
    assert total.figures["rooms_inspected"] == 1


def test_template_versions_from_the_page(login, personas, checklist):
    client = login(personas.admin)
    url = reverse("inspections:template_detail", args=[checklist.pk])
    response = client.post(url, {"action": "new_version", "code": "qj-2026.1"})
    draft = ChecklistTemplate.objects.get(code="qj-2026.1")
    assert response["Location"] == reverse("inspections:template_detail", args=[draft.pk])
    draft_url = reverse("inspections:template_detail", args=[draft.pk])
    response = client.post(draft_url, {"action": "parameters", "param-min_area_per_person_m2": "abc"})
    assert_status(response, 400)
    client.post(draft_url, {"action": "parameters", "param-min_area_per_person_m2": "4"})
    client.post(draft_url, {"action": "publish"})
    draft.refresh_from_db()
    assert draft.status == "published" and draft.parameter("min_area_per_person_m2") == 4
    assert_status(login(personas.grid_worker).post(url, {"action": "new_version", "code": "x"}), 403)


def test_inspection_list_and_menu(login, district, personas, checklist):
    s.start_inspection(actor=personas.grid_worker, premises=district.premises_a)
    client = login(personas.grid_worker)
    response = client.get(reverse("inspections:inspection_list"))
    assert response.context["paginator"].count == 1
    assert "排查进度" in response.content.decode()
    assert (
        login(personas.outsider).get(reverse("inspections:inspection_list")).context["paginator"].count == 0
    )


def test_a_refused_photo_keeps_the_inspection(login, district, personas, checklist):
    from django.core.files.uploadedfile import SimpleUploadedFile

    inspection = s.start_inspection(actor=personas.grid_worker, premises=district.premises_a)
    client = login(personas.grid_worker)
    client.post(reverse("inspections:inspection_autosave", args=[inspection.pk]), {"result-ELEC-01": "fail"})
    fake = SimpleUploadedFile("wire.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = client.post(
        reverse("inspections:inspection_photo", args=[inspection.pk, "ELEC-01"]),
        {"photo": fake, "role": "evidence", "result-ELEC-01": "fail"},
    )
    assert_status(response, 400)
    assert "JPEG" in response.content.decode()
    assert inspection.answers.get(item__code="ELEC-01").result == "fail"
    assert not inspection.photos.exists()


def test_photos_are_served_only_within_scope(login, district, personas, checklist):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    inspection = s.start_inspection(actor=personas.grid_worker, premises=district.premises_a)
    s.save_answers(inspection, [s.AnswerInput("ELEC-01", "fail")], actor=personas.grid_worker)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 200, 10)).save(buffer, "JPEG")
    photo = s.add_photo(
        inspection,
        SimpleUploadedFile("a.jpg", buffer.getvalue()),
        actor=personas.grid_worker,
        item_code="ELEC-01",
    )
    url = photo.get_image_url()
    response = login(personas.grid_worker).get(url)
    assert_status(response, 200)
    assert response["Content-Type"] == "image/jpeg"
    assert_status(login(personas.outsider).get(url), 404)
    assert login(personas.grid_worker).__class__().get(url).status_code in (401, 403)  # anonymous


def test_coverage_exports_as_xlsx(login, district, personas, checklist):
    import io

    from openpyxl import load_workbook

    response = login(personas.admin).get(reverse("inspections:coverage"), {"export": "xlsx"})
    assert_status(response, 200)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("区域", "建筑", "已排查完", "出租户")
    assert [r[0] for r in rows[1:]] == ["衢江区", "樟潭街道", "浮石街道"]
    assert rows[1][3] == 3  # premises in the district


def test_premises_qr_code_leads_back_to_the_premises(login, district, personas):
    client = login(personas.grid_worker)
    response = client.get(reverse("inspections:premises_qr", args=[district.premises_a.pk]))
    assert_status(response, 200)
    assert response["Content-Type"] == "image/svg+xml" and b"<svg" in response.content
    scan = client.get(reverse("inspections:premises_scan", args=[district.premises_a.pk]))
    assert scan["Location"].startswith(reverse("registry:premises_detail", args=[district.premises_a.pk]))
    assert_status(
        login(personas.outsider).get(reverse("inspections:premises_scan", args=[district.premises_a.pk])), 404
    )
    assert_status(
        login(personas.outsider).get(reverse("inspections:premises_qr", args=[district.premises_a.pk])), 404
    )


def test_device_position_is_kept_when_offered_and_ignored_when_wrong(login, district, personas, checklist):
    client = login(personas.grid_worker)
    client.post(
        reverse("inspections:inspection_start"),
        {"premises": district.premises_a.pk, "latitude": "28.98", "longitude": "118.93"},
    )
    client.post(
        reverse("inspections:inspection_start"),
        {"premises": district.premises_a.pk, "latitude": "-33.86", "longitude": "151.2"},
    )
    client.post(reverse("inspections:inspection_start"), {"premises": district.premises_a.pk})
    positions = sorted((str(i.latitude), str(i.longitude)) for i in Inspection.objects.all())
    assert positions == [("28.980000", "118.930000"), ("None", "None"), ("None", "None")]


def test_a_department_officers_inspection_is_joint(login, district, personas, checklist):
    inspection = s.start_inspection(actor=personas.fire_officer, premises=district.premises_a)
    assert list(inspection.departments.all()) == [district.fire]


def test_a_joint_inspection_lists_the_departments_chosen_on_the_start_form(
    login, district, personas, checklist
):
    """The start form offers every department; the grid worker ticks two and the visit lists them."""
    from firegrid.areas.choices import DepartmentKind
    from firegrid.testing import make_department

    police = make_department("衢江区公安分局", DepartmentKind.POLICE)
    market = make_department("衢江区市场监督管理局", DepartmentKind.MARKET)
    client = login(personas.grid_worker)
    page = client.get(reverse("registry:premises_detail", args=[district.premises_a.pk])).content.decode()
    for department in (district.fire, police, market):
        assert f'name="departments" value="{department.pk}"' in page
    assert (
        "checked" not in page.split('id="start"')[1].split("</form>")[0]
    )  # nothing ticked for a grid worker
    response = client.post(
        reverse("inspections:inspection_start"),
        {"premises": district.premises_a.pk, "departments": [police.pk, market.pk, "x", "99999"]},
    )
    assert_status(response, 302)
    inspection = Inspection.objects.get()
    assert sorted(d.name for d in inspection.departments.all()) == sorted([police.name, market.name])
    assert inspection.inspectors.get() == personas.grid_worker


def test_a_department_officers_own_department_is_preselected_and_kept(login, district, personas, checklist):
    from firegrid.areas.choices import DepartmentKind
    from firegrid.testing import make_department

    police = make_department("衢江区公安分局", DepartmentKind.POLICE)
    client = login(personas.fire_officer)
    page = client.get(reverse("registry:premises_detail", args=[district.premises_a.pk])).content.decode()
    form = page.split('id="start"')[1].split("</form>")[0]
    own = form.split(district.fire.name)[0].rsplit("<label", 1)[1]
    assert "checked" in own and f'name="departments" value="{district.fire.pk}"' in form
    other = form.split(police.name)[0].rsplit("<label", 1)[1]
    assert "checked" not in other
    # Ticking another department adds it; the officer's own stays even if the browser left it out.
    client.post(
        reverse("inspections:inspection_start"),
        {"premises": district.premises_a.pk, "departments": [police.pk]},
    )
    inspection = Inspection.objects.get()
    assert {d.pk for d in inspection.departments.all()} == {district.fire.pk, police.pk}


def test_choosing_departments_does_not_widen_who_may_start(login, district, personas, checklist):
    response = login(personas.liaison).post(
        reverse("inspections:inspection_start"),
        {"premises": district.premises_a.pk, "departments": [district.fire.pk]},
    )
    assert_status(response, 403)
    response = login(personas.outsider).post(
        reverse("inspections:inspection_start"),
        {"premises": district.premises_a.pk, "departments": [district.fire.pk]},
    )
    assert_status(response, 404)
    assert not Inspection.objects.exists()
