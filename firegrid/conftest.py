"""Personas and a small district shared by every app's tests.

District 衢江区 > subdistrict 樟潭街道 (S1) > community 樟树潭社区 (C1) > grids A and A2;
subdistrict 浮石街道 (S2) > community C2 > grid B. Premises `premises_a` sits in grid A, owned by a
four-category landlord employed by `unit`; `premises_b` sits in grid B.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from firegrid import testing as t
from firegrid.areas.choices import AreaLevel, DepartmentKind, Role
from firegrid.registry.choices import PremisesKind


@pytest.fixture(autouse=True)
def chinese_by_default():
    """Every test starts in the default language; a test that switches to English must not leak it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded photos and ledgers go to a temporary folder, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def today() -> dt.date:
    """Today in the project's time zone, read when the test runs."""
    # Not a module constant: a run that crosses midnight in Shanghai would compare yesterday with today.
    return timezone.localdate()


@pytest.fixture
def district(db):
    d = t.make_area(AreaLevel.DISTRICT, "衢江区", code="330803")
    s1 = t.make_area(AreaLevel.SUBDISTRICT, "樟潭街道", d, code="330803001")
    s2 = t.make_area(AreaLevel.SUBDISTRICT, "浮石街道", d, code="330803002")
    c1 = t.make_area(AreaLevel.COMMUNITY, "樟树潭社区", s1, code="330803001001")
    c2 = t.make_area(AreaLevel.COMMUNITY, "浮石社区", s2, code="330803002001")
    grid_a = t.make_area(AreaLevel.GRID, "樟树潭一网格", c1, code="330803001001001")
    grid_a2 = t.make_area(AreaLevel.GRID, "樟树潭二网格", c1, code="330803001001002")
    grid_b = t.make_area(AreaLevel.GRID, "浮石一网格", c2, code="330803002001001")
    unit = t.make_unit("衢江区住建局")
    other_unit = t.make_unit("衢江区教育局")
    fire = t.make_department("衢江区消防救援大队", DepartmentKind.FIRE)

    landlord_a = t.make_landlord("张建国", area=grid_a, is_party_member=True, employer_unit=unit)
    landlord_b = t.make_landlord("李秀英", area=grid_b)
    building_a = t.make_building(grid_a, "樟潭街道樟树潭村12号", floors=4)
    building_b = t.make_building(grid_b, "浮石街道浮石路8号", floors=3)
    premises_a = t.make_premises(building_a, landlord_a, unit_label="整幢")
    shop_a = t.make_premises(building_a, landlord_a, kind=PremisesKind.SHOP, unit_label="1楼店面")
    premises_b = t.make_premises(building_b, landlord_b, unit_label="2楼")
    room_a = t.make_room(premises_a, "201", occupants=2)
    room_b = t.make_room(premises_b, "201")
    tenant_a = t.make_tenant(premises_a, room=room_a, head_name="王小明")
    tenant_b = t.make_tenant(premises_b, room=room_b, head_name="赵大海")
    return SimpleNamespace(**locals())


@pytest.fixture
def personas(district):
    d = district
    return SimpleNamespace(
        admin=t.make_user("admin", Role.SYSTEM_ADMIN),
        commander=t.make_user("commander", Role.DISTRICT_COMMANDER),
        fire_officer=t.make_user("fire", Role.DEPARTMENT_OFFICER, department=d.fire),
        subdistrict_officer=t.make_user("zhangtan", Role.SUBDISTRICT_OFFICER, [d.s1]),
        community_officer=t.make_user("shequ", Role.COMMUNITY_OFFICER, [d.c1]),
        grid_worker=t.make_user("wanggy", Role.GRID_WORKER, [d.grid_a]),
        outsider=t.make_user("outsider", Role.GRID_WORKER, [d.grid_b]),
        liaison=t.make_user("liaison", Role.UNIT_LIAISON, unit=d.unit),
        other_liaison=t.make_user("liaison2", Role.UNIT_LIAISON, unit=d.other_unit),
        landlord=t.make_user("landlord", Role.LANDLORD, landlord=d.landlord_a),
    )


@pytest.fixture
def graded(district, personas):
    """The district with grades for the 长效管理 figures: premises_a red (two red-line hazards found by the
    grid worker), shop_a and premises_b graded as they stand (never inspected)."""
    from django.utils import timezone

    from firegrid.rectification.testing import inspect
    from firegrid.risk import services as risk

    d = district
    inspect(d.premises_a, actor=personas.grid_worker, fail=("SEP-01", "SEP-06"))  # red
    risk.recompute_grades(
        [d.premises_a.pk, d.shop_a.pk, d.premises_b.pk], cause="command", now=timezone.now()
    )
    return d


@pytest.fixture
def login():
    """login(user) -> a Django test client signed in as that user."""

    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


# The answer a landlord gets on a staff page: sent to the portal (firegrid.portal.middleware), the staff view
# never runs.
PORTAL = "sent to the portal"


def assert_status(response, expected: int | str) -> None:
    """Assert a status code (or PORTAL); on failure show the form or API errors that explain it."""
    if expected == PORTAL:
        location = response.get("Location", "") if response.status_code == 302 else ""
        assert location.startswith("/portal/"), (
            f"expected a redirect into the portal, got {response.status_code}"
        )
        return
    if response.status_code == expected:
        return
    detail = ""
    context = getattr(response, "context", None)
    if context and context.get("form") is not None:
        detail = f"form errors: {context['form'].errors.as_json()}"
    elif hasattr(response, "data"):
        detail = f"api errors: {response.data}"
    raise AssertionError(f"expected {expected}, got {response.status_code}. {detail}")


# --- scope walks (each app's tests/test_scope.py) -------------------------------------------------------

# The personas of `personas`, in the order the walks list them.
EVERY_PERSONA = (
    "admin",
    "commander",
    "fire_officer",
    "subdistrict_officer",
    "community_officer",
    "grid_worker",
    "outsider",
    "liaison",
    "other_liaison",
    "landlord",
)
# One letter per action, in the order `allowed` writes them: view, add, change, delete, export, reveal, void.
ACTION_LETTERS = {
    "view": "v",
    "add": "a",
    "change": "c",
    "delete": "d",
    "export": "e",
    "reveal": "r",
    "void": "x",
}


def ids_of(scene, *names: str) -> set[int]:
    """The ids of the scene's rows named (attributes of the `district` namespace or another scene)."""
    return {getattr(scene, name).pk for name in names}


def seen(model, personas, action: str = "view") -> dict[str, set[int]]:
    """persona → the ids of `model.objects.visible_to(persona, action)`, for every persona."""
    return {
        name: set(model.objects.visible_to(getattr(personas, name), action).values_list("pk", flat=True))
        for name in EVERY_PERSONA
    }


def allowed(model, personas) -> dict[str, str]:
    """persona → the actions the role table lets them take on `model` at all (`can`), as ACTION_LETTERS."""
    from firegrid.core.permissions import can

    return {
        name: "".join(
            letter for action, letter in ACTION_LETTERS.items() if can(getattr(personas, name), action, model)
        )
        for name in EVERY_PERSONA
    }


def assert_refused_actions_see_nothing(model, personas) -> None:
    """An action the role may not take on `model` leaves `visible_to` empty, whatever rows are in scope."""
    from firegrid.core.permissions import can

    leaks = [
        (name, action)
        for name in EVERY_PERSONA
        for action in ACTION_LETTERS
        if not can(getattr(personas, name), action, model)
        and model.objects.visible_to(getattr(personas, name), action).exists()
    ]
    assert leaks == [], f"{model.__name__}: rows visible for actions the role may not take"


def assert_allowed_actions_reach_the_rows_seen(model, personas) -> None:
    """Scope does not depend on the action: each action the role may take reaches the rows it sees."""
    from firegrid.core.permissions import can

    differ = []
    for name in EVERY_PERSONA:
        user = getattr(personas, name)
        rows = set(model.objects.visible_to(user).values_list("pk", flat=True))
        for action in ACTION_LETTERS:
            if (
                can(user, action, model)
                and set(model.objects.visible_to(user, action).values_list("pk", flat=True)) != rows
            ):
                differ.append((name, action))
    assert differ == [], f"{model.__name__}: an allowed action reaches other rows than the ones seen"


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (Debian's), shared by the browser tests of a run."""
    import os

    from firegrid.browser import CHROMIUM_ARGS, chromium_path

    path = chromium_path()
    if path is None:
        message = "Chromium not found at /usr/bin/chromium: install Debian's chromium and chromium-driver"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (required under CI=true)")
        print(f"\n!!! SKIPPING BROWSER TESTS: {message}\n")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_for(browser, live_server):
    """page_for(user, phone=False) -> a Playwright page signed in through the login form."""
    from firegrid.testing import PASSWORD

    contexts = []

    def _page(user, phone: bool = False):
        viewport = {"width": 360, "height": 740} if phone else {"width": 1366, "height": 860}
        context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=phone, has_touch=phone)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield _page
    for context in contexts:
        context.close()


# --- the bundled checklist template -------------------------------------------------------------------
#
# Loading zj-2019.1 (about sixty items) cost 0.15-0.2 s in every test that inspects. It is loaded once,
# into the test database, when pytest-django sets that database up: every test's transaction sees it and
# each rollback leaves it. A test that changes the template (a parameter, a new draft version published)
# does so inside its own transaction, so the next test finds the bundled one unchanged. A transactional
# test (live server, `shared_db`) ends by emptying every table; the template is loaded again after it.

_session_db: dict[str, Any] = {}


def load_bundled_checklist():
    """The bundled template (zj-2019.1), published, loaded if missing. Test ground set up like the
    builders' rows, not a user action: its creation leaves no audit entry (tests read the operation log
    from empty)."""
    from firegrid.core.models import AuditEntry
    from firegrid.inspections.models import ChecklistTemplate
    from firegrid.inspections.services import load_template

    data = _bundled_checklist_data()
    template = ChecklistTemplate.objects.filter(code=data["version"]).first()
    if template is None:
        # A copy: the saved template's JSON fields must not share the cached dicts a test might change.
        template = load_template(copy.deepcopy(data))
        AuditEntry.objects.for_object(template).delete()
    return template


@functools.cache
def _bundled_checklist_data() -> dict[str, Any]:
    # Parsing the YAML is most of a load's cost: once per run (load_template only reads it).
    import yaml

    from firegrid.inspections.services import DEFAULT_TEMPLATE_FILE

    return yaml.safe_load(DEFAULT_TEMPLATE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, with the bundled checklist template loaded once for the session."""
    with django_db_blocker.unblock():
        load_bundled_checklist()
    _session_db["blocker"] = django_db_blocker
    yield
    _session_db.clear()


def _empties_the_database(item: pytest.Item) -> bool:
    # The same test pytest-django makes to choose a transactional test (TransactionTestCase's flush).
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    yield
    # After the last test the database itself goes (nextitem is None): nothing to put back.
    blocker = _session_db.get("blocker")
    if blocker is not None and nextitem is not None and _empties_the_database(item):
        with blocker.unblock():
            load_bundled_checklist()


@pytest.fixture
def checklist(db):
    """The bundled default checklist template (zj-2019.1), published (loaded once per session; see above)."""
    return load_bundled_checklist()
