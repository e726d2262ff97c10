"""Who sees what: the directory is public to every signed-in role; changing it follows the contractor's
areas; a booking is seen by whoever sees its plan, and by its contractor."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from firegrid.conftest import (
    allowed,
    assert_allowed_actions_reach_the_rows_seen,
    assert_refused_actions_see_nothing,
    ids_of,
    seen,
)
from firegrid.core.permissions import Action
from firegrid.outreach.models import Booking, Contractor, OutreachKind, OutreachRecord, Slot, WorkPhoto
from firegrid.outreach.services import book_slot, mark_done

from .conftest import jpeg, make_slot

pytestmark = pytest.mark.django_db

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


def test_the_directory_is_public_to_every_signed_in_role(personas, trades, other_landlord):
    users = [getattr(personas, name) for name in EVERY_PERSONA] + [other_landlord, trades.mason_user]
    for user in users:
        assert set(Contractor.objects.visible_to(user)) == {trades.electrician, trades.mason}, user
        assert Slot.objects.visible_to(user).count() == Slot.objects.count()


def test_the_directory_is_kept_by_officers_of_the_areas_served(personas, trades):
    def keeps(user):
        return set(Contractor.objects.visible_to(user, Action.CHANGE))

    assert keeps(personas.admin) == {trades.electrician, trades.mason}
    assert keeps(personas.subdistrict_officer) == {trades.electrician}  # serves S1
    # Serving the whole subdistrict is the subdistrict's to keep, not one community's.
    assert keeps(personas.community_officer) == set()
    for name in ("commander", "fire_officer", "grid_worker", "liaison", "landlord"):
        assert keeps(getattr(personas, name)) == set(), name
    assert keeps(trades.electrician_user) == set()  # reads the directory; keeps only their slots


def test_a_booking_is_seen_by_whoever_sees_the_plan_and_by_its_contractor(
    personas, trades, plan_a, other_landlord
):
    booking = book_slot(make_slot(trades.electrician), plan_a, actor=personas.landlord)
    mark_done(booking, actor=trades.electrician_user, photos=[jpeg()])
    seeing = {"admin", "commander", "fire_officer", "subdistrict_officer", "community_officer", "grid_worker"}
    seeing |= {"liaison", "landlord"}  # landlord_a is employed by the liaison's unit
    for name in EVERY_PERSONA:
        user = getattr(personas, name)
        expected = [booking] if name in seeing else []
        assert list(Booking.objects.visible_to(user)) == expected, name
        assert WorkPhoto.objects.visible_to(user).count() == len(expected), name
    assert list(Booking.objects.visible_to(trades.electrician_user)) == [booking]
    assert not Booking.objects.visible_to(trades.mason_user).exists()
    assert not Booking.objects.visible_to(other_landlord).exists()
    assert not WorkPhoto.objects.visible_to(trades.mason_user).exists()


# --- every persona: outreach records, and the actions on the directory and bookings ---------------------


@pytest.fixture
def records(district, personas):
    """One meeting held at each level: the district, both subdistricts, community C1 and grids A, A2, B."""
    d = district
    areas = {
        "d": d.d,
        "s1": d.s1,
        "s2": d.s2,
        "c1": d.c1,
        "grid_a": d.grid_a,
        "grid_a2": d.grid_a2,
        "grid_b": d.grid_b,
    }
    return SimpleNamespace(
        **{
            name: OutreachRecord.objects.create(
                kind=OutreachKind.MEETING,
                held_on=timezone.localdate(),
                area=area,
                attendance=30,
                recorded_by=personas.admin,
            )
            for name, area in areas.items()
        }
    )


def test_outreach_records_are_seen_down_the_area_tree(records, personas):
    # A record belongs to the area that held it: officers see their areas' subtrees, never the levels above.
    everything = ids_of(records, *vars(records))
    assert seen(OutreachRecord, personas) == {
        "admin": everything,
        "commander": everything,
        "fire_officer": everything,
        "subdistrict_officer": ids_of(records, "s1", "c1", "grid_a", "grid_a2"),
        "community_officer": ids_of(records, "c1", "grid_a", "grid_a2"),
        "grid_worker": ids_of(records, "grid_a"),
        "outsider": ids_of(records, "grid_b"),
        "liaison": set(),
        "other_liaison": set(),
        "landlord": set(),
    }


def test_actions_on_outreach_records(records, personas):
    # ACTION_LETTERS of conftest.py: view, add, change, delete, export, reveal, void. The field records
    # them; officers keep them; the command and departments read.
    assert allowed(OutreachRecord, personas) == {
        "admin": "vacderx",
        "commander": "ve",
        "fire_officer": "ve",
        "subdistrict_officer": "vacder",
        "community_officer": "vacder",
        "grid_worker": "vacer",
        "outsider": "vacer",
        "liaison": "",
        "other_liaison": "",
        "landlord": "",
    }
    assert_refused_actions_see_nothing(OutreachRecord, personas)
    assert_allowed_actions_reach_the_rows_seen(OutreachRecord, personas)


def test_actions_on_the_directory_and_bookings(personas, trades, plan_a):
    book_slot(make_slot(trades.electrician), plan_a, actor=personas.landlord)
    readers = {"commander": "ver", "fire_officer": "ver", "grid_worker": "ver", "outsider": "ver"}
    assert allowed(Contractor, personas) == {
        "admin": "vacderx",
        **readers,
        "subdistrict_officer": "vacder",
        "community_officer": "vacder",
        "liaison": "ve",
        "other_liaison": "ve",
        "landlord": "ver",
    }
    assert allowed(Slot, personas) == {
        **allowed(Contractor, personas),
        **{name: "ve" for name in (*readers, "landlord")},
    }
    # A landlord books and may cancel (a change); departments and area roles book for the plans they see.
    assert allowed(Booking, personas) == {
        "admin": "vacderx",
        "commander": "ve",
        **dict.fromkeys(
            ("fire_officer", "subdistrict_officer", "community_officer", "grid_worker", "outsider"), "vacer"
        ),
        "liaison": "ve",
        "other_liaison": "ve",
        "landlord": "vace",
    }
    for model in (Contractor, Slot, Booking):
        assert_refused_actions_see_nothing(model, personas)
    assert_allowed_actions_reach_the_rows_seen(Booking, personas)
