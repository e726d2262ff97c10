"""The checklist speaks the reader's language: items, categories and templates show their English texts in the
English interface (the Chinese when an item has none), the bundled template brings English measures and
acceptance standards, and the API keeps both languages side by side."""

from __future__ import annotations

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from firegrid.conftest import assert_status
from firegrid.inspections import services as s
from firegrid.inspections.models import ChecklistItem, ChecklistTemplate
from firegrid.inspections.services.templates import DEFAULT_TEMPLATE_FILE, create_template_version
from firegrid.rectification.testing import inspect

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def bundled_item(code: str) -> ChecklistItem:
    return ChecklistItem.objects.select_related("template").get(template__code="zj-2019.1", code=code)


def test_every_bundled_item_has_an_english_measure_and_acceptance_standard():
    items = yaml.safe_load(DEFAULT_TEMPLATE_FILE.read_text(encoding="utf-8"))["items"]
    missing = [
        i["code"]
        for i in items
        if (i.get("measure_zh") and not (i.get("measure_en") or "").strip())
        or (i.get("acceptance_zh") and not (i.get("acceptance_en") or "").strip())
    ]
    assert missing == []
    # Distinct texts in English as in Chinese: a notice's two columns never say the same thing.
    assert [i["code"] for i in items if i["measure_en"] == i["acceptance_en"]] == []


def test_the_loaded_template_keeps_the_english_texts(checklist):
    items = yaml.safe_load(DEFAULT_TEMPLATE_FILE.read_text(encoding="utf-8"))["items"]
    stored = {
        code: (measure, acceptance)
        for code, measure, acceptance in ChecklistItem.objects.filter(template__code="zj-2019.1").values_list(
            "code", "measure_en", "acceptance_en"
        )
    }
    assert stored == {i["code"]: (i["measure_en"], i["acceptance_en"]) for i in items}


def test_a_new_version_copies_the_english_texts(checklist, personas):
    draft = create_template_version(checklist, code="qj-2026.1", actor=personas.admin)
    copied = draft.items.get(code="SEP-01")
    original = bundled_item("SEP-01")
    assert (copied.title_en, copied.requirement_en, copied.measure_en, copied.acceptance_en) == (
        original.title_en,
        original.requirement_en,
        original.measure_en,
        original.acceptance_en,
    )
    assert draft.name_en == checklist.name_en and draft.categories == checklist.categories


def test_display_texts_follow_the_language_and_fall_back_to_chinese(checklist):
    item = bundled_item("EXIT-01")
    template = item.template
    texts = lambda: (  # noqa: E731 — read again in each language
        item.display_title,
        item.display_requirement,
        item.display_measure,
        item.display_acceptance,
        template.display_name,
        template.category_name("EXIT"),
    )
    assert texts() == (
        item.title,
        item.requirement,
        item.measure,
        item.acceptance,
        template.name,
        "安全疏散",
    )
    with translation.override("en"):
        assert texts() == (
            "Routes and exits clear",
            item.requirement_en,
            item.measure_en,
            item.acceptance_en,
            template.name_en,
            "Escape routes and exits",
        )
        item.title_en = item.measure_en = ""
        assert (item.display_title, item.display_measure) == (item.title, item.measure)
        assert template.category_name("NOPE") == "NOPE"


def test_a_copied_text_shows_in_english_only_while_it_is_unchanged(checklist):
    item = bundled_item("EXIT-01")
    with translation.override("en"):
        assert item.display_text(item.measure) == item.measure_en
        assert item.display_text(item.acceptance) == item.acceptance_en
        assert item.display_text(item.requirement) == item.requirement_en
        edited = item.measure + "（另：加装声光报警）"
        assert item.display_text(edited) == edited
    assert item.display_text(item.measure) == item.measure


def test_the_migration_fills_english_only_where_the_chinese_is_the_bundled_one(checklist):
    from importlib import import_module

    fill_english = import_module(
        "firegrid.inspections.migrations.0004_checklist_item_english_measure"
    ).fill_english
    kept, rewritten = bundled_item("SEP-01"), bundled_item("SEP-02")
    ChecklistItem.objects.filter(pk=kept.pk).update(measure_en="", acceptance_en="")
    ChecklistItem.objects.filter(pk=rewritten.pk).update(
        measure="本区自定的整改措施", measure_en="", acceptance_en=""
    )

    fill_english(apps, None)

    kept.refresh_from_db()
    rewritten.refresh_from_db()
    assert kept.measure_en and kept.acceptance_en
    assert rewritten.measure_en == ""  # a district's own text gets no English that says something else
    assert rewritten.acceptance_en  # its acceptance standard is still the bundled one


def test_the_checklist_form_shows_english_titles_and_categories_in_english(
    login, district, personas, checklist
):
    inspection = s.start_inspection(actor=personas.grid_worker, premises=district.premises_a)
    url = reverse("inspections:inspection_detail", args=[inspection.pk])
    item = bundled_item("EXIT-01")

    chinese = login(personas.grid_worker).get(url).content.decode()
    assert item.title in chinese and "安全疏散" in chinese
    assert item.title_en not in chinese and "Escape routes and exits" not in chinese

    response = english(login(personas.grid_worker)).get(url)
    assert_status(response, 200)
    page = response.content.decode()
    assert item.title_en in page and "Escape routes and exits" in page and item.requirement_en in page
    assert item.title not in page and "安全疏散" not in page


def test_found_hazards_show_in_the_readers_language(login, district, personas, checklist):
    gw = personas.grid_worker
    inspection = inspect(district.premises_a, actor=gw, fail=["EXIT-01"])
    hazard = inspection.hazards_found.get()
    item = bundled_item("EXIT-01")
    client = english(login(gw))
    detail = client.get(reverse("inspections:inspection_detail", args=[inspection.pk])).content.decode()
    assert item.title_en in detail and "Escape routes and exits" in detail
    listing = client.get(reverse("inspections:hazard_list")).content.decode()
    assert item.title_en in listing and item.title not in listing
    page = client.get(reverse("inspections:hazard_detail", args=[hazard.pk])).content.decode()
    assert item.measure_en in page and item.acceptance_en in page and item.acceptance not in page
    premises = client.get(reverse("registry:premises_detail", args=[district.premises_a.pk])).content.decode()
    assert item.title_en in premises
    # Out of scope stays out of scope in either language.
    assert_status(
        english(login(personas.outsider)).get(reverse("inspections:hazard_detail", args=[hazard.pk])), 404
    )


def test_the_template_page_speaks_english(login, personas, checklist):
    page = english(login(personas.admin)).get(reverse("inspections:template_detail", args=[checklist.pk]))
    text = page.content.decode()
    assert checklist.name_en in text and bundled_item("SEP-01").title_en in text
    description = checklist.parameters["min_area_per_person_m2"]["description_en"]
    assert description in text


def test_the_api_keeps_both_languages_whatever_the_readers(login, district, personas, checklist):
    item = bundled_item("EXIT-01")
    client = english(login(personas.grid_worker))
    response = client.get(f"/api/v1/checklist-templates/{item.template_id}/items/", {"page_size": 100})
    assert_status(response, 200)
    data = next(row for row in response.json()["results"] if row["code"] == "EXIT-01")
    assert (data["title"], data["title_en"]) == (item.title, item.title_en)
    assert (data["measure"], data["measure_en"]) == (item.measure, item.measure_en)
    assert (data["acceptance"], data["acceptance_en"]) == (item.acceptance, item.acceptance_en)
    assert data["category_name"] == "安全疏散"


def test_templates_list_in_english(login, personas, checklist):
    text = english(login(personas.admin)).get(reverse("inspections:template_list")).content.decode()
    assert ChecklistTemplate.objects.get(code="zj-2019.1").name_en in text


def test_the_landlords_self_check_form_speaks_english(login, district, personas, checklist):
    from firegrid.longterm.selfcheck import self_check_items

    items = self_check_items(district.premises_a)
    url = reverse("portal:self_inspection_form", args=[district.premises_a.pk])
    page = english(login(personas.landlord)).get(url)
    assert_status(page, 200)
    text = page.content.decode()
    assert all(item.title_en in text and item.title not in text for item in items)
    # Another landlord's premises stays out of reach in English too.
    assert_status(
        english(login(personas.landlord)).get(
            reverse("portal:self_inspection_form", args=[district.premises_b.pk])
        ),
        404,
    )
