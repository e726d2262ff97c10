"""visible_to: who sees which patrol teams, patrols, scans, findings, their photos, fabrication flags and
photo fingerprints, and which actions each role may take on them.

Teams and patrols are placed in a grid or community: area roles see those of their grids and of the
communities their grids are in; a landlord only their own team's (and only its patrols' scans and
findings); district-wide roles all; unit liaisons nothing. Flags and fingerprints are for supervisors —
community and subdistrict officers of the grid and the district roles — never grid workers or landlords.
"""

from __future__ import annotations

import uuid

import pytest

from firegrid.conftest import (
    allowed,
    assert_allowed_actions_reach_the_rows_seen,
    assert_refused_actions_see_nothing,
    seen,
)
from firegrid.patrols import services
from firegrid.patrols.choices import FindingKind
from firegrid.patrols.models import (
    FabricationFlag,
    FindingPhoto,
    Patrol,
    PatrolFinding,
    PatrolScan,
    PatrolTeam,
    PhotoFingerprint,
)

from .scene import jpeg, make_flag, make_scan, make_team, picture, upload

pytestmark = pytest.mark.django_db

DISTRICT = ("admin", "commander", "fire_officer")
NOBODY = {"liaison": set(), "other_liaison": set()}


@pytest.fixture
def scoped(patrol_scene, personas):
    s = patrol_scene
    s.community_team = make_team(s.d.c1, [personas.community_officer], name="樟树潭社区巡查组")
    s.scan_a = make_scan(s.patrol, s.d.building_a, personas.grid_worker)
    s.scan_v = make_scan(s.volunteer_patrol, s.d.building_a, personas.landlord)
    s.scan_b = make_scan(s.patrol_b, s.d.building_b, personas.outsider)

    def finding(patrol, building, user, seed):
        return services.add_finding(
            patrol,
            building=building,
            kind=FindingKind.NOTE,
            note="杂物",
            actor=user,
            client_uuid=uuid.uuid4(),
            photo=upload(jpeg(picture(seed))),
        )

    s.finding_a = finding(s.patrol, s.d.building_a, personas.grid_worker, 1)
    s.finding_v = finding(s.volunteer_patrol, s.d.building_a, personas.landlord, 2)
    s.finding_b = finding(s.patrol_b, s.d.building_b, personas.outsider, 3)
    s.flag_a = make_flag(s.d.grid_a, personas.grid_worker, scan=s.scan_a)
    s.flag_b = make_flag(s.d.grid_b, personas.outsider, scan=s.scan_b)
    return s


def by_name(s, *names):
    return {getattr(s, name).pk for name in names}


def expected(s, every, grid_a, grid_b, landlord, grid_worker=None):
    return {
        **{name: by_name(s, *every) for name in DISTRICT},
        "subdistrict_officer": by_name(s, *grid_a),
        "community_officer": by_name(s, *grid_a),
        "grid_worker": by_name(s, *(grid_a if grid_worker is None else grid_worker)),
        "outsider": by_name(s, *grid_b),
        **NOBODY,
        "landlord": by_name(s, *landlord),
    }


def test_teams_follow_their_area_and_a_landlord_sees_their_own(scoped, personas):
    s = scoped
    assert seen(PatrolTeam, personas) == expected(
        s,
        ("workers", "volunteers", "team_b", "community_team"),
        ("workers", "volunteers", "community_team"),
        ("team_b",),
        ("volunteers",),
    )


def test_patrols_scans_and_findings_follow_the_patrols_area_and_the_landlords_team(scoped, personas):
    s = scoped
    assert seen(Patrol, personas) == expected(
        s,
        ("patrol", "volunteer_patrol", "patrol_b"),
        ("patrol", "volunteer_patrol"),
        ("patrol_b",),
        ("volunteer_patrol",),
    )
    assert seen(PatrolScan, personas) == expected(
        s, ("scan_a", "scan_v", "scan_b"), ("scan_a", "scan_v"), ("scan_b",), ("scan_v",)
    )
    assert seen(PatrolFinding, personas) == expected(
        s, ("finding_a", "finding_v", "finding_b"), ("finding_a", "finding_v"), ("finding_b",), ("finding_v",)
    )
    photos = {
        name: {FindingPhoto.objects.get(pk=pk).finding_id for pk in ids}
        for name, ids in seen(FindingPhoto, personas).items()
    }
    assert photos == seen(PatrolFinding, personas)


def test_flags_and_fingerprints_are_for_supervisors_only(scoped, personas):
    s = scoped
    flags = {**expected(s, ("flag_a", "flag_b"), ("flag_a",), (), (), grid_worker=()), "outsider": set()}
    assert seen(FabricationFlag, personas) == flags
    grids = {
        name: {PhotoFingerprint.objects.get(pk=pk).grid_id for pk in ids}
        for name, ids in seen(PhotoFingerprint, personas).items()
    }
    a, b = s.d.grid_a.pk, s.d.grid_b.pk
    assert grids == {
        **{name: {a, b} for name in DISTRICT},
        "subdistrict_officer": {a},
        "community_officer": {a},
        "grid_worker": set(),
        "outsider": set(),
        **NOBODY,
        "landlord": set(),
    }


def test_actions(scoped, personas):
    # ACTION_LETTERS of conftest.py: view, add, change, delete, export, reveal, void.
    area = ("subdistrict_officer", "community_officer", "grid_worker", "outsider")
    none = {"liaison": "", "other_liaison": ""}
    assert allowed(PatrolTeam, personas) == {
        "admin": "vacderx",
        "commander": "ve",
        "fire_officer": "ve",
        "subdistrict_officer": "vacde",
        "community_officer": "vacde",
        "grid_worker": "vace",
        "outsider": "vace",
        **none,
        "landlord": "v",
    }
    assert allowed(Patrol, personas) == {
        "admin": "vacderx",
        "commander": "ve",
        "fire_officer": "ve",
        **dict.fromkeys(area, "vace"),
        **none,
        "landlord": "vc",
    }
    assert allowed(PatrolScan, personas) == {
        **dict.fromkeys(DISTRICT, "ve"),
        **dict.fromkeys(area, "vae"),
        **none,
        "landlord": "va",
    }
    assert allowed(PatrolFinding, personas) == {
        **dict.fromkeys(DISTRICT, "ve"),
        **dict.fromkeys(area, "vace"),
        **none,
        "landlord": "va",
    }
    assert allowed(FindingPhoto, personas) == {
        **dict.fromkeys(DISTRICT, "ve"),
        **dict.fromkeys(area, "va"),
        **none,
        "landlord": "va",
    }
    assert allowed(FabricationFlag, personas) == {
        "admin": "ve",
        "commander": "vce",
        "fire_officer": "ve",
        "subdistrict_officer": "vce",
        "community_officer": "vce",
        "grid_worker": "",
        "outsider": "",
        **none,
        "landlord": "",
    }
    assert allowed(PhotoFingerprint, personas) == {
        **dict.fromkeys(DISTRICT, "v"),
        "subdistrict_officer": "v",
        "community_officer": "v",
        "grid_worker": "",
        "outsider": "",
        **none,
        "landlord": "",
    }
    for model in (
        PatrolTeam,
        Patrol,
        PatrolScan,
        PatrolFinding,
        FindingPhoto,
        FabricationFlag,
        PhotoFingerprint,
    ):
        assert_refused_actions_see_nothing(model, personas)
        assert_allowed_actions_reach_the_rows_seen(model, personas)
