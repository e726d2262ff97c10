"""Area tree operations: materialised paths written on create and rewritten for a moved subtree."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from firegrid import testing as t
from firegrid.areas.choices import AreaLevel, Role
from firegrid.areas.models import Area, User
from firegrid.areas.services import create_area, move_area
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.registry.models import Building, Premises

pytestmark = pytest.mark.django_db


def ids(qs):
    return set(qs.values_list("pk", flat=True))


def expected_path(area: Area) -> str:
    """The path computed from the parent chain, independently of the stored one."""
    parts = []
    node = area
    while node is not None:
        parts.append(str(node.pk))
        node = node.parent
    return "/" + "/".join(reversed(parts)) + "/"


def assert_paths_consistent():
    for area in Area.objects.select_related("parent"):
        assert area.path == expected_path(area), area.name


def paths():
    return dict(Area.objects.values_list("pk", "path"))


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


class TestCreateArea:
    def test_create_area_builds_the_materialised_path(self, db):
        admin = t.make_user("admin", Role.SYSTEM_ADMIN)
        d = create_area(actor=admin, level=AreaLevel.DISTRICT, name="衢江区", code="330803")
        s = create_area(actor=admin, level=AreaLevel.SUBDISTRICT, name="樟潭街道", code="330803001", parent=d)
        c = create_area(
            actor=admin, level=AreaLevel.COMMUNITY, name="樟树潭社区", code="330803001001", parent=s
        )
        g = create_area(actor=admin, level=AreaLevel.GRID, name="一网格", code="330803001001001", parent=c)
        assert d.path == f"/{d.pk}/"
        assert s.path == f"/{d.pk}/{s.pk}/"
        assert g.path == f"/{d.pk}/{s.pk}/{c.pk}/{g.pk}/"
        g.refresh_from_db()
        assert g.path == f"/{d.pk}/{s.pk}/{c.pk}/{g.pk}/"
        assert_paths_consistent()

    def test_create_area_writes_an_entry(self, district, personas):
        grid = create_area(
            actor=personas.admin,
            level=AreaLevel.GRID,
            name="樟树潭三网格",
            code="330803001001003",
            parent=district.c1,
        )
        entry = AuditEntry.objects.for_object(grid).get()
        assert (entry.action, entry.actor) == (AuditAction.CREATE, personas.admin)
        assert entry.after["parent_id"] == district.c1.pk

    def test_new_grid_joins_its_ancestors_subtrees(self, district, personas):
        grid = create_area(
            actor=personas.admin,
            level=AreaLevel.GRID,
            name="樟树潭三网格",
            code="330803001001003",
            parent=district.c1,
        )
        assert grid in Area.objects.subtree(district.s1)
        assert grid in Area.objects.subtree(district.d)
        assert grid not in Area.objects.subtree(district.s2)
        assert grid.pk in fresh(personas.subdistrict_officer).scope_grid_ids

    def test_create_area_with_wrong_parent_level_saves_nothing(self, district, personas):
        before = Area.objects.count()
        with pytest.raises(ValidationError) as info:
            create_area(
                actor=personas.admin,
                level=AreaLevel.GRID,
                name="错层网格",
                code="330803009",
                parent=district.s1,
            )
        assert "parent" in info.value.message_dict
        assert Area.objects.count() == before
        assert not AuditEntry.objects.exists()

    def test_create_area_with_duplicate_name_is_refused(self, district, personas):
        with pytest.raises(ValidationError) as info:
            create_area(
                actor=personas.admin,
                level=AreaLevel.GRID,
                name="樟树潭一网格",
                code="330803001001009",
                parent=district.c1,
            )
        assert info.value.message_dict == {"__all__": ["同一上级区域下已有同名区域。"]}

    @pytest.mark.parametrize(
        "persona", ["commander", "subdistrict_officer", "community_officer", "grid_worker"]
    )
    def test_only_the_admin_creates_areas(self, district, personas, persona):
        with pytest.raises(PermissionDenied):
            create_area(
                actor=getattr(personas, persona),
                level=AreaLevel.GRID,
                name="樟树潭三网格",
                code="330803001001003",
                parent=district.c1,
            )
        assert not Area.objects.filter(name="樟树潭三网格").exists()


class TestSubtree:
    def test_subtree_includes_the_area_and_all_descendants(self, district):
        d = district
        assert ids(Area.objects.subtree(d.s1)) == {d.s1.pk, d.c1.pk, d.grid_a.pk, d.grid_a2.pk}
        assert ids(Area.objects.subtree(d.grid_a)) == {d.grid_a.pk}
        assert Area.objects.subtree(d.d).count() == 8

    def test_subtree_does_not_catch_areas_whose_id_merely_starts_alike(self, district):
        # "/…/900001/" must not match "/…/9000011/": paths end with "/" for exactly this reason.
        d = district
        short, long = (
            Area.objects.create(pk=pk, parent=d.c2, level=AreaLevel.GRID, name=f"网格{pk}", code=str(pk))
            for pk in (900001, 9000011)
        )
        for area in (short, long):
            area.path = f"{d.c2.path}{area.pk}/"
            area.save(update_fields=["path"])
        assert ids(Area.objects.subtree(short)) == {short.pk}
        assert ids(Area.objects.subtree(long)) == {long.pk}


class TestMoveArea:
    def test_moving_a_community_rewrites_every_path_below_it(self, district, personas):
        d = district
        before = paths()
        moved = move_area(d.c1, d.s2, actor=personas.admin, reason="区划调整")
        after = paths()
        assert moved.parent == d.s2
        assert after[d.c1.pk] == f"{d.s2.path}{d.c1.pk}/"
        assert after[d.grid_a.pk] == f"{d.s2.path}{d.c1.pk}/{d.grid_a.pk}/"
        assert after[d.grid_a2.pk] == f"{d.s2.path}{d.c1.pk}/{d.grid_a2.pk}/"
        # Nothing outside the moved subtree changes.
        for pk in before.keys() - {d.c1.pk, d.grid_a.pk, d.grid_a2.pk}:
            assert after[pk] == before[pk]
        assert_paths_consistent()
        assert ids(Area.objects.subtree(d.s2)) == {
            d.s2.pk,
            d.c2.pk,
            d.grid_b.pk,
            d.c1.pk,
            d.grid_a.pk,
            d.grid_a2.pk,
        }
        assert ids(Area.objects.subtree(d.s1)) == {d.s1.pk}

    def test_move_records_an_entry_and_increments_version(self, district, personas):
        d = district
        moved = move_area(d.c1, d.s2, actor=personas.admin, reason="区划调整")
        assert moved.version == 2
        entry = AuditEntry.objects.for_object(d.c1).get()
        assert entry.action == AuditAction.MOVE
        assert entry.actor == personas.admin
        assert entry.reason == "区划调整"
        assert (entry.before["parent_id"], entry.after["parent_id"]) == (d.s1.pk, d.s2.pk)

    def test_moving_a_grid_carries_its_buildings_along(self, district, personas):
        d = district
        move_area(d.grid_a, d.c2, actor=personas.admin)
        assert ids(Building.objects.in_area(d.c2)) == {d.building_a.pk, d.building_b.pk}
        assert ids(Premises.objects.in_area(d.s1)) == set()
        assert_paths_consistent()

    def test_scope_follows_the_move(self, district, personas):
        d = district
        s2_officer = t.make_user("fushi", Role.SUBDISTRICT_OFFICER, [d.s2])
        old_officer = personas.subdistrict_officer
        assert ids(Premises.objects.visible_to(old_officer)) == {d.premises_a.pk, d.shop_a.pk}
        assert ids(Premises.objects.visible_to(s2_officer)) == {d.premises_b.pk}

        move_area(d.c1, d.s2, actor=personas.admin)

        old_officer.forget_scope()
        assert ids(Premises.objects.visible_to(old_officer)) == set()
        assert ids(Premises.objects.visible_to(fresh(old_officer))) == set()
        assert ids(Premises.objects.visible_to(fresh(s2_officer))) == {
            d.premises_a.pk,
            d.shop_a.pk,
            d.premises_b.pk,
        }
        # Those attached below the moved node keep their scope.
        assert ids(Premises.objects.visible_to(fresh(personas.community_officer))) == {
            d.premises_a.pk,
            d.shop_a.pk,
        }
        assert ids(Premises.objects.visible_to(fresh(personas.grid_worker))) == {d.premises_a.pk, d.shop_a.pk}
        # And areas too.
        assert ids(Area.objects.visible_to(fresh(old_officer))) == {d.s1.pk}
        assert d.grid_a.pk in ids(Area.objects.visible_to(fresh(s2_officer)))

    def test_a_cached_scope_is_stale_until_forgotten(self, district, personas):
        d = district
        officer = personas.subdistrict_officer
        assert set(officer.scope_grid_ids) == {d.grid_a.pk, d.grid_a2.pk}
        move_area(d.c1, d.s2, actor=personas.admin)
        assert set(officer.scope_grid_ids) == {d.grid_a.pk, d.grid_a2.pk}
        officer.forget_scope()
        assert officer.scope_grid_ids == []

    def test_moving_back_restores_the_original_paths(self, district, personas):
        d = district
        before = paths()
        move_area(d.c1, d.s2, actor=personas.admin)
        move_area(d.c1, d.s1, actor=personas.admin)
        assert paths() == before

    def refused(self, area, new_parent, actor) -> dict:
        before = paths()
        with pytest.raises(ValidationError) as info:
            move_area(area, new_parent, actor=actor)
        assert paths() == before
        area.refresh_from_db()
        assert area.version == 1
        assert not AuditEntry.objects.exists()
        return info.value.message_dict

    def test_move_to_a_parent_of_the_wrong_level_is_refused(self, district, personas):
        d = district
        assert self.refused(d.c1, d.d, personas.admin) == {
            "parent": ["樟树潭社区不能移到衢江区下：层级不符。"]
        }
        assert self.refused(d.grid_a, d.s2, personas.admin) == {
            "parent": ["樟树潭一网格不能移到浮石街道下：层级不符。"]
        }
        assert "parent" in self.refused(d.d, d.s1, personas.admin)

    def test_move_into_own_subtree_is_refused(self, district, personas):
        # The four fixed levels make this also a level mismatch; either way nothing moves.
        d = district
        assert "parent" in self.refused(d.c1, d.grid_a, personas.admin)
        assert "parent" in self.refused(d.s1, d.c1, personas.admin)
        assert "parent" in self.refused(d.c1, d.c1, personas.admin)

    def test_move_into_a_parent_with_a_same_named_child_is_refused(self, district, personas):
        d = district
        t.make_area(AreaLevel.COMMUNITY, d.c1.name, d.s2)
        assert self.refused(d.c1, d.s2, personas.admin) == {"parent": ["目标区域下已有同名区域。"]}

    @pytest.mark.parametrize("persona", ["commander", "subdistrict_officer", "community_officer"])
    def test_only_the_admin_moves_areas(self, district, personas, persona):
        before = paths()
        with pytest.raises(PermissionDenied):
            move_area(district.c1, district.s2, actor=getattr(personas, persona))
        assert paths() == before
