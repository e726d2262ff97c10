"""Who sees what: the directory is public to every signed-in role; changing it follows the contractor's
areas; a booking is seen by whoever sees its plan, and by its contractor."""

import pytest

from firegrid.core.permissions import Action
from firegrid.outreach.models import Booking, Contractor, Slot, WorkPhoto
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
