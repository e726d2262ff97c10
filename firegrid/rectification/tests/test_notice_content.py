"""What a rectification notice says: who inspected (the people who found its hazards, not the officer who
issued it), the checklist's measure under 整改措施 and its acceptance standard under 验收标准, and that a
notice of up to six hazards is one A4 sheet (rendered with the real WeasyPrint)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.inspections.models import ChecklistItem
from firegrid.rectification import documents
from firegrid.rectification import services as s
from firegrid.rectification.choices import DocumentKind
from firegrid.rectification.testing import inspect, plan_with_hazards

pytestmark = pytest.mark.django_db


def pages_of(data: bytes) -> list[str]:
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def test_the_notice_names_the_inspectors_who_found_the_hazards_not_the_issuing_officer(
    checklist, district, personas
):
    first = t.make_user("finder1", Role.GRID_WORKER, [district.grid_a], full_name="陈立新")
    second = t.make_user("finder2", Role.GRID_WORKER, [district.grid_a], full_name="周晓梅")
    inspect(district.premises_a, actor=first, fail=["SEP-01"])
    inspect(district.premises_a, actor=second, fail=["EXIT-03"])
    officer = personas.grid_worker  # draws up the plan and issues the notice, found nothing
    plan = s.notify_plan(s.create_plan(district.premises_a, actor=officer), actor=officer)
    assert plan.officer == officer

    notice = plan.documents.get(kind=DocumentKind.NOTICE)
    # Each finder once, earliest inspection first; the officer is not among them.
    assert [i["name"] for i in notice.content["inspectors"]] == ["陈立新", "周晓梅"]
    text = "".join(pages_of(documents.pdf_bytes(notice)))
    assert "检查人员：陈立新、周晓梅" in text
    assert str(officer) not in text


def test_one_inspector_finding_every_hazard_is_named_once(checklist, district, personas):
    gw = personas.grid_worker
    plan = s.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)
    assert plan.documents.get().content["inspectors"] == [{"name": str(gw), "badge": ""}]


def test_the_notice_prints_the_measure_and_the_acceptance_standard_as_distinct_texts(
    checklist, district, personas
):
    gw = personas.grid_worker
    plan = s.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)
    notice = plan.documents.get(kind=DocumentKind.NOTICE)
    text = "".join(pages_of(documents.pdf_bytes(notice)))
    for row in notice.content["hazards"]:
        item = ChecklistItem.objects.get(template__code="zj-2019.1", code=row["code"])
        assert row["measure"] == item.measure and row["acceptance"] == item.acceptance
        assert row["measure"] != row["acceptance"]
        for piece in (row["measure"], row["acceptance"]):
            assert re.sub(r"\s+", "", piece) in text, piece


def _longest_applicable_codes(premises, actor, count: int) -> list[str]:
    """The applicable items with the longest printed texts: the hardest notice to fit on one sheet."""
    probe = inspect(premises, actor=actor, fail=())  # passes everything: no hazard
    items = sorted(
        probe.applicable_items(),
        key=lambda i: -(len(i.title) + len(i.measure) + len(i.acceptance)),
    )
    return [i.code for i in items[:count]]


@pytest.mark.parametrize("order", [False, True], ids=["notice", "order"])
@pytest.mark.parametrize("count", [2, 6])
def test_a_notice_of_up_to_six_hazards_fits_one_a4_page(checklist, district, personas, count, order):
    gw = personas.grid_worker
    codes = _longest_applicable_codes(district.premises_a, gw, count)
    plan = s.notify_plan(plan_with_hazards(district.premises_a, actor=gw, fail=codes), actor=gw, order=order)
    notice = plan.documents.get(kind=DocumentKind.ORDER if order else DocumentKind.NOTICE)
    assert len(notice.content["hazards"]) == count

    pages = pages_of(documents.pdf_bytes(notice))

    assert len(pages) == 1, f"{count} hazards took {len(pages)} pages"
    reader = PdfReader(io.BytesIO(documents.pdf_bytes(notice)))
    assert abs(float(reader.pages[0].mediabox.height) - 841.89) <= 1  # A4
    # Everything is on it: every hazard, the signatures and the seal.
    assert all(code in pages[0] for code in codes)
    assert "签收" in pages[0] and "盖章" in pages[0] and "检查人员（签名）" in pages[0]
