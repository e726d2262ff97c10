"""Issued documents as PDFs: their text (title, serial, deadline, hazards), frozen content, identical
reprints, signatures on the pledge."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from firegrid.inspections.choices import InspectionKind
from firegrid.rectification import documents
from firegrid.rectification import services as s
from firegrid.rectification.choices import DocumentKind
from firegrid.rectification.testing import inspect, plan_with_hazards

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace(" ", "")


def test_notice_pdf_names_title_serial_deadline_and_hazards(checklist, district, personas):
    gw = personas.grid_worker
    plan = s.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)
    notice = plan.documents.get(kind=DocumentKind.NOTICE)
    data = documents.pdf_bytes(notice)
    assert data.startswith(b"%PDF")
    text = text_of(data)
    assert "隐患整改通知书" in text
    assert notice.serial in text
    deadline = dt.date.fromisoformat(notice.content["plan_deadline"])
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in text
    for item in plan.items.select_related("hazard__item"):
        assert item.hazard.item.code in text


def test_issued_content_is_frozen_and_a_reprint_is_the_same_file(checklist, district, personas):
    gw = personas.grid_worker
    plan = s.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)
    notice = plan.documents.get()
    first = documents.pdf_bytes(notice)
    frozen = dict(notice.content)
    item = plan.items.first()
    plan.refresh_from_db()
    s.update_plan(
        plan,
        {"deadline": plan.deadline + dt.timedelta(days=10)},
        items={item.pk: {"measure": "改为全新的措施文字"}},
        actor=gw,
        expected_version=plan.version,
    )
    notice.refresh_from_db()
    assert notice.content == frozen
    assert documents.pdf_bytes(notice) == first
    # Rendering the frozen content again (a lost file) gives the same bytes too.
    assert documents.render(notice) == first
    assert "改为全新的措施文字" not in text_of(first)


def test_pledge_carries_the_typed_name_time_and_address(checklist, district, personas):
    gw = personas.grid_worker
    plan = s.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)
    pledge = s.sign_pledge(plan, actor=personas.landlord, name="张建国", ip="10.0.0.8")
    assert pledge.signed_name == "张建国" and pledge.signed_ip == "10.0.0.8" and pledge.signed_at
    assert pledge.content["notice_serial"] == plan.documents.get(kind=DocumentKind.NOTICE).serial
    text = text_of(documents.pdf_bytes(pledge))
    assert "承诺书" in text and "张建国" in text and "10.0.0.8" in text


def test_acceptance_record_lists_the_accepted_hazards(checklist, district, personas):
    gw = personas.grid_worker
    plan = s.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)
    s.start_rectification(plan, actor=gw)
    s.request_recheck(plan, actor=gw)
    inspect(district.premises_a, actor=gw, kind=InspectionKind.ACCEPTANCE)
    record = plan.documents.get(kind=DocumentKind.ACCEPTANCE)
    assert record.content["result"]["passed"] is True
    text = text_of(documents.pdf_bytes(record))
    assert "验收单" in text and record.serial in text
