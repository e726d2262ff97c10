"""visible_to: who sees which registry rows."""

import pytest

from firegrid import testing as t
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


@pytest.mark.django_db
def test_community_officer_sees_every_grid_of_the_community(district, personas):
    premises_a2 = t.make_premises(t.make_building(district.grid_a2), district.landlord_b)
    assert ids(Premises.objects.visible_to(personas.community_officer)) == {
        district.premises_a.pk,
        district.shop_a.pk,
        premises_a2.pk,
    }
    assert premises_a2.pk not in ids(Premises.objects.visible_to(personas.grid_worker))


@pytest.mark.django_db
def test_outsider_sees_only_grid_b(district, personas):
    out = personas.outsider
    assert ids(Premises.objects.visible_to(out)) == {district.premises_b.pk}
    assert ids(Building.objects.visible_to(out)) == {district.building_b.pk}
    assert ids(Room.objects.visible_to(out)) == {district.room_b.pk}
    assert ids(TenantHousehold.objects.visible_to(out)) == {district.tenant_b.pk}


@pytest.mark.django_db
def test_landlord_is_visible_where_registered_and_where_they_own_premises(district, personas):
    # landlord_a is registered in grid A; once they own a premises in grid B the grid B worker sees them.
    assert district.landlord_a.pk not in ids(Landlord.objects.visible_to(personas.outsider))
    t.make_premises(district.building_b, district.landlord_a, unit_label="3楼")
    assert district.landlord_a.pk in ids(Landlord.objects.visible_to(personas.outsider))


@pytest.mark.django_db
def test_landlord_keeps_own_tenants_but_only_reads_premises(district, personas):
    landlord = personas.landlord
    assert ids(TenantHousehold.objects.visible_to(landlord, Action.CHANGE)) == {district.tenant_a.pk}
    assert ids(TenantHousehold.objects.visible_to(landlord, Action.DELETE)) == {district.tenant_a.pk}
    assert not Premises.objects.visible_to(landlord, Action.CHANGE).exists()
    assert ids(Landlord.objects.visible_to(landlord)) == {district.landlord_a.pk}
    assert ids(Building.objects.visible_to(landlord)) == {district.building_a.pk}


@pytest.mark.django_db
def test_liaison_reads_but_never_changes(district, personas):
    for model in (Building, Premises, Room, Landlord):
        assert model.objects.visible_to(personas.liaison).exists()
        assert not model.objects.visible_to(personas.liaison, Action.CHANGE).exists()


@pytest.mark.django_db
def test_accounts_missing_their_link_see_nothing(district):
    from firegrid.areas.choices import Role

    bare_landlord = t.make_user("bare_landlord", Role.LANDLORD)
    bare_liaison = t.make_user("bare_liaison", Role.UNIT_LIAISON)
    bare_worker = t.make_user("bare_worker", Role.GRID_WORKER)
    for user in (bare_landlord, bare_liaison, bare_worker):
        for model in (Building, Premises, Room, Landlord, TenantHousehold):
            assert not model.objects.visible_to(user).exists(), (user.username, model.__name__)


@pytest.mark.django_db
def test_in_area_includes_descendant_grids(district):
    assert ids(Premises.objects.in_area(district.s1)) == {district.premises_a.pk, district.shop_a.pk}
    assert ids(Premises.objects.in_area(district.d)) == ids(Premises.objects.all())
    assert ids(Building.objects.in_area(district.grid_b)) == {district.building_b.pk}
