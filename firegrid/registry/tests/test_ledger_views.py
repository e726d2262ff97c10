"""Ledger import pages: who may open them, and the whole web flow with the test client
(upload → mapping → check → commit → the registry list shows the rows)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from firegrid.conftest import PORTAL, assert_status
from firegrid.core.masking import mask_mobile
from firegrid.registry.ledger import samples, services
from firegrid.registry.ledger.choices import ImportStatus
from firegrid.registry.models import ImportJob, Premises

pytestmark = pytest.mark.django_db

GRID_A = "樟树潭一网格"


@pytest.fixture(autouse=True)
def ledger_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FIREGRID_LEDGER_INLINE = True


def ledger(n: int = 5, **kw) -> SimpleUploadedFile:
    data = samples.write_xlsx([samples.community_row(i, GRID_A) for i in range(n)], **kw)
    return SimpleUploadedFile("樟树潭社区台账.xlsx", data)


def uploaded_job(user) -> ImportJob:
    return services.create_import_job(actor=user, kind="premises", upload=ledger())


def mapping_post(job: ImportJob, **extra) -> dict:
    data = {f"col_{i}": job.mapping["columns"].get(str(i), "") for i in range(len(job.headers))}
    data["default_grid"] = job.mapping.get("default_grid") or ""
    data["remember"] = "on"
    data.update(extra)
    return data


def values_post(client, job: ImportJob, **extra):
    """Confirm the value page as proposed (the area and choice values, issue 13 item 2), then check."""
    url = reverse("registry:ledger_values", args=[job.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].initial or "" for name in form.fields if name.startswith("v_")}
    data.update(extra)
    return client.post(url, data)


def test_anonymous_is_sent_to_login(client, district):
    response = client.get(reverse("registry:ledger_home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["fire_officer", "commander", "liaison", "landlord"])
def test_roles_that_may_not_import_get_403(login, district, personas, persona):
    client = login(getattr(personas, persona))
    refused = PORTAL if persona == "landlord" else 403
    assert_status(client.get(reverse("registry:ledger_home")), refused)
    assert_status(client.get(reverse("registry:ledger_template", args=["premises"])), refused)
    posted = client.post(reverse("registry:ledger_home"), {"kind": "premises", "file": ledger()})
    assert_status(posted, refused)
    assert not ImportJob.objects.exists()
    assert "台账导入" not in client.get(reverse("pages:home"), follow=True).content.decode()


def test_someone_elses_job_is_404(login, district, personas):
    job = uploaded_job(personas.grid_worker)
    outsider = login(personas.outsider)
    for name in ("ledger_job", "ledger_mapping", "ledger_progress", "ledger_report"):
        assert_status(outsider.get(reverse(f"registry:{name}", args=[job.pk])), 404)
    assert_status(outsider.post(reverse("registry:ledger_commit", args=[job.pk])), 404)
    # A system admin may look at any job.
    assert_status(login(personas.admin).get(reverse("registry:ledger_job", args=[job.pk])), 200)


def test_landing_page_lists_kinds_templates_and_recent_jobs(login, district, personas):
    uploaded_job(personas.grid_worker)
    client = login(personas.grid_worker)
    page = client.get(reverse("registry:ledger_home")).content.decode()
    assert "台账导入" in page and "下载模板" in page
    assert reverse("registry:ledger_template", args=["tenant_household"]) in page
    assert "樟树潭社区台账.xlsx" in page
    home = client.get(reverse("pages:home")).content.decode()
    assert reverse("registry:ledger_home") in home  # the menu link


def test_template_download(login, district, personas):
    response = login(personas.grid_worker).get(reverse("registry:ledger_template", args=["premises"]))
    assert_status(response, 200)
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["台账", "填写说明"]
    assert_status(login(personas.grid_worker).get(reverse("registry:ledger_template", args=["nope"])), 404)


def test_upload_of_something_else_is_refused_with_a_message(login, district, personas):
    client = login(personas.grid_worker)
    bad = SimpleUploadedFile("照片.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 50)
    response = client.post(reverse("registry:ledger_home"), {"kind": "premises", "file": bad})
    assert_status(response, 200)
    assert "file" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_web_flow_upload_map_check_commit(login, district, personas):
    user = personas.grid_worker
    client = login(user)
    listed_before = client.get(reverse("registry:premises_list")).context["paginator"].count

    response = client.post(reverse("registry:ledger_home"), {"kind": "premises", "file": ledger(5)})
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("registry:ledger_mapping", args=[job.pk])

    page = client.get(response["Location"])
    assert_status(page, 200)
    html = page.content.decode()
    assert "房东姓名" in html and "按表头" in html and "330803********" in html  # samples masked
    assert samples.landlord_id(0) not in html

    response = client.post(reverse("registry:ledger_mapping", args=[job.pk]), mapping_post(job))
    assert response["Location"] == reverse("registry:ledger_values", args=[job.pk])
    response = values_post(client, job)
    assert response["Location"] == reverse("registry:ledger_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED and job.error_count == 0
    page = client.get(response["Location"]).content.decode()
    assert "检查通过" in page and reverse("registry:ledger_commit", args=[job.pk]) in page

    client.post(reverse("registry:ledger_commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED
    page = client.get(reverse("registry:ledger_job", args=[job.pk])).content.decode()
    assert "导入结果" in page and reverse("registry:premises_list") in page

    listed = client.get(reverse("registry:premises_list")).context["paginator"].count
    assert listed == listed_before + 5 == Premises.objects.visible_to(user).count()
    assert job.counts["premises"]["created"] == 5
    # A second commit of the same job is refused (claimed once).
    client.post(reverse("registry:ledger_commit", args=[job.pk]))
    assert Premises.objects.visible_to(user).count() == listed


def test_the_upload_form_offers_an_import_area_in_the_users_scope_that_limits_the_rows(
    login, district, personas
):
    d = district
    user = personas.community_officer  # 樟树潭社区: both its grids
    client = login(user)
    field = client.get(reverse("registry:ledger_home")).context["form"]["area"]
    offered = [str(choice.data["value"]) for choice in field.subwidgets]
    # Optional (the whole scope by default), then the community and its grids: nothing outside the scope.
    assert offered == ["", str(d.c1.pk), str(d.grid_a.pk), str(d.grid_a2.pk)]
    # An area outside the scope is refused on the field; nothing stored.
    response = client.post(
        reverse("registry:ledger_home"), {"kind": "premises", "file": ledger(2), "area": d.grid_b.pk}
    )
    assert_status(response, 200)
    assert "area" in response.context["form"].errors
    assert not ImportJob.objects.exists()
    # Without a choice: the whole scope.
    client.post(reverse("registry:ledger_home"), {"kind": "premises", "file": ledger(2)})
    assert ImportJob.objects.get().area is None
    ImportJob.objects.all().delete()

    data_rows = [samples.community_row(i, GRID_A) for i in range(3)]
    data_rows[2][1] = "樟树潭二网格"  # inside the officer's scope, outside the import area
    upload = SimpleUploadedFile("台账.xlsx", samples.write_xlsx(data_rows))
    response = client.post(
        reverse("registry:ledger_home"), {"kind": "premises", "file": upload, "area": d.grid_a.pk}
    )
    job = ImportJob.objects.get()
    assert job.area == d.grid_a
    page = client.get(response["Location"])
    assert "只导入“樟树潭一网格”内的行" in page.content.decode()
    # The default grid is proposed within the area and only its grids are offered.
    form = page.context["form"]
    assert form["default_grid"].initial == d.grid_a.pk
    assert [value for value, _label in form.fields["default_grid"].choices] == ["", d.grid_a.pk]
    client.post(reverse("registry:ledger_mapping", args=[job.pk]), mapping_post(job))
    values_post(client, job)
    job.refresh_from_db()
    assert (job.status, job.error_count) == (ImportStatus.VALIDATED, 1)
    page = client.get(reverse("registry:ledger_job", args=[job.pk])).content.decode()
    assert "网格「樟树潭二网格」不在本次导入的区域「樟树潭一网格」内" in page
    assert reverse("registry:ledger_commit", args=[job.pk]) not in page


def test_errors_are_listed_and_commit_is_not_offered(login, district, personas):
    user = personas.grid_worker
    client = login(user)
    data_rows = [samples.community_row(i, GRID_A) for i in range(3)]
    data_rows[1][10] = "很大"
    upload = SimpleUploadedFile("台账.xlsx", samples.write_xlsx(data_rows))
    client.post(reverse("registry:ledger_home"), {"kind": "premises", "file": upload})
    job = ImportJob.objects.get()
    client.post(reverse("registry:ledger_mapping", args=[job.pk]), mapping_post(job))
    values_post(client, job)
    page = client.get(reverse("registry:ledger_job", args=[job.pk])).content.decode()
    assert "整个文件都不会导入" in page and "应填写数字" in page
    assert reverse("registry:ledger_commit", args=[job.pk]) not in page
    response = client.post(reverse("registry:ledger_commit", args=[job.pk]))
    assert response.status_code == 302
    assert not Premises.objects.filter(building__address__startswith="樟潭街道测试村").exists()
    report = client.get(reverse("registry:ledger_report", args=[job.pk]))
    assert_status(report, 200)
    rows = list(load_workbook(io.BytesIO(b"".join(report.streaming_content))).worksheets[0].values)
    assert rows[1][-1] == "错误" and "应填写数字" in rows[3][-1]


def test_mapping_form_refuses_a_field_twice_and_missing_required(login, district, personas):
    job = uploaded_job(personas.grid_worker)
    client = login(personas.grid_worker)
    response = client.post(
        reverse("registry:ledger_mapping", args=[job.pk]), mapping_post(job, col_12="building.address")
    )
    assert_status(response, 200)
    assert "只能对应一列" in str(response.context["form"].non_field_errors())
    # Neither the ID number (F) nor the mobile (G): the landlord would not be known.
    response = client.post(
        reverse("registry:ledger_mapping", args=[job.pk]), mapping_post(job, col_5="", col_6="")
    )
    assert "身份证号码或联系电话" in str(response.context["form"].non_field_errors())
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


def test_reread_header_on_another_row(login, district, personas):
    job = uploaded_job(personas.grid_worker)
    client = login(personas.grid_worker)
    client.post(
        reverse("registry:ledger_mapping", args=[job.pk]), {"reread": "1", "header_row": "2", "sheet": "台账"}
    )
    job.refresh_from_db()
    assert job.header_row == 2 and job.headers[0] == "序号"
    client.post(reverse("registry:ledger_mapping", args=[job.pk]), {"reread": "1", "header_row": "99"})
    job.refresh_from_db()
    assert job.header_row == 2


def test_progress_fragment_polls_while_running_and_reloads_when_done(login, district, personas):
    job = uploaded_job(personas.grid_worker)
    client = login(personas.grid_worker)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.VALIDATING, progress_done=40, progress_total=100
    )
    page = client.get(reverse("registry:ledger_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and reverse("registry:ledger_progress", args=[job.pk]) in page
    fragment = client.get(reverse("registry:ledger_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert '<progress value="40" max="100"' in fragment.content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATED)
    fragment = client.get(reverse("registry:ledger_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true"


def test_grid_worker_cannot_open_a_landlord_of_another_grid_through_the_import(login, district, personas):
    """The attack: wanggy (grid A) uploads a one-row ledger with the ID number of landlord_b (grid B).
    The row is an error that says neither who nor where; nothing is linked, so the landlord's record and
    a reveal of the mobile stay closed."""
    user, victim = personas.grid_worker, district.landlord_b
    client = login(user)
    row = samples.community_row(0, GRID_A)
    row[5] = victim.id_number
    upload = SimpleUploadedFile("台账.xlsx", samples.write_xlsx([row]))
    client.post(reverse("registry:ledger_home"), {"kind": "premises", "file": upload})
    job = ImportJob.objects.get()
    client.post(reverse("registry:ledger_mapping", args=[job.pk]), mapping_post(job))
    values_post(client, job)
    page = client.get(reverse("registry:ledger_job", args=[job.pk])).content.decode()
    assert "该证件号码属于您辖区外的房东，请联系上级" in page
    report = client.get(reverse("registry:ledger_report", args=[job.pk]))
    report_text = str(
        list(load_workbook(io.BytesIO(b"".join(report.streaming_content))).worksheets[1].values)
    )
    for text in (page, report_text):
        assert victim.name not in text and mask_mobile(victim.mobile) not in text and "已存在" not in text
    assert reverse("registry:ledger_commit", args=[job.pk]) not in page
    client.post(reverse("registry:ledger_commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED and not job.committed
    assert list(Premises.objects.filter(landlord=victim)) == [district.premises_b]
    assert_status(client.get(reverse("registry:landlord_detail", args=[victim.pk])), 404)
    assert_status(client.post(reverse("registry:landlord_reveal", args=[victim.pk, "mobile"])), 404)
