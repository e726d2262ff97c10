"""visible_to: who sees which plans, documents, enforcement actions, proof photos, premises-file notes and
escalation steps, and which actions each role may take on them.

Everything of a plan follows its premises: area roles their grids, a unit liaison the premises of the
landlords their unit employs (plans only), a landlord their own. The escalation ladder is the district
command's configuration.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.conftest import (
    EVERY_PERSONA,
    allowed,
    assert_allowed_actions_reach_the_rows_seen,
    assert_refused_actions_see_nothing,
    ids_of,
    seen,
)
from firegrid.rectification import services as s
from firegrid.rectification.choices import EnforcementKind, MoveName
from firegrid.rectification.models import (
    Document,
    EnforcementAction,
    EscalationStep,
    Plan,
    PremisesNote,
    ProofPhoto,
)
from firegrid.rectification.testing import plan_with_hazards

pytestmark = pytest.mark.django_db


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 160, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile("after.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def scene(district, checklist):
    """A notified plan (notice, proof photo, enforcement action, public note) on each of: premises_a
    (landlord_a, grid A); `other`, landlord_b's premises in the same building; premises_b (grid B); `a2`, a
    premises in grid A2 (community C1, not grid A). Plus one rung of the district's ladder."""
    d = district
    actor = t.make_user("scene", Role.SYSTEM_ADMIN)
    premises = {
        "a": d.premises_a,
        "other": t.make_premises(d.building_a, d.landlord_b, unit_label="3楼"),
        "b": d.premises_b,
        "a2": t.make_premises(
            t.make_building(d.grid_a2, "樟潭街道二号路1号"), d.landlord_b, unit_label="整幢"
        ),
    }
    rows = {}
    for name, p in premises.items():
        plan = s.notify_plan(plan_with_hazards(p, actor=actor), actor=actor)
        rows[f"plan_{name}"] = plan
        rows[f"document_{name}"] = plan.documents.get()
        rows[f"proof_{name}"] = s.add_proof_photo(plan.items.first(), jpeg(), actor=actor)
        rows[f"enforcement_{name}"] = EnforcementAction.objects.create(
            premises=p,
            plan=plan,
            kind=EnforcementKind.WARNING,
            department=d.fire,
            date=timezone.localdate(),
            recorded_by=actor,
        )
        rows[f"note_{name}"] = PremisesNote.objects.create(
            premises=p, text="房东在外务工，联系其子", public=True, author=actor, author_name="scene"
        )
    step = EscalationStep.objects.create(district=d.d, days_overdue=7, move=MoveName.ESCALATE)
    return SimpleNamespace(**rows, step=step)


def expected(scene, kind: str, *, liaison: bool, landlord: bool) -> dict[str, set[int]]:
    def rows(*names: str) -> set[int]:
        return ids_of(scene, *(f"{kind}_{n}" for n in names))

    everything = rows("a", "other", "b", "a2")
    return {
        "admin": everything,
        "commander": everything,
        "fire_officer": everything,
        "subdistrict_officer": rows("a", "other", "a2"),
        "community_officer": rows("a", "other", "a2"),
        "grid_worker": rows("a", "other"),
        "outsider": rows("b"),
        "liaison": rows("a") if liaison else set(),
        "other_liaison": set(),
        "landlord": rows("a") if landlord else set(),
    }


def test_plans(scene, personas):
    assert seen(Plan, personas) == expected(scene, "plan", liaison=True, landlord=True)


def test_documents(scene, personas):
    assert seen(Document, personas) == expected(scene, "document", liaison=False, landlord=True)


def test_enforcement_actions(scene, personas):
    # Served on the landlord, who sees it in their file; not a liaison's business.
    assert seen(EnforcementAction, personas) == expected(scene, "enforcement", liaison=False, landlord=True)


def test_proof_photos(scene, personas):
    assert seen(ProofPhoto, personas) == expected(scene, "proof", liaison=False, landlord=True)


def test_premises_notes(scene, personas):
    # Officers' notes. A landlord reads the public ones in their premises file, which shows them without
    # `visible_to` (firegrid.rectification.premises_file.notes): the role table grants them no notes.
    assert seen(PremisesNote, personas) == expected(scene, "note", liaison=False, landlord=False)


def test_the_escalation_ladder_is_the_commands(scene, personas):
    readers = ("admin", "commander")
    assert seen(EscalationStep, personas) == {
        name: {scene.step.pk} if name in readers else set() for name in EVERY_PERSONA
    }


# ACTION_LETTERS of conftest.py: view, add, change, delete, export, reveal, void. Plans change only through
# their moves (each with its own role check in rectification.machine); these say who works with them at all.

OFFICERS = ("fire_officer", "subdistrict_officer", "community_officer", "grid_worker", "outsider")


@pytest.mark.parametrize(
    ("model", "actions"),
    [
        (
            Plan,
            {
                "admin": "vacderx",
                "commander": "ve",
                **dict.fromkeys(OFFICERS, "vacer"),
                "liaison": "ve",
                "other_liaison": "ve",
                "landlord": "ve",
            },
        ),
        (
            Document,
            {"admin": "vacderx", "commander": "ve", **dict.fromkeys(OFFICERS, "ve"), "landlord": "ve"},
        ),
        (
            EnforcementAction,
            {
                "admin": "vacderx",
                "commander": "ve",
                "fire_officer": "vacer",
                "subdistrict_officer": "vacer",
                "community_officer": "vacer",
                "grid_worker": "ve",
                "outsider": "ve",
                "landlord": "ve",
            },
        ),
        (
            ProofPhoto,
            {"admin": "vacderx", "commander": "ve", **dict.fromkeys(OFFICERS, "ve"), "landlord": "ve"},
        ),
        (PremisesNote, {"admin": "vacderx", "commander": "ve", **dict.fromkeys(OFFICERS, "vae")}),
        (EscalationStep, {"admin": "vacderx", "commander": "ve"}),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else "",
)
def test_actions(scene, personas, model, actions):
    nobody = dict.fromkeys(("liaison", "other_liaison", "landlord", *OFFICERS), "")
    assert allowed(model, personas) == {"admin": "", "commander": "", **nobody, **actions}
    assert_refused_actions_see_nothing(model, personas)
    assert_allowed_actions_reach_the_rows_seen(model, personas)
