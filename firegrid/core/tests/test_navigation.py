"""The left menu marks the page the user is on: aria-current="page" and the active style on one entry, the
longest link that is the page or a folder of it, else the first of the page's URL namespace."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from firegrid.core.templatetags.navigation import current_entry, mark_current

MENU = (
    '<a href="/" class="">首页</a>'
    '<a href="/inspections/">检查记录</a>'
    '<a href="/inspections/hazards/">隐患</a>'
    '<a href="/tasks/?mine=true">我的任务</a>'
    '<a href="/rectification/plans/">整改方案</a>'
)


@pytest.mark.parametrize(
    ("path", "entry"),
    [
        ("/", "/"),
        ("/inspections/", "/inspections/"),
        ("/inspections/12/", "/inspections/"),
        ("/inspections/hazards/", "/inspections/hazards/"),
        ("/inspections/hazards/12/", "/inspections/hazards/"),
        ("/tasks/3/", "/tasks/"),
        # Under no entry: the first entry of the page's namespace (the premises file is rectification's).
        ("/rectification/premises/5/file/", "/rectification/plans/"),
        # Nothing of the menu's: no entry, and never the home page by prefix.
        ("/no-such-page/", None),
    ],
)
def test_the_entry_is_the_longest_folder_of_the_path(path, entry):
    paths = ["/", "/inspections/", "/inspections/hazards/", "/tasks/", "/rectification/plans/"]
    assert current_entry(paths, path) == entry


def test_only_the_current_entry_is_marked():
    marked = mark_current(MENU, "/inspections/hazards/7/")
    assert marked.count('aria-current="page"') == 1
    assert '<a href="/inspections/hazards/" class="active" aria-current="page">隐患</a>' in marked
    assert '<a href="/inspections/">检查记录</a>' in marked


def test_an_entry_with_a_class_keeps_it_and_gains_active_once():
    menu = '<a href="/" class="active">首页</a><a href="/x/" class="big">X</a>'
    assert (
        mark_current(menu, "/")
        == '<a href="/" class="active" aria-current="page">首页</a><a href="/x/" class="big">X</a>'
    )
    assert '<a href="/x/" class="big active" aria-current="page">' in mark_current(menu, "/x/1/")


def test_a_link_with_a_query_matches_by_its_path():
    assert '<a href="/tasks/?mine=true" class="active" aria-current="page">' in mark_current(MENU, "/tasks/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "entry"),
    [
        ("inspections:hazard_list", "inspections:hazard_list"),
        ("inspections:inspection_list", "inspections:inspection_list"),
        ("rectification:plan_list", "rectification:plan_list"),
        ("registry:premises_list", "registry:premises_list"),
        ("pages:home", "pages:home"),
    ],
)
def test_every_page_marks_its_menu_entry(login, personas, url, entry):
    html = login(personas.subdistrict_officer).get(reverse(url)).content.decode()
    sidebar = html[
        html.index('<nav class="sidebar"') : html.index("</nav>", html.index('<nav class="sidebar"'))
    ]
    current = re.findall(r'<a href="([^"]*)"[^>]*aria-current="page"', sidebar)
    assert current == [reverse(entry)]
