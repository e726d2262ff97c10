"""visible_to: who sees which registry rows."""

import pytest

from firegrid.core.permissions import Action
from firegrid.registry.models import Building, Landlord, Premises, Room, TenantHousehold


def ids(qs):
    return set(qs.values_list("pk", flat=True))


@pytest.mark.django_db
class TestPremisesScope:
    def test_grid_worker_sees_only_own_grid(self, district, personas):
        assert ids(Premises.objects.visible_to(personas.grid_worker)) == {
            district.premises_a.pk,
            district.shop_a.pk,
        }

    def test_subdistrict_officer_sees_descendant_grids(self, district, personas):
        assert ids(Premises.objects.visible_to(personas.subdistrict_officer)) == {
            district.premises_a.pk,
            district.shop_a.pk,
        }

    def test_district_roles_see_everything(self, district, personas):
        for user in (personas.commander, personas.fire_officer, personas.admin):
            assert Premises.objects.visible_to(user).count() == 3

    def test_liaison_sees_premises_of_unit_landlords(self, district, personas):
        assert ids(Premises.objects.visible_to(personas.liaison)) == {
            district.premises_a.pk,
            district.shop_a.pk,
        }
        assert ids(Premises.objects.visible_to(personas.other_liaison)) == set()

    def test_landlord_sees_own_premises(self, district, personas):
        assert ids(Premises.objects.visible_to(personas.landlord)) == {
            district.premises_a.pk,
            district.shop_a.pk,
        }

    def test_department_officer_may_not_change(self, district, personas):
        assert not Premises.objects.visible_to(personas.fire_officer, Action.CHANGE).exists()

    def test_grid_worker_may_change_but_not_delete(self, district, personas):
        assert Premises.objects.visible_to(personas.grid_worker, Action.CHANGE).count() == 2
        assert not Premises.objects.visible_to(personas.grid_worker, Action.DELETE).exists()

    def test_anonymous_sees_nothing(self, district):
        from django.contrib.auth.models import AnonymousUser

        assert not Premises.objects.visible_to(AnonymousUser()).exists()


@pytest.mark.django_db
def test_related_models_follow_premises_scope(district, personas):
    gw = personas.grid_worker
    assert ids(Building.objects.visible_to(gw)) == {district.building_a.pk}
    assert ids(Room.objects.visible_to(gw)) == {district.room_a.pk}
    assert ids(TenantHousehold.objects.visible_to(gw)) == {district.tenant_a.pk}
    assert ids(Landlord.objects.visible_to(gw)) == {district.landlord_a.pk}
    assert ids(Building.objects.visible_to(personas.liaison)) == {district.building_a.pk}
    assert ids(Landlord.objects.visible_to(personas.liaison)) == {district.landlord_a.pk}


@pytest.mark.django_db
def test_liaison_never_sees_tenants(district, personas):
    assert not TenantHousehold.objects.visible_to(personas.liaison).exists()


@pytest.mark.django_db
def test_landlord_sees_only_own_tenants(district, personas):
    assert ids(TenantHousehold.objects.visible_to(personas.landlord)) == {district.tenant_a.pk}
