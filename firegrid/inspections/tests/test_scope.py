"""visible_to: who sees which checklist templates, inspections, hazards and photos, and which actions each
role may take on them.

Area roles see what was found in their grids. A landlord (and a unit liaison, for hazards) sees what
concerns their own premises and the building-level findings of the buildings those premises are in —
never another landlord's premises in the same building.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.conftest import (
    allowed,
    assert_allowed_actions_reach_the_rows_seen,
    assert_refused_actions_see_nothing,
    ids_of,
    seen,
)
from firegrid.inspections import services as s
from firegrid.inspections.choices import AnswerResult, VisitOutcome
from firegrid.inspections.models import ChecklistTemplate, Hazard, Inspection, Photo

pytestmark = pytest.mark.django_db


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def visit(actor, *, premises=None, building=None) -> Inspection:
    """A submitted inspection with one photo, failing its first applicable item (one hazard)."""
    inspection = s.start_inspection(actor=actor, premises=premises, building=building)
    s.add_photo(inspection, jpeg(), actor=actor)
    items = inspection.applicable_items()
    answers = [
        s.AnswerInput(item.code, AnswerResult.FAIL if i == 0 else AnswerResult.PASS)
        for i, item in enumerate(items)
    ]
    return s.submit_inspection(inspection, actor=actor, outcome=VisitOutcome.INSPECTED, answers=answers)


@pytest.fixture
def scene(district, checklist):
    """One visit (inspection, hazard, photo) each: premises_a and shop_a (landlord_a, grid A); `other`, a
    premises of landlord_b in the same building; building A itself (its common parts); premises_b (grid
    B); `a2`, a premises in grid A2 (community C1, not grid A). Plus a draft template version."""
    d = district
    actor = t.make_user("scene", Role.SYSTEM_ADMIN)
    other = t.make_premises(d.building_a, d.landlord_b, unit_label="3楼")
    a2 = t.make_premises(t.make_building(d.grid_a2, "樟潭街道二号路1号"), d.landlord_b, unit_label="整幢")
    visits = {
        "a": visit(actor, premises=d.premises_a),
        "shop": visit(actor, premises=d.shop_a),
        "other": visit(actor, premises=other),
        "building": visit(actor, building=d.building_a),
        "b": visit(actor, premises=d.premises_b),
        "a2": visit(actor, premises=a2),
    }
    rows = {}
    for name, inspection in visits.items():
        rows[f"inspection_{name}"] = inspection
        rows[f"hazard_{name}"] = Hazard.objects.get(inspection=inspection)
        rows[f"photo_{name}"] = Photo.objects.get(inspection=inspection)
    draft = s.create_template_version(checklist, code="qj-2026.1", actor=actor)
    return SimpleNamespace(**rows, checklist=checklist, draft=draft)


EVERY_VISIT = ("a", "shop", "other", "building", "b", "a2")
GRID_A = ("a", "shop", "other", "building")
OWN = ("a", "shop", "building")  # landlord_a's premises and the common parts of their building


def expected(scene, kind: str, *, liaison: tuple[str, ...]) -> dict[str, set[int]]:
    def rows(*visits: str) -> set[int]:
        return ids_of(scene, *(f"{kind}_{v}" for v in visits))

    return {
        "admin": rows(*EVERY_VISIT),
        "commander": rows(*EVERY_VISIT),
        "fire_officer": rows(*EVERY_VISIT),
        "subdistrict_officer": rows(*GRID_A, "a2"),
        "community_officer": rows(*GRID_A, "a2"),
        "grid_worker": rows(*GRID_A),
        "outsider": rows("b"),
        "liaison": rows(*liaison),
        "other_liaison": set(),
        "landlord": rows(*OWN),
    }


def test_inspections(scene, personas):
    # A unit liaison follows hazards and plans, not the inspections themselves.
    assert seen(Inspection, personas) == expected(scene, "inspection", liaison=())


def test_hazards(scene, personas):
    assert seen(Hazard, personas) == expected(scene, "hazard", liaison=OWN)


def test_photos(scene, personas):
    assert seen(Photo, personas) == expected(scene, "photo", liaison=())


def test_templates_published_and_draft_are_read_by_every_official(scene, personas):
    both = ids_of(scene, "checklist", "draft")
    assert seen(ChecklistTemplate, personas) == {
        **dict.fromkeys(
            ("admin", "commander", "fire_officer", "subdistrict_officer", "community_officer"), both
        ),
        "grid_worker": both,
        "outsider": both,
        "liaison": set(),
        "other_liaison": set(),
        "landlord": set(),
    }


# ACTION_LETTERS of conftest.py: view, add, change, delete, export, reveal, void.


def test_actions_on_templates(scene, personas):
    # Versions are made and published by the system administrator; everyone else inspects with them.
    assert allowed(ChecklistTemplate, personas) == {
        "admin": "vacderx",
        **dict.fromkeys(
            (
                "commander",
                "fire_officer",
                "subdistrict_officer",
                "community_officer",
                "grid_worker",
                "outsider",
            ),
            "ve",
        ),
        "liaison": "",
        "other_liaison": "",
        "landlord": "",
    }
    assert_refused_actions_see_nothing(ChecklistTemplate, personas)
    assert_allowed_actions_reach_the_rows_seen(ChecklistTemplate, personas)


@pytest.mark.parametrize("model", [Inspection, Photo])
def test_actions_on_fieldwork(scene, personas, model):
    # Departments and area roles inspect; the command reads; a landlord reads what concerns them; a unit
    # liaison has no part in fieldwork.
    assert allowed(model, personas) == {
        "admin": "vacderx",
        "commander": "ve",
        "fire_officer": "vacer",
        "subdistrict_officer": "vacer",
        "community_officer": "vacer",
        "grid_worker": "vacer",
        "outsider": "vacer",
        "liaison": "",
        "other_liaison": "",
        "landlord": "ve",
    }
    assert_refused_actions_see_nothing(model, personas)
    assert_allowed_actions_reach_the_rows_seen(model, personas)


def test_actions_on_hazards(scene, personas):
    # Inspections make and close hazards; people read them, and supervisors void them.
    assert allowed(Hazard, personas) == {
        **dict.fromkeys(
            ("admin", "commander", "fire_officer", "subdistrict_officer", "community_officer"), "vex"
        ),
        **dict.fromkeys(("grid_worker", "outsider", "liaison", "other_liaison", "landlord"), "ve"),
    }
    assert_refused_actions_see_nothing(Hazard, personas)
    assert_allowed_actions_reach_the_rows_seen(Hazard, personas)
    assert seen(Hazard, personas, "void")["community_officer"] == ids_of(
        scene, *(f"hazard_{v}" for v in (*GRID_A, "a2"))
    )
