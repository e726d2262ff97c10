"""The daily report and the units' ranking read on a phone (issue 14 items 7 and 9): the reader's own row
first and highlighted, the areas under it, long rankings folded after the first rows — with every row and
every figure's link still in the page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from firegrid.conftest import assert_status
from firegrid.reports import layout
from firegrid.reports.models import FIGURES, Dimension

from . import phone_scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(district, personas):
    return phone_scene.build(district, personas)


def day_url(scene) -> str:
    return reverse("reports:day", args=[scene.campaign.code, scene.day.isoformat()])


def page(client, url: str, **params):
    response = client.get(url, params)
    assert_status(response, 200)
    return response, response.content.decode()


def rows_html(html: str, dimension: str) -> list[str]:
    """The <tr> elements of one section's table, in page order."""
    section = html.split(f'id="section-{dimension}"', 1)[1].split("</details>", 1)[0]
    return re.findall(r"<tr[ >].*?</tr>", section.split("<tbody>", 1)[1], flags=re.S)


def opening_tag(html: str, anchor: str) -> str:
    match = re.search(rf'<details[^>]*id="{anchor}"[^>]*>', html)
    assert match is not None, anchor
    return match.group(0)


def highlighted(rows: list[str]) -> list[str]:
    return [row for row in rows if 'aria-current="true"' in row]


def test_the_liaison_sees_their_units_row_highlighted_though_it_ranks_last(scene, district, personas, login):
    response, html = page(login(personas.liaison), day_url(scene))
    rows = rows_html(html, Dimension.UNIT)
    assert len(rows) == phone_scene.EXTRA + 2
    (own,) = highlighted(rows)
    assert rows[-1] == own  # last by rank: the phone pins it first (CSS order), the desktop keeps its place
    assert f'data-key="{district.unit.pk}"' in own
    assert 'class="current"' in own and '<span class="badge-own">本单位</span>' in own
    # Beyond the first rows the others fold on a phone — still in the page with their figures' links.
    folded = [row for row in rows if 'class="folded"' in row]
    assert len(folded) == len(rows) - layout.TOP - 1
    assert 'class="folded"' not in own
    # The unit's card comes first, with its rank out of every unit and each figure a link to its list.
    card = html.split('class="card own-area"', 1)[1].split("</section>", 1)[0]
    assert html.index('class="card own-area"') < html.index('id="section-unit"')
    assert "衢江区住建局" in card and "本单位" in card
    assert f"第 {phone_scene.EXTRA + 2} / {phone_scene.EXTRA + 2} 名" in card
    assert all(f'data-figure="{name}"' in card for name in FIGURES)
    assert [r.pk for r in response.context["own"]] == [
        scene.snapshot.rows.get(dimension=Dimension.UNIT, key=str(district.unit.pk)).pk
    ]


def test_another_units_liaison_does_not_see_it_highlighted(scene, district, personas, login):
    _response, html = page(login(personas.other_liaison), day_url(scene))
    rows = rows_html(html, Dimension.UNIT)
    (own,) = highlighted(rows)
    assert f'data-key="{district.other_unit.pk}"' in own
    theirs = next(row for row in rows if f'data-key="{district.unit.pk}"' in row)
    assert "current" not in theirs and "badge-own" not in theirs
    assert "衢江区住建局" not in html.split('class="card own-area"', 1)[1].split("</section>", 1)[0]


def test_each_reader_gets_their_own_area_first_and_the_areas_under_it(scene, district, personas, login):
    d = district

    def own_and_children(user):
        response, _html = page(login(user), day_url(scene))
        own = [(r.dimension, r.name) for r in response.context["own"]]
        return own, [r.name for r in response.context["children"]]

    assert own_and_children(personas.commander) == ([("total", "全区合计")], ["樟潭街道", "浮石街道"])
    assert own_and_children(personas.subdistrict_officer) == ([("subdistrict", "樟潭街道")], ["樟树潭社区"])
    community_own, grids = own_and_children(personas.community_officer)
    assert community_own == [("community", "樟树潭社区")]
    # Its grids in rank order: the 14 finished first, 樟树潭一网格 (0 %) last (二网格 has no targets).
    assert grids[:2] == ["樟树潭01网格", "樟树潭02网格"] and grids[-1] == d.grid_a.name
    assert own_and_children(personas.grid_worker) == ([("grid", d.grid_a.name)], [])


def test_a_long_ranking_folds_after_the_first_rows_and_unfolds_on_request(scene, personas, login):
    client = login(personas.commander)
    _response, html = page(client, day_url(scene))
    grid_rows = rows_html(html, Dimension.GRID)
    assert len(grid_rows) > layout.TOP
    assert sum('class="folded"' in row for row in grid_rows) == len(grid_rows) - layout.TOP
    # Every row keeps its figures' links (the traceable-figure rule): 8 per row.
    assert all(row.count("data-figure=") == len(FIGURES) for row in grid_rows)
    tag = opening_tag(html, "section-grid")
    assert "show-all" not in tag and " open" not in tag and "data-open-on-desktop" in tag
    unfold = 'href="?all=grid#section-grid" data-show-all="section-grid"'
    assert unfold in html
    assert f"展开全部 {len(grid_rows)} 个" in html
    # Without a script the link's page opens that section in full, keeping the version asked for.
    _response, html = page(client, day_url(scene), all="grid", version=scene.snapshot.version)
    tag = opening_tag(html, "section-grid")
    assert "show-all" in tag and tag.endswith(" open>") and "data-open-on-desktop" not in tag
    assert f'href="?version={scene.snapshot.version}&amp;all=unit#section-unit"' in html


def test_each_folded_section_says_its_headline_figure(scene, personas, login):
    _response, html = page(login(personas.commander), day_url(scene))
    summaries = dict(
        re.findall(
            r'id="section-(\w+)".*?<summary>\s*<h2>.*?</h2>\s*<span class="headline">(.*?)</span>', html, re.S
        )
    )
    assert summaries[Dimension.TOTAL].startswith("完成率 88.2% · 已验收 15 / 17")
    assert summaries[Dimension.GRID] == f"共 {phone_scene.EXTRA + 2} 个 · 第一名 樟树潭01网格 100.0%"
    # The liaison's summary of the units' ranking names their own rank instead.
    _response, html = page(login(personas.liaison), day_url(scene))
    summary = html.split('id="section-unit"', 1)[1].split("</summary>", 1)[0]
    assert "本单位" in summary and f"第 {phone_scene.EXTRA + 2} / {phone_scene.EXTRA + 2} 名" in summary


# --- 本单位认领: the units' ranking on the unit page ----------------------------------------------------------


def unit_rows(html: str) -> list[str]:
    table = html.split('class="table responsive ranking"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr[ >].*?</tr>", table.split("<tbody>", 1)[1], flags=re.S)


def test_the_unit_page_highlights_the_liaisons_own_unit_only(scene, district, personas, login):
    url = reverse("campaigns:unit_page", args=[scene.campaign.pk])
    _response, html = page(login(personas.liaison), url)
    rows = unit_rows(html)
    (own,) = highlighted(rows)
    assert f'data-unit="{district.unit.pk}"' in own and 'class="current"' in own and "本单位" in own
    assert rows[-1] == own  # ranked last, outside the first rows, never folded
    assert sum('class="folded"' in row for row in rows) == len(rows) - layout.TOP - 1
    assert 'data-show-all="unit-ranking"' in html

    _response, html = page(login(personas.other_liaison), url)
    (own,) = highlighted(unit_rows(html))
    assert f'data-unit="{district.other_unit.pk}"' in own
    theirs = next(row for row in unit_rows(html) if f'data-unit="{district.unit.pk}"' in row)
    assert "current" not in theirs and "本单位" not in theirs

    # The command looking at a unit's page: that unit's row is the current one, without 本单位.
    _response, html = page(login(personas.commander), url, unit=district.unit.pk)
    (current,) = highlighted(unit_rows(html))
    assert f'data-unit="{district.unit.pk}"' in current and "badge-own" not in current
    assert f'href="?unit={district.unit.pk}&amp;all=ranking#unit-ranking"' in html
    _response, html = page(login(personas.commander), url, unit=district.unit.pk, all="ranking")
    assert 'class="related foldable show-all"' in html
