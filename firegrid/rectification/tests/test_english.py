"""Plans in the reader's language, notices always in Chinese: the plan pages show a hazard's title, measure and
acceptance standard in English while the plan's text is still the checklist's own; the reasons the system
writes on a plan's moves are stored in Chinese and shown translated; a notice issued and opened by an English
user prints Chinese."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from firegrid.conftest import assert_status
from firegrid.inspections.models import ChecklistItem
from firegrid.rectification import move_reasons
from firegrid.rectification import services as s
from firegrid.rectification.choices import DocumentKind, PlanState
from firegrid.rectification.models import PlanItem
from firegrid.rectification.testing import plan_with_hazards

pytestmark = pytest.mark.django_db


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def bundled(code: str) -> ChecklistItem:
    return ChecklistItem.objects.get(template__code="zj-2019.1", code=code)


def pdf_text(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return "".join(re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def plan(checklist, district, personas):
    """premises_a with SEP-01 and EXIT-03 failed, the notice served by an English-speaking officer."""
    gw = personas.grid_worker
    with translation.override("en"):
        return s.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)


def test_a_notice_issued_and_opened_in_english_prints_chinese(login, personas, plan):
    notice = plan.documents.get(kind=DocumentKind.NOTICE)
    item = bundled("SEP-01")
    row = next(h for h in notice.content["hazards"] if h["code"] == "SEP-01")
    assert (row["title"], row["measure"], row["acceptance"]) == (item.title, item.measure, item.acceptance)

    response = english(login(personas.grid_worker)).get(
        reverse("rectification:document_pdf", args=[notice.pk])
    )
    assert_status(response, 200)
    text = pdf_text(response)
    assert "隐患整改通知书" in text and "整改措施" in text
    assert re.sub(r"\s+", "", item.measure) in text
    for english_text in (item.title_en, item.measure_en, "Measure", "Acceptance"):
        assert re.sub(r"\s+", "", english_text) not in text


def test_the_plan_page_shows_the_checklist_texts_in_english_until_an_officer_edits_them(
    login, personas, plan
):
    item = bundled("SEP-01")
    edited = "拆除店内液化气钢瓶，改用电磁炉。"
    PlanItem.objects.filter(plan=plan, hazard__item__code="EXIT-03").update(measure=edited)
    exit_03 = bundled("EXIT-03")
    url = reverse("rectification:plan_detail", args=[plan.pk])

    page = english(login(personas.grid_worker)).get(url).content.decode()
    assert item.title_en in page and item.measure_en in page and item.acceptance_en in page
    assert item.measure not in page
    # An officer's own text is shown as written; its untouched standard still in English.
    assert edited in page and exit_03.measure_en not in page and exit_03.acceptance_en in page

    chinese = login(personas.grid_worker).get(url).content.decode()
    assert item.measure in chinese and item.measure_en not in chinese
    assert_status(english(login(personas.outsider)).get(url), 404)


def test_the_landlord_reads_the_plan_in_english(personas, plan):
    client = english(Client())
    client.force_login(personas.landlord)
    page = client.get(f"/portal/plans/{plan.public_key}/").content.decode()
    item = bundled("SEP-01")
    assert item.title_en in page and item.measure_en in page and item.acceptance_en in page
    assert item.measure not in page


def test_the_plan_form_glosses_the_chinese_text_in_english(login, district, personas, checklist):
    gw = personas.grid_worker
    from firegrid.rectification.testing import inspect

    inspect(district.premises_a, actor=gw, fail=["SEP-01"])
    page = english(login(gw)).get(reverse("rectification:plan_create", args=[district.premises_a.pk]))
    assert_status(page, 200)
    text = page.content.decode()
    item = bundled("SEP-01")
    # The field keeps the Chinese, which the notice prints; its English meaning is shown beneath.
    assert item.measure in text and item.measure_en in text and item.title_en in text


def test_a_reason_written_in_english_is_stored_in_chinese_and_shown_in_the_readers_language(
    login, personas, plan
):
    client = english(Client())
    client.force_login(personas.landlord)
    response = client.post(f"/portal/plans/{plan.public_key}/pledge/", {"signed_name": "张建国"})
    assert_status(response, 302)
    move = plan.moves.get(to_state=PlanState.RECTIFYING)
    assert move.reason == "房东签署承诺书"
    with translation.override("en"):
        assert move.reason_text == "Landlord signed the pledge"
    with translation.override("zh-hans"):  # the request above left English active in this thread
        assert move.reason_text == "房东签署承诺书"
    page = english(login(personas.grid_worker)).get(reverse("rectification:plan_detail", args=[plan.pk]))
    assert "Landlord signed the pledge" in page.content.decode()


def test_the_overdue_job_writes_chinese_whatever_the_language(plan):
    plan.deadline = timezone.localdate() - dt.timedelta(days=1)
    plan.save(update_fields=["deadline"])
    with translation.override("en"):
        assert s.mark_overdue() == 1
    move = plan.moves.get(to_state=PlanState.OVERDUE)
    assert move.reason == f"已超过整改期限 {plan.deadline}"
    with translation.override("en"):
        assert move.reason_text == f"Past the rectification deadline ({plan.deadline})"


def test_known_reasons_round_trip_and_typed_ones_stay_as_typed():
    stored = move_reasons.written(move_reasons.LADDER, days=12, move="提级联合处置")
    assert stored == "逾期 12 天，按处置阶梯提级联合处置"
    with translation.override("en"):
        assert move_reasons.shown(stored) == "12 days overdue: Escalate to joint team (escalation ladder)"
        codes = move_reasons.written(move_reasons.RECHECK_FAILED, codes="SEP-01、EXIT-03")
        assert move_reasons.shown(codes) == "The recheck found hazards not rectified: SEP-01、EXIT-03"
        assert move_reasons.shown("房东口头承诺整改") == "房东口头承诺整改"
    assert move_reasons.shown(stored) == stored
