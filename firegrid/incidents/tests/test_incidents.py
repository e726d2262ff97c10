"""The fire incident register (火警火灾): addresses matched exact, then normalised, then fuzzy with a score
for an officer to confirm; the officers of the area confirm or reject; who sees what; the hotspots per
subdistrict and month, each count equal to its list; the premises page lists what happened there."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from firegrid import testing as t
from firegrid.areas.choices import AreaLevel, Role
from firegrid.conftest import PORTAL, assert_status
from firegrid.core.models import AuditEntry
from firegrid.incidents import services
from firegrid.incidents.choices import IncidentCause, IncidentKind, MatchMethod, MatchState
from firegrid.incidents.figures import hotspots
from firegrid.incidents.filters import FireIncidentFilterSet
from firegrid.incidents.matching import FUZZY_MIN, Matcher, normalise
from firegrid.incidents.models import FireIncident

pytestmark = pytest.mark.django_db

ROWS = [
    # (premises id, grid id, building address, unit label, premises in the building)
    (1, 10, "衢江区樟潭街道樟树潭村12号", "整幢", 2),
    (2, 10, "衢江区樟潭街道樟树潭村12号", "1楼店面", 2),
    (3, 10, "衢江区樟潭街道桂花路46号", "4楼", 1),
    (4, 20, "衢江区浮石街道浮石路8号", "2楼", 1),
    (5, 20, "衢江区浮石街道浮石路9号", "2楼", 2),
    (6, 20, "衢江区浮石街道浮石路9号", "2楼", 2),  # a second premises with the same label: ambiguous
]


def test_an_address_matches_exactly_then_normalised_then_fuzzily_with_a_score():
    m = Matcher(ROWS)
    exact = m.match("衢江区樟潭街道樟树潭村12号1楼店面")
    assert (exact.premises_id, exact.method, exact.score) == (2, MatchMethod.EXACT, 100)
    assert m.match("衢江区樟潭街道樟树潭村12号").premises_id == 1  # a whole building: its address alone
    assert m.match("衢江区樟潭街道桂花路46号").premises_id == 3  # the building's only premises
    folded = m.match("樟潭街道 桂花路４６號 ４楼")  # no district, full-width, spaces, 號
    assert (folded.premises_id, folded.method) == (3, MatchMethod.NORMALISED)
    fuzzy = m.match("衢江区樟潭街道桂路46号4楼")  # a character missing
    assert (fuzzy.premises_id, fuzzy.method) == (3, MatchMethod.FUZZY) and FUZZY_MIN <= fuzzy.score < 100
    assert m.match("衢江区樟潭街道菜市场东侧").premises_id is None
    # Two premises share the key: neither is matched by it (the officer decides).
    assert m.match("衢江区浮石街道浮石路9号2楼").method != MatchMethod.EXACT
    # Fuzzy proposals stay inside the grids asked for.
    assert m.match("衢江区樟潭街道桂路46号4楼", grid_ids={20}).premises_id != 3
    assert normalise("浙江省衢州市衢江区浮石路８號") == "浮石路8号"


def record(district, actor, address, **kw):
    data = {
        "reference": kw.pop("reference", f"QJ2018{FireIncident.objects.count() + 1:05d}"),
        "occurred_at": kw.pop("occurred_at", timezone.make_aware(dt.datetime(2018, 3, 5, 19, 30))),
        "kind": IncidentKind.ALARM,
        "cause": IncidentCause.ELECTRICAL,
        "address": address,
        "area": kw.pop("area", district.s1),
        **kw,
    }
    return services.record_incident(data, actor=actor)


def test_a_recorded_incident_is_matched_and_counts_in_its_premises_grid(district, personas):
    incident = record(district, personas.fire_officer, "樟潭街道樟树潭村12号1楼店面")
    assert (incident.premises, incident.match_state, incident.area) == (
        district.shop_a,
        MatchState.MATCHED,
        district.grid_a,
    )
    assert AuditEntry.objects.for_object(incident).count() == 2  # recorded, then matched
    unmatched = record(district, personas.fire_officer, "樟潭街道菜市场东侧")
    assert (unmatched.premises, unmatched.match_state, unmatched.area) == (
        None,
        MatchState.UNMATCHED,
        district.s1,
    )


def test_the_area_officer_confirms_or_rejects_a_proposal_and_the_field_may_not(district, personas):
    incident = record(district, personas.fire_officer, "樟潭街道樟树潭村1号1楼店面")
    assert incident.match_state == MatchState.PROPOSED and incident.premises == district.shop_a
    assert incident.area == district.s1  # a proposal does not move it yet
    with pytest.raises(PermissionDenied):
        services.confirm_match(incident, actor=personas.grid_worker)  # reads only
    with pytest.raises((PermissionDenied, Http404)):
        services.confirm_match(incident, actor=personas.outsider)
    # Another community's officer of the same subdistrict sees the incident but not the premises.
    community = t.make_area(AreaLevel.COMMUNITY, "二社区", district.s1)
    t.make_area(AreaLevel.GRID, "二社区一网格", community)
    other = t.make_user("shequ2", Role.COMMUNITY_OFFICER, [community])
    with pytest.raises(ValidationError):
        services.confirm_match(incident, actor=other)
    confirmed = services.confirm_match(
        incident, actor=personas.community_officer, expected_version=incident.version
    )
    assert (confirmed.match_state, confirmed.match_method, confirmed.area) == (
        MatchState.MATCHED,
        MatchMethod.OFFICER,
        district.grid_a,
    )
    rejected = services.reject_match(confirmed, actor=personas.subdistrict_officer, not_a_rental=True)
    assert (rejected.premises, rejected.match_state) == (None, MatchState.NOT_A_RENTAL)
    assert AuditEntry.objects.for_object(incident).filter(reason="否定地址匹配").exists()


def test_each_sees_the_incidents_of_their_own_area(district, personas):
    in_grid = record(district, personas.fire_officer, "樟潭街道樟树潭村12号")
    in_subdistrict = record(district, personas.fire_officer, "樟潭街道菜市场东侧")
    elsewhere = record(district, personas.fire_officer, "浮石街道浮石路8号2楼", area=district.s2)
    seen = lambda user: set(FireIncident.objects.visible_to(user))  # noqa: E731
    assert seen(personas.grid_worker) == {in_grid, in_subdistrict}
    assert seen(personas.outsider) == {elsewhere}
    assert seen(personas.commander) == {in_grid, in_subdistrict, elsewhere}
    assert seen(personas.landlord) == set() and seen(personas.liaison) == set()


def test_the_hotspots_add_up_and_each_count_is_its_list(district, personas, rf):
    at = lambda month: timezone.make_aware(dt.datetime(2018, month, 10, 20, 0))  # noqa: E731
    for month in (1, 1, 2):
        record(district, personas.fire_officer, "樟潭街道樟树潭村12号", occurred_at=at(month))
    record(district, personas.fire_officer, "浮石街道浮石路8号2楼", area=district.s2, occurred_at=at(12))
    record(
        district,
        personas.fire_officer,
        "浮石街道浮石路8号2楼",
        area=district.s2,
        occurred_at=at(12).replace(year=2019),
    )
    rows, total = hotspots(personas.commander, 2018)
    request = rf.get("/")
    request.user = personas.commander
    assert total == 4
    assert [(r.area, r.total, r.share) for r in rows] == [
        (district.s1, 3, Decimal("75.0")),
        (district.s2, 1, Decimal("25.0")),
    ]
    assert [n for n, _link in rows[0].months][:3] == [2, 1, 0]
    for row in rows:
        for n, link in [(row.total, row.link), *row.months]:
            query = dict(pair.split("=") for pair in link.split("?")[1].split("&"))
            listed = FireIncidentFilterSet(
                query, queryset=FireIncident.objects.all(), request=request
            ).qs.count()
            assert listed == n, link


def test_the_pages(district, personas, login, checklist):
    proposed = record(district, personas.fire_officer, "樟潭街道樟树潭村1号1楼店面")
    matched = record(district, personas.fire_officer, "樟潭街道樟树潭村12号")
    officer = login(personas.community_officer)
    page = officer.get(reverse("incidents:fireincident_detail", args=[proposed.pk])).content.decode()
    assert "确认匹配" in page and str(district.shop_a) in page
    response = officer.post(
        reverse("incidents:fireincident_match", args=[proposed.pk, "confirm"]), {"version": proposed.version}
    )
    assert_status(response, 302)
    proposed.refresh_from_db()
    assert proposed.match_state == MatchState.MATCHED
    worker = login(personas.grid_worker)
    assert (
        "确认匹配"
        not in worker.get(reverse("incidents:fireincident_detail", args=[matched.pk])).content.decode()
    )
    assert_status(worker.post(reverse("incidents:fireincident_match", args=[matched.pk, "reject"])), 403)
    matched.refresh_from_db()
    assert matched.match_state == MatchState.MATCHED  # a grid worker reads only
    premises_page = worker.get(
        reverse("registry:premises_detail", args=[district.premises_a.pk])
    ).content.decode()
    assert "data-fire-incidents" in premises_page and matched.reference in premises_page
    hot = login(personas.commander).get(reverse("incidents:hotspots"), {"year": 2018}).content.decode()
    assert "樟潭街道" in hot and "100.0%" in hot
    assert_status(login(personas.landlord).get(reverse("incidents:hotspots")), PORTAL)
    assert_status(login(personas.liaison).get(reverse("incidents:hotspots")), 403)
