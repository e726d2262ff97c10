"""The ledger import's fast paths (issue 13, speed): records inserted with reserved ids write exactly what
`bulk_create` wrote, reserved ids never collide, and the remembered field checks raise exactly what
`full_clean` raises, value after repeated value."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from firegrid import testing as t
from firegrid.areas.choices import AreaLevel
from firegrid.core.bulk_insert import insert_objects, insert_rows, reserve_ids, update_objects
from firegrid.registry.choices import PremisesKind
from firegrid.registry.ledger.books import create_all
from firegrid.registry.ledger.field_checks import FieldChecks
from firegrid.registry.models import Building, Landlord, Premises

pytestmark = pytest.mark.django_db


@pytest.fixture
def grids():
    district = t.make_area(AreaLevel.DISTRICT, "衢江区")
    community = t.make_area(AreaLevel.COMMUNITY, "樟树潭社区", district)
    return t.make_area(AreaLevel.GRID, "一网格", community), t.make_area(AreaLevel.GRID, "二网格", community)


def stored(model, pk: int) -> dict:
    """The row as the database holds it (decimals, JSON and dates in their stored form)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])
        names = [c[0] for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def shop(building: Building, landlord: Landlord) -> Premises:
    return Premises(
        building=building,
        landlord=landlord,
        unit_label="1楼东侧店面",
        kind=PremisesKind.SHOP,
        is_shared_rental=True,
        floor_from=1,
        floor_to=2,
        floor_area_m2=Decimal("85.50"),
        business_name="",
        to_verify=["business_name"],
        ledger_extra={"备注": "沿街", "出租间数": 3},
    )


def test_inserted_premises_are_stored_as_bulk_create_stores_them(grids):
    landlord = t.make_landlord()
    one = t.make_building(grids[0], "樟潭街道樟树潭路8号")
    two = t.make_building(grids[1], "樟潭街道樟树潭路8号")
    with transaction.atomic():
        [by_django] = Premises.objects.bulk_create([shop(one, landlord)])
        by_ledger = shop(two, landlord)
        create_all(Premises, [by_ledger])
    assert by_ledger.pk is not None and not by_ledger._state.adding
    django_row, ledger_row = stored(Premises, by_django.pk), stored(Premises, by_ledger.pk)
    differ = {k for k in django_row if django_row[k] != ledger_row[k]}
    assert differ == {"id", "building_id", "created_at", "updated_at"}
    assert ledger_row["created_at"] == ledger_row["updated_at"]  # one time for the call
    assert Premises.objects.get(pk=by_ledger.pk).sort_key == by_django.sort_key  # key filled as bulk_create
    again = Premises.objects.get(pk=by_ledger.pk)
    assert (again.floor_area_m2, again.to_verify, again.ledger_extra, again.version) == (
        Decimal("85.50"),
        ["business_name"],
        {"备注": "沿街", "出租间数": 3},
        1,
    )


def test_updated_records_are_stored_as_bulk_update_stores_them(grids):
    """update_objects (the sensor ingester's writes) leaves the rows as bulk_update does: decimals, JSON,
    null, lists — and only the fields named."""
    landlord = t.make_landlord()
    buildings = [t.make_building(grids[0], f"樟潭街道樟树潭路{n}号") for n in (8, 9)]
    by_django, by_us = (Premises.objects.create(**vars_of(shop(b, landlord))) for b in buildings)
    for obj in (by_django, by_us):
        obj.floor_area_m2, obj.ledger_extra, obj.to_verify = None, {"备注": "改"}, ["floor_area_m2"]
        obj.is_shared_rental, obj.business_name, obj.floor_to = False, "小卖部", 3
        obj.unit_label = "not written"  # not among the fields named
    names = ["floor_area_m2", "ledger_extra", "to_verify", "is_shared_rental", "business_name", "floor_to"]
    Premises.objects.bulk_update([by_django], names)
    assert update_objects(Premises, [by_us], names) == 1
    django_row, our_row = stored(Premises, by_django.pk), stored(Premises, by_us.pk)
    columns = [Premises._meta.get_field(n).column for n in [*names, "unit_label", "version"]]
    assert {c: our_row[c] for c in columns} == {c: django_row[c] for c in columns}
    again = Premises.objects.get(pk=by_us.pk)
    assert (again.floor_area_m2, again.ledger_extra, again.to_verify, again.floor_to, again.unit_label) == (
        None,
        {"备注": "改"},
        ["floor_area_m2"],
        3,
        "1楼东侧店面",
    )
    assert update_objects(Premises, [], names) == 0


def vars_of(premises: Premises) -> dict:
    return {
        f.attname: getattr(premises, f.attname) for f in Premises._meta.concrete_fields if not f.primary_key
    }


def test_nullable_and_converted_values_round_trip(grids):
    with transaction.atomic():
        landlords = [
            Landlord(name="甲", mobile="13800000001", to_verify=["id_number"]),
            Landlord(name="乙", mobile="13800000002", id_number="", area=grids[0], is_official=True),
        ]
        insert_objects(Landlord, landlords)
    first, second = (Landlord.objects.get(pk=obj.pk) for obj in landlords)
    assert (first.area_id, first.to_verify, first.is_official) == (None, ["id_number"], False)
    assert (second.area_id, second.to_verify, second.is_official) == (grids[0].pk, [], True)


def test_reserved_ids_never_collide_with_rows_created_meanwhile(grids):
    gone = t.make_building(grids[0])
    gone_pk = gone.pk
    gone.delete()
    with transaction.atomic():
        reserved = reserve_ids(Building, 3)
        # Not a deleted row's id again (SQLite's AUTOINCREMENT; PostgreSQL's sequence).
        assert min(reserved) > gone_pk and len(set(reserved)) == 3
        if connection.vendor == "postgresql":  # another insert between reserving and writing
            meanwhile = t.make_building(grids[0])
            assert meanwhile.pk not in reserved
        now = timezone.now()
        new = [
            Building(pk=pk, grid=grids[0], address=f"测试路{pk}号", floors=3, created_at=now, updated_at=now)
            for pk in reserved
        ]
        fields = Building._meta.concrete_fields
        insert_rows(
            Building, [f.name for f in fields], ([getattr(b, f.attname) for f in fields] for b in new)
        )
    later = t.make_building(grids[0])
    assert later.pk > max(reserved)
    assert set(Building.objects.filter(pk__in=reserved).values_list("address", flat=True)) == {
        f"测试路{pk}号" for pk in reserved
    }


@pytest.mark.django_db(transaction=True)
def test_reserving_ids_on_sqlite_needs_the_inserting_transaction():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with pytest.raises(RuntimeError):
        reserve_ids(Building, 1)


def errors_of(check) -> list[tuple[str, str | None, object]]:
    try:
        check()
    except ValidationError as exc:
        return [(name, e.code, e.params) for name, errs in exc.error_dict.items() for e in errs]
    return []


@pytest.mark.parametrize(
    "values",
    [
        {"kind": "castle", "unit_label": "x" * 33},
        {"floor_from": -9, "floor_to": -10},
        {"floor_area_m2": Decimal("1.000")},  # equal to 1.0, but three decimal places
        {"floor_area_m2": Decimal("1.0")},
        {"kind": PremisesKind.SHOP, "business_name": ""},
        {"unit_label": ""},
        {},
    ],
)
def test_remembered_checks_raise_what_full_clean_raises(grids, values):
    building = t.make_building(grids[0])
    landlord = t.make_landlord()
    base = {"unit_label": "101", "floor_area_m2": Decimal("50"), **values}
    checks = FieldChecks()
    exclude = ["building", "landlord"]
    # The checked value first unseen, then remembered (a second record with the same values).
    for _round in range(2):
        mine = Premises(building=building, landlord=landlord, **base)
        django = Premises(building=building, landlord=landlord, **base)
        expected = errors_of(
            lambda d=django: d.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        )
        assert errors_of(lambda m=mine: checks.check(m, exclude)) == expected
        assert [getattr(mine, f.attname) for f in Premises._meta.fields] == [
            getattr(django, f.attname) for f in Premises._meta.fields
        ]
    if "floor_area_m2" in values:
        # 1.000 and 1.0 are equal keys to a dict: each keeps its own verdict.
        other = Decimal("1.0") if values["floor_area_m2"] == Decimal("1.000") else Decimal("1.000")
        flipped = Premises(building=building, landlord=landlord, **{**base, "floor_area_m2": other})
        twin = Premises(building=building, landlord=landlord, **{**base, "floor_area_m2": other})
        assert errors_of(lambda: checks.check(flipped, exclude)) == errors_of(
            lambda: twin.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        )
