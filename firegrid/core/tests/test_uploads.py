"""Uploads are accepted by their content, never their name or the client's Content-Type, within one size
limit per kind; a stored file is served as its checked type, downloaded unless an image or a PDF, never
sniffed (issue 10: an "attachment" x.pdf that was HTML ran script when the commander opened it)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from firegrid import testing as t
from firegrid.api_testing import api_client
from firegrid.conftest import assert_status
from firegrid.core import uploads
from firegrid.core.uploads import UploadKind, check_upload, check_uploads
from firegrid.rectification import services as rectification
from firegrid.rectification.models import EnforcementAction, EnforcementAttachment
from firegrid.registry.ledger import services as ledger
from firegrid.tasks import services as tasks
from firegrid.tasks.models import TaskReply

HTML = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/auth/token/')</script></body></html>"
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script></svg>'
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
ENFORCEMENT = "/api/v1/enforcement-actions/"


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    """A file as a browser or API client sends it: the name and Content-Type are the client's claim."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def refusal(kind: UploadKind, name: str, data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(name, data), kind)
    return refused.value


# --- what each kind accepts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (t.SAMPLE_PDF, uploads.PDF),
        (t.sample_image("JPEG"), uploads.JPEG),
        (t.sample_image("PNG"), uploads.PNG),
        (t.sample_image("HEIF"), uploads.HEIC),
        (t.sample_docx(), uploads.DOCX),
        (t.sample_xlsx(), uploads.XLSX),
    ],
    ids=["pdf", "jpeg", "png", "heic", "docx", "xlsx"],
)
def test_an_attachment_is_recognised_by_its_content_whatever_its_name(data, content_type):
    checked = check_upload(upload("扫描件.bin", data, "text/html"), UploadKind.ATTACHMENT)
    assert checked.content_type == content_type and checked.size == len(data)
    assert uploads.stored_name(checked) == f"upload.{uploads.EXTENSIONS[content_type]}"


@pytest.mark.parametrize("name", ["x.pdf", "x.jpg", "x.html", "x.svg", "x.docx"])
@pytest.mark.parametrize("data", [HTML, SVG, EXE, b""], ids=["html", "svg", "exe", "empty"])
def test_html_svg_and_programs_are_refused_as_attachments_whatever_their_name(name, data):
    error = refusal(UploadKind.ATTACHMENT, name, data)
    assert error.code == "attachment_type"
    assert error.messages == [f"{name} 的格式不支持（可上传 PDF、JPEG、PNG、HEIC、Word、Excel）。"]


@pytest.mark.parametrize("kind", list(UploadKind))
def test_no_kind_of_upload_takes_svg_or_html(kind):
    for data in (HTML, SVG):
        assert uploads.sniff(data) in (uploads.HTML, uploads.SVG)
        with pytest.raises(ValidationError):
            check_upload(upload("x.csv", data), kind)


def test_a_jpeg_header_on_anything_else_is_refused_as_damaged():
    error = refusal(UploadKind.ATTACHMENT, "现场.jpg", b"\xff\xd8\xff\xe0" + HTML)
    assert error.code == "attachment_damaged" and "现场.jpg" in error.messages[0]


def test_a_zip_that_is_not_an_office_file_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", HTML)
    assert refusal(UploadKind.ATTACHMENT, "材料.docx", buffer.getvalue()).code == "attachment_type"


def test_over_the_limit_is_refused_naming_the_file(settings):
    settings.FIREGRID_ATTACHMENT_MAX_MB = 1
    data = t.SAMPLE_PDF + b"\0" * (1024 * 1024)
    error = refusal(UploadKind.ATTACHMENT, "决定书.pdf", data)
    assert error.code == "attachment_too_large" and error.messages == ["决定书.pdf 超过 1 MB。"]
    exactly = t.SAMPLE_PDF + b"\0" * (1024 * 1024 - len(t.SAMPLE_PDF))
    assert check_upload(upload("决定书.pdf", exactly), UploadKind.ATTACHMENT).size == 1024 * 1024


def test_a_stated_size_over_the_limit_is_refused_before_reading():
    class Claims30MB(io.BytesIO):
        name = "大文件.pdf"
        size = 30 * 1024 * 1024

        def read(self, *args):
            raise AssertionError("read before the size was checked")

    with pytest.raises(ValidationError, match=r"大文件\.pdf 超过 20 MB"):
        check_upload(Claims30MB(), UploadKind.ATTACHMENT)


def test_each_kind_has_its_own_limit_in_settings(settings):
    assert [uploads.max_mb(kind) for kind in UploadKind] == [15, 20, 20]
    settings.FIREGRID_LEDGER_MAX_MB = 2
    assert uploads.max_bytes(UploadKind.LEDGER) == 2 * 1024 * 1024


def test_several_uploads_are_refused_together_and_counted():
    with pytest.raises(ValidationError) as refused:
        check_uploads(
            [upload("a.pdf", HTML), upload("b.pdf", t.SAMPLE_PDF), upload("c.jpg", SVG)],
            UploadKind.ATTACHMENT,
        )
    assert [m.split(" ")[0] for m in refused.value.messages] == ["a.pdf", "c.jpg"]
    with pytest.raises(ValidationError, match="最多上传 1 个附件"):
        check_uploads([upload("a.pdf", t.SAMPLE_PDF)] * 2, UploadKind.ATTACHMENT, most=1)


def test_a_ledger_is_a_workbook_or_csv_text():
    assert check_upload(upload("台账.xlsx", t.sample_xlsx()), UploadKind.LEDGER).content_type == uploads.XLSX
    csv = "地址,房东\n樟潭街道樟树潭村12号,王建国\n".encode("gb18030")
    assert check_upload(upload("台账.csv", csv), UploadKind.LEDGER).content_type == uploads.CSV
    assert refusal(UploadKind.LEDGER, "台账.csv", HTML).messages == ["文件不是 .xlsx 或 .csv 表格。"]
    assert (
        "旧版 Excel"
        in refusal(
            UploadKind.LEDGER, "台账.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
        ).messages[0]
    )


def test_the_served_type_and_name_come_from_the_checked_type():
    assert uploads.stored_content_type("enforcement/2019/06/ab12.pdf") == uploads.PDF
    # Stored before the checks, under the client's extension: plain bytes, downloaded.
    assert uploads.stored_content_type("enforcement/2019/06/ab12.html") == uploads.OCTET_STREAM
    assert uploads.stored_content_type("enforcement/2019/06/ab12.svg") == uploads.OCTET_STREAM
    assert uploads.download_name("决定书.pdf", uploads.PDF) == "决定书.pdf"
    assert uploads.download_name("x.html", uploads.PDF) == "x.html.pdf"
    assert uploads.download_name("现场.JPEG", uploads.JPEG) == "现场.JPEG"


# --- the attack, through the API and the web form ------------------------------------------------------------


def payload(district, *files):
    return {
        "premises": district.premises_a.pk,
        "kind": "warning",
        "legal_basis": "消防法第六十条",
        "date": timezone.localdate().isoformat(),
        "department": district.fire.pk,
        "attachments": list(files),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data"), [("x.pdf", HTML), ("x.jpg", SVG)], ids=["html-as-pdf", "svg-as-jpg"]
)
def test_the_api_refuses_markup_attachments_naming_the_field_and_the_file(district, personas, name, data):
    client = api_client(personas.fire_officer)
    response = client.post(
        ENFORCEMENT, payload(district, upload(name, data, "application/pdf")), format="multipart"
    )
    assert_status(response, 400)
    assert set(response.data) == {"attachments"}
    assert response.data["attachments"] == [
        f"{name} 的格式不支持（可上传 PDF、JPEG、PNG、HEIC、Word、Excel）。"
    ]
    assert not EnforcementAction.objects.exists() and not EnforcementAttachment.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_an_oversized_attachment(district, personas, settings):
    settings.FIREGRID_ATTACHMENT_MAX_MB = 1
    big = upload("询问笔录.pdf", t.SAMPLE_PDF + b"\0" * (1024 * 1024))
    response = api_client(personas.fire_officer).post(ENFORCEMENT, payload(district, big), format="multipart")
    assert_status(response, 400)
    assert response.data == {"attachments": ["询问笔录.pdf 超过 1 MB。"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data"), [("x.pdf", HTML), ("x.jpg", SVG)], ids=["html-as-pdf", "svg-as-jpg"]
)
def test_the_web_form_refuses_markup_attachments_on_the_field(login, district, personas, name, data):
    form_url = reverse("rectification:premises_enforcement_add", args=[district.premises_a.pk])
    fields = payload(district, upload(name, data, "application/pdf"))
    del fields["premises"]
    response = login(personas.fire_officer).post(form_url, fields)
    assert_status(response, 200)
    assert response.context["form"].errors["attachments"] == [
        f"{name} 的格式不支持（可上传 PDF、JPEG、PNG、HEIC、Word、Excel）。"
    ]
    assert not EnforcementAction.objects.exists()


@pytest.mark.django_db
def test_a_real_pdf_and_jpeg_are_accepted_and_shown_inline_as_their_type(district, personas):
    files = [upload("决定书.html", t.SAMPLE_PDF, "text/html"), upload("现场.jpg", t.sample_image("JPEG"))]
    client = api_client(personas.fire_officer)
    response = client.post(ENFORCEMENT, payload(district, *files), format="multipart")
    assert_status(response, 201)
    pdf, jpeg = response.data["attachments"]
    stored = EnforcementAttachment.objects.order_by("pk")
    assert [a.file.name.rsplit(".", 1)[-1] for a in stored] == ["pdf", "jpg"]

    served = client.get(pdf["url"])
    assert_status(served, 200)
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("inline") and "html.pdf" in served["Content-Disposition"]
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == t.SAMPLE_PDF
    served = client.get(jpeg["url"])
    assert served["Content-Type"] == "image/jpeg" and served["Content-Disposition"].startswith("inline")


@pytest.mark.django_db
def test_a_file_stored_before_the_checks_is_downloaded_never_shown(login, district, personas):
    action = rectification.record_enforcement(
        district.premises_a,
        {
            "kind": "warning",
            "legal_basis": "消防法第六十条",
            "date": timezone.localdate(),
            "department": district.fire,
        },
        actor=personas.fire_officer,
    )
    legacy = EnforcementAttachment(action=action, name="x.pdf")
    legacy.file.save("x.html", ContentFile(HTML), save=False)  # as the old API stored it
    legacy.save()
    web = login(personas.commander).get(reverse("rectification:enforcement_attachment", args=[legacy.pk]))
    api = api_client(personas.commander).get(
        reverse("enforcement-actions-attachment", args=[action.pk, legacy.pk])
    )
    for served in (web, api):
        assert_status(served, 200)
        assert served["Content-Type"] == "application/octet-stream"
        assert served["Content-Disposition"].startswith("attachment")
        assert served["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_a_task_reply_takes_the_same_attachments(district, personas):
    week = timezone.localdate() + dt.timedelta(days=7)
    task = tasks.create_task(
        {"title": "排查群租房", "area": district.c1, "due_on": week}, actor=personas.community_officer
    )
    officer = personas.community_officer
    with pytest.raises(ValidationError) as refused:
        tasks.add_reply(task, actor=officer, text="名单见附件", attachment=upload("名单.pdf", HTML))
    assert refused.value.message_dict == {
        "attachment": ["名单.pdf 的格式不支持（可上传 PDF、JPEG、PNG、HEIC、Word、Excel）。"]
    }
    assert not TaskReply.objects.filter(text="名单见附件").exists()
    reply = tasks.add_reply(
        task, actor=officer, text="名单见附件", attachment=upload("名单.pdf", t.SAMPLE_PDF)
    )
    assert reply.attachment.name.endswith(".pdf")


@pytest.mark.django_db
def test_a_ledger_that_is_html_is_refused_before_it_is_stored(district, personas):
    from firegrid.registry.models import ImportJob

    with pytest.raises(ValidationError, match=r"文件不是 \.xlsx 或 \.csv 表格"):
        ledger.create_import_job(actor=personas.grid_worker, kind="premises", upload=upload("台账.csv", HTML))
    assert not ImportJob.objects.exists()
