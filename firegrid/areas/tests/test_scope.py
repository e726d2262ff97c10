"""visible_to for the organisation: areas, units, departments and users per persona."""

import pytest
from django.contrib.auth.models import AnonymousUser

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.areas.models import Area, Department, Unit, User
from firegrid.conftest import (
    EVERY_PERSONA,
    allowed,
    assert_allowed_actions_reach_the_rows_seen,
    assert_refused_actions_see_nothing,
    seen,
)
from firegrid.core.models import AuditEntry
from firegrid.core.permissions import Action

pytestmark = pytest.mark.django_db


def ids(qs):
    return set(qs.values_list("pk", flat=True))


def names(district, *attrs):
    return {getattr(district, a).pk for a in attrs}


ALL_AREAS = ("d", "s1", "s2", "c1", "c2", "grid_a", "grid_a2", "grid_b")


class TestAreaScope:
    @pytest.mark.parametrize("persona", ["admin", "commander", "fire_officer"])
    def test_district_wide_roles_see_the_whole_tree(self, district, personas, persona):
        assert ids(Area.objects.visible_to(getattr(personas, persona))) == names(district, *ALL_AREAS)

    def test_subdistrict_officer_sees_own_subdistrict_and_below(self, district, personas):
        assert ids(Area.objects.visible_to(personas.subdistrict_officer)) == names(
            district, "s1", "c1", "grid_a", "grid_a2"
        )

    def test_community_officer_sees_own_community_and_its_grids_only(self, district, personas):
        assert ids(Area.objects.visible_to(personas.community_officer)) == names(
            district, "c1", "grid_a", "grid_a2"
        )

    def test_grid_worker_sees_own_grid_only(self, district, personas):
        assert ids(Area.objects.visible_to(personas.grid_worker)) == names(district, "grid_a")
        assert ids(Area.objects.visible_to(personas.outsider)) == names(district, "grid_b")

    def test_grid_worker_of_two_grids_sees_both(self, district):
        user = t.make_user("two", Role.GRID_WORKER, [district.grid_a2, district.grid_b])
        assert ids(Area.objects.visible_to(user)) == names(district, "grid_a2", "grid_b")

    @pytest.mark.parametrize("persona", ["liaison", "landlord"])
    def test_roles_outside_the_tree_see_no_areas(self, district, personas, persona):
        assert not Area.objects.visible_to(getattr(personas, persona)).exists()

    def test_area_role_without_areas_sees_nothing(self, district):
        user = t.make_user("unassigned", Role.COMMUNITY_OFFICER)
        assert not Area.objects.visible_to(user).exists()

    def test_anonymous_and_inactive_users_see_nothing(self, district, personas):
        assert not Area.objects.visible_to(AnonymousUser()).exists()
        personas.admin.is_active = False
        assert not Area.objects.visible_to(personas.admin).exists()

    @pytest.mark.parametrize(
        "persona", ["commander", "subdistrict_officer", "community_officer", "grid_worker"]
    )
    def test_only_the_admin_may_change_areas(self, district, personas, persona):
        assert not Area.objects.visible_to(getattr(personas, persona), Action.CHANGE).exists()
        assert Area.objects.visible_to(personas.admin, Action.CHANGE).count() == len(ALL_AREAS)


class TestUnitScope:
    def test_liaison_sees_own_unit_only(self, district, personas):
        assert ids(Unit.objects.visible_to(personas.liaison)) == {district.unit.pk}
        assert ids(Unit.objects.visible_to(personas.other_liaison)) == {district.other_unit.pk}

    def test_liaison_without_unit_sees_none(self, district):
        user = t.make_user("nounit", Role.UNIT_LIAISON)
        assert not Unit.objects.visible_to(user).exists()

    @pytest.mark.parametrize(
        "persona",
        ["admin", "commander", "fire_officer", "subdistrict_officer", "community_officer", "grid_worker"],
    )
    def test_officials_see_every_unit(self, district, personas, persona):
        assert ids(Unit.objects.visible_to(getattr(personas, persona))) == {
            district.unit.pk,
            district.other_unit.pk,
        }

    def test_landlord_sees_no_units(self, district, personas):
        assert not Unit.objects.visible_to(personas.landlord).exists()

    def test_liaison_may_not_change_own_unit(self, district, personas):
        assert not Unit.objects.visible_to(personas.liaison, Action.CHANGE).exists()


class TestDepartmentScope:
    def test_officials_see_departments(self, district, personas):
        assert ids(Department.objects.visible_to(personas.grid_worker)) == {district.fire.pk}

    @pytest.mark.parametrize("persona", ["liaison", "landlord"])
    def test_liaison_and_landlord_see_no_departments(self, district, personas, persona):
        assert not Department.objects.visible_to(getattr(personas, persona)).exists()


class TestUserScope:
    def test_admin_sees_every_user(self, district, personas):
        assert ids(User.objects.visible_to(personas.admin)) == set(User.objects.values_list("pk", flat=True))

    @pytest.mark.parametrize(
        "persona",
        [
            "commander",
            "fire_officer",
            "subdistrict_officer",
            "community_officer",
            "grid_worker",
            "liaison",
            "landlord",
        ],
    )
    def test_nobody_else_lists_other_users(self, district, personas, persona):
        user = getattr(personas, persona)
        assert ids(User.objects.visible_to(user)) <= {user.pk}


class TestAuditScope:
    def test_nobody_but_the_admin_reads_other_peoples_entries(self, district, personas):
        from firegrid.core.services import update_record

        update_record(district.building_a, {"floors": 5}, actor=personas.grid_worker, expected_version=1)
        assert AuditEntry.objects.visible_to(personas.admin).count() == 1
        for user in (
            personas.commander,
            personas.subdistrict_officer,
            personas.community_officer,
            personas.outsider,
        ):
            assert not AuditEntry.objects.visible_to(user).exists()


# --- every persona, every organisation model --------------------------------------------------------------


def test_every_persona_sees_these_areas(district, personas):
    s1_tree = names(district, "s1", "c1", "grid_a", "grid_a2")
    assert seen(Area, personas) == {
        **{name: names(district, *ALL_AREAS) for name in ("admin", "commander", "fire_officer")},
        "subdistrict_officer": s1_tree,
        "community_officer": s1_tree - names(district, "s1"),
        "grid_worker": names(district, "grid_a"),
        "outsider": names(district, "grid_b"),
        "liaison": set(),
        "other_liaison": set(),
        "landlord": set(),
    }


def test_every_persona_sees_these_units_departments_and_users(district, personas):
    units = names(district, "unit", "other_unit")
    officials = (
        "admin",
        "commander",
        "fire_officer",
        "subdistrict_officer",
        "community_officer",
        "grid_worker",
    )
    assert seen(Unit, personas) == {
        **{name: units for name in (*officials, "outsider")},
        "liaison": names(district, "unit"),
        "other_liaison": names(district, "other_unit"),
        "landlord": set(),
    }
    fire = names(district, "fire")
    assert seen(Department, personas) == {
        **{name: fire for name in (*officials, "outsider")},
        "liaison": set(),
        "other_liaison": set(),
        "landlord": set(),
    }
    everyone = set(User.objects.values_list("pk", flat=True))
    assert seen(User, personas) == {name: everyone if name == "admin" else set() for name in EVERY_PERSONA}


def test_actions_on_the_organisation(district, personas):
    # ACTION_LETTERS of conftest.py: view, add, change, delete, export, reveal, void. The organisation is
    # the system administrator's to keep (the area tree itself only through areas.services); everyone
    # who works in it reads it; a liaison reads their own unit; users are the administrator's alone.
    readers = (
        "commander",
        "fire_officer",
        "subdistrict_officer",
        "community_officer",
        "grid_worker",
        "outsider",
    )
    organisation = {"admin": "vacderx", **dict.fromkeys(readers, "ve")}
    outside = {"liaison": "", "other_liaison": "", "landlord": ""}
    assert allowed(Area, personas) == {**organisation, **outside}
    assert allowed(Department, personas) == {**organisation, **outside}
    assert allowed(Unit, personas) == {**organisation, **outside, "liaison": "ve", "other_liaison": "ve"}
    assert allowed(User, personas) == {name: "vacderx" if name == "admin" else "" for name in EVERY_PERSONA}
    for model in (Area, Department, Unit, User):
        assert_refused_actions_see_nothing(model, personas)
        assert_allowed_actions_reach_the_rows_seen(model, personas)
