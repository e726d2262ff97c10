"""The daily report in the reader's language: the total and four-category rows are stored in Chinese whoever
made the report and shown translated (全区合计 → District total), and the bulletin PDF is printed in the
language of whoever downloads it."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from firegrid.conftest import PORTAL, assert_status
from firegrid.reports import services
from firegrid.reports.models import Dimension
from firegrid.reports.testing import at, history, make_campaign, target
from firegrid.testing import pdf_text

pytestmark = pytest.mark.django_db
DAY = timezone.localdate() - dt.timedelta(days=1)


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def snapshot(district, personas):
    """premises_a accepted the day of the report, premises_b not surveyed; made by the command in English."""
    campaign = make_campaign()
    target(campaign, district.premises_a, district.premises_b)
    history(
        campaign,
        district.premises_a,
        personas.grid_worker,
        [(at(DAY), "notified"), (at(DAY, 15), "accepted")],
    )
    with translation.override("en"):
        return services.generate_snapshot(campaign, DAY, actor=personas.commander)


def url(name: str) -> str:
    return reverse(f"reports:{name}", args=["tq", DAY.isoformat()])


def test_fixed_row_names_are_stored_in_chinese_and_shown_in_the_readers_language(snapshot):
    total = snapshot.rows.get(dimension=Dimension.TOTAL)
    everyone = snapshot.rows.get(dimension=Dimension.FOUR_CATEGORY, key="all")
    party = snapshot.rows.get(dimension=Dimension.FOUR_CATEGORY, key="is_party_member")
    assert (total.name, everyone.name, party.name) == ("全区合计", "四类人员合计", "党员")
    assert total.display_name == "全区合计"
    with translation.override("en"):
        assert total.display_name == "District total"
        assert everyone.display_name == "All four-category landlords"
        assert party.display_name == "Party member"


def test_the_total_row_says_district_total_on_the_english_page(snapshot, personas, login):
    page = english(login(personas.commander)).get(url("day"))
    assert_status(page, 200)
    text = page.content.decode()
    assert "District total" in text and "全区合计" not in text
    chinese = login(personas.commander).get(url("day")).content.decode()
    assert "全区合计" in chinese and "District total" not in chinese


def test_the_english_spreadsheet_names_the_total_row_in_english(snapshot, personas, login):
    response = english(login(personas.commander)).get(url("xlsx"))
    assert_status(response, 200)
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    first = book.worksheets[0]
    assert list(first.values)[1][0] == "District total"


def flat(text: str) -> str:
    """Without whitespace: a narrow table cell breaks a Chinese name over lines."""
    return re.sub(r"\s+", "", text)


def test_the_bulletin_pdf_follows_its_reader(snapshot, personas, login):
    english_pdf = english(login(personas.commander)).get(url("pdf"))
    assert_status(english_pdf, 200)
    text = pdf_text(english_pdf.content)
    for heading in ("District total", "Rank", "Name", "Completion rate", "Grid", "Party member", "Outreach"):
        assert heading in text, heading
    assert "全区合计" not in text and "四类人员" not in text and "宣传形式" not in text
    assert "樟树潭一网格" in flat(text)  # names are the areas' own

    chinese = pdf_text(login(personas.commander).get(url("pdf")).content)
    assert "全区合计" in chinese and "排名" in chinese and "排名规则" in chinese and "第 1 页" in chinese
    assert "District total" not in chinese and "Completion rate" not in chinese


# Needs the English catalogue compiled with this change's msgids (the bulletin's sentences, its title and the
# page footer): until then those print their Chinese msgids.
def test_the_english_bulletin_prints_no_chinese_but_names(snapshot, personas, login):
    text = flat(pdf_text(english(login(personas.commander)).get(url("pdf")).content))
    for name in (settings.FIREGRID_ISSUER, snapshot.campaign.name, "樟树潭一网格", "浮石一网格"):
        text = text.replace(flat(name), "")
    assert re.findall(r"[\u4e00-\u9fff]+", text) == []
    assert "Page1of" in text or "Page1/" in text


def test_the_bulletin_keeps_its_scope_in_english(snapshot, personas, login):
    text = flat(pdf_text(english(login(personas.grid_worker)).get(url("pdf")).content))
    assert "樟树潭一网格" in text and "浮石一网格" not in text
    assert_status(english(login(personas.landlord)).get(url("pdf")), PORTAL)


def test_the_page_footer_is_css_around_the_page_counters():
    from firegrid.reports.views import page_footer_css

    assert page_footer_css() == '"第 " counter(page) " 页 共 " counter(pages) " 页"'
