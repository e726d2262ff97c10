"""Staff pages of 房东自查: the self-inspection list (anonymous → 403 → allowed, scope, filters, export), one
self-inspection (outsider 404; answers, photos and the contradicted items), its photos' files, the owed list,
the premises page's part for the verifying grid worker, and the figures whose every count equals the list
it opens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.conftest import assert_status
from firegrid.longterm import services
from firegrid.longterm.choices import SelfInspectionStatus
from firegrid.longterm.figures import DRILL_DOWNS, figure_rows
from firegrid.longterm.models import SelfInspection, SelfInspectionPhoto
from firegrid.longterm.selfcheck import PHOTO_CODES, period_of, previous_period
from firegrid.rectification.testing import inspect

from .self_checks import make_self_inspection, submit

pytestmark = pytest.mark.django_db

LIST = reverse("longterm:selfinspection_list")
OWED = reverse("longterm:owed_list")


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def scene(district, personas, checklist, django_capture_on_commit_callbacks):
    """This period in grid A: premises_a submitted, drawn and contradicted; `waiting` submitted and drawn,
    not yet visited; `late` submitted after the draw; shop_a owed, not submitted. Grid B: premises_b's
    landlord has no account; `owing_b` (another landlord, with an account) owes and has not submitted.
    Last period: premises_a submitted, the rest of grid A's recorded as missed."""
    d = district
    now = period_of(timezone.localdate())
    last = previous_period(timezone.localdate())
    d.waiting = t.make_premises(d.building_a, d.landlord_a, unit_label="3楼")
    d.late = t.make_premises(d.building_a, d.landlord_a, unit_label="4楼")
    landlord_c = t.make_landlord("王五", area=d.grid_b)
    t.make_user("landlord-c", Role.LANDLORD, landlord=landlord_c)
    d.owing_b = t.make_premises(d.building_b, landlord_c, unit_label="3楼")
    make_self_inspection(d.premises_a, last, submitted_by=personas.landlord)
    d.misses = services.record_missed_self_inspections(last, today=timezone.localdate())
    d.contradicted = submit(d.premises_a, personas.landlord)
    d.awaiting = submit(d.waiting, personas.landlord)
    services.draw_verifications(now, actor=None, rate=1, seed=1)
    d.not_drawn = submit(d.late, personas.landlord)
    with django_capture_on_commit_callbacks(execute=True):
        inspect(d.premises_a, actor=personas.grid_worker, fail=("EQUIP-03",))
    d.period, d.last = now, last
    return d


def test_anonymous_is_sent_to_sign_in_and_a_unit_liaison_gets_403(scene, personas, client, login):
    detail = reverse("longterm:selfinspection_detail", args=[scene.contradicted.pk])
    photo = scene.contradicted.photos.first()
    urls = (LIST, OWED, detail, reverse("longterm:selfinspectionphoto_file", args=[photo.pk, "image"]))
    for url in urls:
        assert client.get(url).status_code == 302
    assert_status(login(personas.liaison).get(LIST), 403)
    assert_status(login(personas.liaison).get(OWED), 403)
    # A unit liaison sees no self-inspection at all: one is not found for them.
    assert_status(login(personas.liaison).get(detail), 404)


def test_outsider_does_not_find_grid_as_self_inspections(scene, personas, login):
    client = login(personas.outsider)
    rows = client.get(LIST).context["rows"]
    assert rows == []
    assert_status(client.get(reverse("longterm:selfinspection_detail", args=[scene.contradicted.pk])), 404)
    photo = scene.contradicted.photos.first()
    assert_status(client.get(reverse("longterm:selfinspectionphoto_file", args=[photo.pk, "image"])), 404)
    owed = client.get(OWED).context["rows"]
    assert [obj.pk for obj, _values, _pk in owed] == [scene.owing_b.pk]


def test_grid_worker_lists_filters_and_exports(scene, personas, login):
    client = login(personas.grid_worker)
    response = client.get(LIST)
    assert_status(response, 200)
    listed = {obj.pk for obj, _values, _pk in response.context["rows"]}
    assert listed == set(SelfInspection.objects.values_list("pk", flat=True))

    def count(**params) -> int:
        return client.get(LIST, params).context["paginator"].count

    month = f"{scene.period:%Y-%m}"
    assert count(period=month) == 3 and count(period=f"{scene.last:%Y-%m}") == 1
    assert count(period=month, status=SelfInspectionStatus.CONTRADICTED) == 1
    assert count(period=month, drawn="true") == 2 and count(period=month, drawn="false") == 1
    assert count(period=month, awaiting="true") == 1 and count(period=month, awaiting="false") == 2
    export = client.get(LIST, {"export": "xlsx", "period": month})
    assert_status(export, 200)
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "房东自查" in text(client.get(reverse("pages:home")))  # the menu link


def test_the_page_shows_answers_photos_and_the_contradicted_items(scene, personas, login):
    url = reverse("longterm:selfinspection_detail", args=[scene.contradicted.pk])
    response = login(personas.grid_worker).get(url)
    assert_status(response, 200)
    html = text(response)
    assert "核实不符" in html and "安装独立式感烟报警器" in html and "与自查不符" in html
    rows = {row.code: row for row in response.context["answer_rows"]}
    assert rows["EQUIP-03"].contradicted and rows["EQUIP-03"].found == "fail"
    assert not rows["EXIT-01"].contradicted and rows["EXIT-01"].found == "pass"
    for code in PHOTO_CODES:
        photo = rows[code].photo
        assert reverse("longterm:selfinspectionphoto_file", args=[photo.pk, "thumbnail"]) in html
    image = login(personas.grid_worker).get(
        reverse("longterm:selfinspectionphoto_file", args=[photo.pk, "image"])
    )
    assert_status(image, 200)
    assert image["Content-Type"] == "image/jpeg"
    # The landlord reads their own self-inspection in the portal; the staff page sends them there.
    assert login(personas.landlord).get(url)["Location"] == reverse("portal:self_inspection")


def test_the_premises_page_shows_the_verifying_worker_the_answers_and_photos(scene, personas, login):
    url = reverse("registry:premises_detail", args=[scene.waiting.pk])
    response = login(personas.grid_worker).get(url)
    html = text(response)
    assert "premises-self-inspection" in html and "待核实" in html
    photos = SelfInspectionPhoto.objects.filter(self_inspection=scene.awaiting)
    assert photos.count() == len(PHOTO_CODES)
    for photo in photos:
        assert reverse("longterm:selfinspectionphoto_file", args=[photo.pk, "thumbnail"]) in html
    assert "premises-self-inspection" not in text(login(personas.liaison).get(url))


def test_the_owed_list_by_state_defaults_to_this_period(scene, personas, login):
    client = login(personas.community_officer)

    def ids(**params) -> set[int]:
        return {obj.pk for obj, _values, _pk in client.get(OWED, params).context["rows"]}

    d = scene
    assert ids() == {d.premises_a.pk, d.shop_a.pk, d.waiting.pk, d.late.pk}
    assert ids(state="submitted") == {d.premises_a.pk, d.waiting.pk, d.late.pk}
    assert ids(state="not_submitted") == {d.shop_a.pk}
    # Last period: what was recorded — one submission and the misses.
    last = f"{d.last:%Y-%m}"
    assert ids(period=last) == {d.premises_a.pk, d.shop_a.pk, d.waiting.pk, d.late.pk}
    assert ids(period=last, state="missed") == {d.shop_a.pk, d.waiting.pk, d.late.pk}
    assert {m.premises_id for m in d.misses} == {d.shop_a.pk, d.waiting.pk, d.late.pk, d.owing_b.pk}
    # premises_b's landlord has no account: it owes none and is listed apart.
    admin = login(personas.commander)
    rows = admin.get(OWED, {"state": "no_account"}).context["rows"]
    assert [obj.pk for obj, _values, _pk in rows] == [d.premises_b.pk]
    assert_status(client.get(OWED, {"export": "xlsx"}), 200)


@pytest.mark.parametrize("persona", ["subdistrict_officer", "commander", "grid_worker"])
def test_every_figure_equals_the_count_of_the_list_it_opens(scene, personas, login, persona):
    user = getattr(personas, persona)
    client = login(user)
    checked = 0
    for period in (scene.period, scene.last):
        rows = figure_rows(user, period=period)
        assert rows
        for row in rows:
            for key in DRILL_DOWNS:
                listed = client.get(row.links[key]).context["paginator"].count
                assert listed == row.figures.get(key, 0), (row.area.name, period, key)
                checked += listed
    assert checked > 0


def test_the_figures_of_this_period_and_the_last(scene, personas):
    now = figure_rows(personas.community_officer, period=scene.period)[0]
    assert now.area == scene.c1
    assert {k: now.figures.get(k, 0) for k in DRILL_DOWNS} == {
        "owed": 4,
        "submitted": 3,
        "not_submitted": 1,
        "missed": 0,
        "no_account": 0,
        "drawn": 2,
        "verified": 0,
        "contradicted": 1,
        "awaiting": 1,
    }
    assert now.rate == 75.0
    last = figure_rows(personas.community_officer, period=scene.last)[0]
    assert (last.figures["owed"], last.figures["submitted"], last.figures["missed"]) == (4, 1, 3)
    assert last.rate == 25.0
    district = figure_rows(personas.commander, period=scene.period)[0]
    assert (district.figures["owed"], district.figures["no_account"]) == (5, 1)
    assert figure_rows(personas.liaison) == []


def test_a_past_figure_does_not_move_when_premises_change(scene, personas):
    before = dict(figure_rows(personas.commander, period=scene.last)[0].figures)
    scene.shop_a.status = "vacant"
    scene.shop_a.save()
    t.make_premises(scene.building_a, scene.landlord_a, unit_label="5楼")
    assert dict(figure_rows(personas.commander, period=scene.last)[0].figures) == before
    assert figure_rows(personas.commander, period=scene.period)[0].figures["owed"] == 5  # 5 − 1 + 1


def test_period_filter_takes_a_month_or_a_day(scene, personas, login):
    client = login(personas.grid_worker)
    day = scene.period + dt.timedelta(days=9)
    assert client.get(LIST, {"period": day.isoformat()}).context["paginator"].count == 3
    assert client.get(LIST, {"period": "2026-13"}).context["paginator"].count == 0
