"""The bundled checklist gives every item a measure text (整改措施) of its own, distinct from its acceptance
standard (验收标准), and the loader keeps it."""

from __future__ import annotations

import pytest
import yaml

from firegrid.inspections.models import ChecklistItem
from firegrid.inspections.services.templates import DEFAULT_TEMPLATE_FILE


def test_every_bundled_item_has_a_measure_distinct_from_its_acceptance_standard():
    items = yaml.safe_load(DEFAULT_TEMPLATE_FILE.read_text(encoding="utf-8"))["items"]
    missing = [i["code"] for i in items if not (i.get("measure_zh") or "").strip()]
    same = [i["code"] for i in items if i.get("measure_zh") == i.get("acceptance_zh")]
    assert missing == [] and same == []


@pytest.mark.django_db
def test_the_loaded_template_keeps_each_items_measure(checklist):
    items = yaml.safe_load(DEFAULT_TEMPLATE_FILE.read_text(encoding="utf-8"))["items"]
    stored = dict(ChecklistItem.objects.filter(template__code="zj-2019.1").values_list("code", "measure"))
    assert stored == {i["code"]: i["measure_zh"] for i in items}
