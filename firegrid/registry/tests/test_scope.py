"""visible_to: who sees which registry rows."""

import pytest

from firegrid import testing as t
from firegrid.conftest import (
    allowed,
    assert_allowed_actions_reach_the_rows_seen,
    assert_refused_actions_see_nothing,
    ids_of,
    seen,
)
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


# --- every persona over every registry model ------------------------------------------------------------
# The district of conftest.py plus a premises in grid A2 (community C1, not grid A) with its own building,
# landlord, room and tenant household: it tells the grid worker apart from the community and subdistrict.

DISTRICT_WIDE = ("admin", "commander", "fire_officer")
C1_OFFICERS = ("subdistrict_officer", "community_officer")


@pytest.fixture
def scene(district):
    d = district
    d.landlord_a2 = t.make_landlord("钱多多", area=d.grid_a2)
    d.building_a2 = t.make_building(d.grid_a2, "樟潭街道二号路1号")
    d.premises_a2 = t.make_premises(d.building_a2, d.landlord_a2, unit_label="整幢")
    d.room_a2 = t.make_room(d.premises_a2, "101")
    d.tenant_a2 = t.make_tenant(d.premises_a2, room=d.room_a2)
    return d


def expected(scene, everything, c1, grid_a, grid_b, liaison, landlord) -> dict[str, set[int]]:
    """Rows by persona, as scene names: district-wide roles, the officers of C1, grid A's worker, grid B's
    worker (the outsider), the unit liaison (the other unit's liaison sees nothing), the landlord."""
    rows = {name: ids_of(scene, *everything) for name in DISTRICT_WIDE}
    rows |= {name: ids_of(scene, *c1) for name in C1_OFFICERS}
    return rows | {
        "grid_worker": ids_of(scene, *grid_a),
        "outsider": ids_of(scene, *grid_b),
        "liaison": ids_of(scene, *liaison),
        "other_liaison": set(),
        "landlord": ids_of(scene, *landlord),
    }


# Actions on the registry (ACTION_LETTERS of conftest.py: view, add, change, delete, export, reveal, void).
# The command reads and may confirm identities; departments read; area officers keep the records; grid
# workers register and correct but do not remove; a liaison and a landlord read their own.
REGISTRY_ACTIONS = {
    "admin": "vacderx",
    "commander": "ver",
    "fire_officer": "ve",
    "subdistrict_officer": "vacderx",
    "community_officer": "vacderx",
    "grid_worker": "vacer",
    "outsider": "vacer",
    "liaison": "ve",
    "other_liaison": "ve",
    "landlord": "ver",
}


class TestEveryPersona:
    def test_buildings(self, scene, personas):
        assert seen(Building, personas) == expected(
            scene,
            everything=("building_a", "building_b", "building_a2"),
            c1=("building_a", "building_a2"),
            grid_a=("building_a",),
            grid_b=("building_b",),
            liaison=("building_a",),
            landlord=("building_a",),
        )

    def test_premises(self, scene, personas):
        assert seen(Premises, personas) == expected(
            scene,
            everything=("premises_a", "shop_a", "premises_b", "premises_a2"),
            c1=("premises_a", "shop_a", "premises_a2"),
            grid_a=("premises_a", "shop_a"),
            grid_b=("premises_b",),
            liaison=("premises_a", "shop_a"),
            landlord=("premises_a", "shop_a"),
        )

    def test_rooms(self, scene, personas):
        assert seen(Room, personas) == expected(
            scene,
            everything=("room_a", "room_b", "room_a2"),
            c1=("room_a", "room_a2"),
            grid_a=("room_a",),
            grid_b=("room_b",),
            liaison=("room_a",),
            landlord=("room_a",),
        )

    def test_landlords(self, scene, personas):
        assert seen(Landlord, personas) == expected(
            scene,
            everything=("landlord_a", "landlord_b", "landlord_a2"),
            c1=("landlord_a", "landlord_a2"),
            grid_a=("landlord_a",),
            grid_b=("landlord_b",),
            liaison=("landlord_a",),
            landlord=("landlord_a",),
        )

    def test_tenant_households(self, scene, personas):
        # Tenants are none of a unit liaison's business.
        assert seen(TenantHousehold, personas) == expected(
            scene,
            everything=("tenant_a", "tenant_b", "tenant_a2"),
            c1=("tenant_a", "tenant_a2"),
            grid_a=("tenant_a",),
            grid_b=("tenant_b",),
            liaison=(),
            landlord=("tenant_a",),
        )

    @pytest.mark.parametrize("model", [Building, Premises, Room, Landlord])
    def test_actions_on_buildings_premises_rooms_and_landlords(self, scene, personas, model):
        assert allowed(model, personas) == REGISTRY_ACTIONS
        assert_refused_actions_see_nothing(model, personas)
        assert_allowed_actions_reach_the_rows_seen(model, personas)

    def test_actions_on_tenant_households(self, scene, personas):
        # A landlord keeps their own tenant register; a liaison never touches it.
        assert allowed(TenantHousehold, personas) == {
            **REGISTRY_ACTIONS,
            "liaison": "",
            "other_liaison": "",
            "landlord": "vacderx",
        }
        assert_refused_actions_see_nothing(TenantHousehold, personas)
        assert_allowed_actions_reach_the_rows_seen(TenantHousehold, personas)
