"""The hazard list fits a 1440 px desktop (issue 14): 发现时间 waits in the column chooser below 1600 px
(`wide_only`), a long address is cut with the whole of it in the tooltip (`truncate`), 整改期限 stays."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from firegrid import testing as t
from firegrid.rectification.testing import inspect

pytestmark = pytest.mark.django_db

LONG = "樟潭街道樟树潭村樟树潭自然村后山脚下沿溪小路东侧第三排自建房屋108号"


def test_hazard_list_marks_its_wide_only_and_truncated_columns(login, checklist, district, personas):
    premises = t.make_premises(t.make_building(district.grid_a, LONG), district.landlord_a, unit_label="2楼")
    inspect(premises, actor=personas.grid_worker, fail=("SEP-01",))
    html = login(personas.grid_worker).get(reverse("inspections:hazard_list")).content.decode()
    assert re.search(r'<th data-col="found_at" data-wide-only>', html)
    assert re.search(r'<td data-col="found_at" data-label="发现时间"[^>]* data-wide-only>', html)
    assert re.search(
        r'<input type="checkbox" data-col="found_at" checked data-default="1" data-wide-only>', html
    )
    assert re.search(r'<th data-col="deadline">', html)  # never left out
    assert f'<span class="truncate" title="{LONG} 2楼">{LONG} 2楼</span>' in html
