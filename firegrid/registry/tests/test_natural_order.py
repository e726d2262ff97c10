"""Natural order (issue 14, item 3): buildings, premises and rooms carry a stored `sort_key`, kept by every
write path (save, the services, bulk writes: the ledger import, the demo load), filled for existing rows by
migration 0009; every registry list, web and API, orders by it: 1号, 2号, 10号. Written for both databases:
the lead's suite runs it on PostgreSQL too."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from firegrid import testing as t
from firegrid.api_testing import API, api_client
from firegrid.conftest import assert_status
from firegrid.core.services import update_record
from firegrid.registry.ledger import samples, services
from firegrid.registry.ledger.choices import ImportStatus
from firegrid.registry.models import Building, Premises, Room
from firegrid.registry.sort_keys import SEPARATOR, building_sort_key, premises_sort_key, room_sort_key

pytestmark = pytest.mark.django_db

NUMBERS = (10, 2, 1, 19, 11)  # made in this order: ids are not the answer
IN_ORDER = [f"樟潭街道排序路{n}号" for n in sorted(NUMBERS)]


@pytest.fixture
def street(district):
    """Buildings 樟潭街道排序路10号, 2号, 1号, 19号, 11号 in grid A (made in that order), one premises in each,
    and in 1号 premises 2-10, 2-2, 10-1, 2-1 and rooms 10, 2, 1 of its premises 2-1."""
    d = district
    buildings = [t.make_building(d.grid_a, f"樟潭街道排序路{n}号") for n in NUMBERS]
    for building in buildings:
        t.make_premises(building, d.landlord_a, unit_label="整幢")
    first = next(b for b in buildings if b.address.endswith("路1号"))
    labels = {
        label: t.make_premises(first, d.landlord_a, unit_label=label)
        for label in ("2-10", "2-2", "10-1", "2-1")
    }
    rooms = [t.make_room(labels["2-1"], number) for number in ("10", "2", "1")]
    return SimpleNamespace(buildings=buildings, first=first, labels=labels, rooms=rooms)


def addresses(rows) -> list[str]:
    """The street's addresses in the order given (other buildings of the district left out)."""
    return [a for a in rows if a.startswith("樟潭街道排序路")]


# --- the keys -------------------------------------------------------------------------------------------


def test_each_record_stores_its_key(street):
    building = Building.objects.get(pk=street.first.pk)
    assert building.sort_key == building_sort_key("樟潭街道排序路1号") == "樟潭街道排序路000001号"
    premises = Premises.objects.get(pk=street.labels["2-10"].pk)
    assert premises.sort_key == f"樟潭街道排序路000001号{SEPARATOR}000002-000010"
    assert Room.objects.get(pk=street.rooms[0].pk).sort_key == room_sort_key("10") == "000010"


def test_models_order_by_the_key(street):
    ours = Building.objects.filter(address__startswith="樟潭街道排序路")
    assert list(ours.values_list("address", flat=True)) == IN_ORDER
    labels = Premises.objects.filter(building=street.first).values_list("unit_label", flat=True)
    assert list(labels) == ["2-1", "2-2", "2-10", "10-1", "整幢"]
    assert list(Room.objects.filter(premises=street.labels["2-1"]).values_list("number", flat=True)) == [
        "1",
        "2",
        "10",
    ]
    # Premises follow their building's address first: 2号's before 10号's.
    whole = Premises.objects.filter(building__in=street.buildings, unit_label="整幢")
    assert [p.building.address for p in whole.select_related("building")] == IN_ORDER


def test_a_changed_address_rewrites_the_keys_of_its_premises(street, personas):
    building = street.first
    update_record(building, {"address": "樟潭街道排序路30号"}, actor=personas.grid_worker, expected_version=1)
    building.refresh_from_db()
    assert building.sort_key == building_sort_key("樟潭街道排序路30号")
    for premises in Premises.objects.filter(building=building):
        assert premises.sort_key == premises_sort_key("樟潭街道排序路30号", premises.unit_label)
    ours = Building.objects.filter(address__startswith="樟潭街道排序路").values_list("address", flat=True)
    assert list(ours)[-1] == "樟潭街道排序路30号"


def test_a_changed_label_or_number_rewrites_its_key(street, personas):
    premises = street.labels["10-1"]
    update_record(premises, {"unit_label": "1-1"}, actor=personas.grid_worker, expected_version=1)
    assert Premises.objects.get(pk=premises.pk).sort_key == premises_sort_key(street.first.address, "1-1")
    room = street.rooms[0]
    room.number = "3"
    room.save(update_fields=["number"])
    assert Room.objects.get(pk=room.pk).sort_key == "000003"


def test_bulk_writes_fill_the_key(district):
    d = district
    (building,) = Building.objects.bulk_create(
        [Building(grid=d.grid_a, address="樟潭街道批量路7号", floors=2)]
    )
    (premises,) = Premises.objects.bulk_create(
        [Premises(building_id=building.pk, landlord=d.landlord_a, unit_label="3室", floor_area_m2=50)]
    )
    Room.objects.bulk_create([Room(premises=premises, number="5", area_m2=10)])
    assert Building.objects.get(pk=building.pk).sort_key == "樟潭街道批量路000007号"
    assert Premises.objects.get(pk=premises.pk).sort_key == premises_sort_key("樟潭街道批量路7号", "3室")
    assert Room.objects.get(premises=premises).sort_key == "000005"
    building.address = "樟潭街道批量路70号"
    Building.objects.bulk_update([building], ["address"])
    assert Building.objects.get(pk=building.pk).sort_key == "樟潭街道批量路000070号"
    assert Premises.objects.get(pk=premises.pk).sort_key == premises_sort_key("樟潭街道批量路70号", "3室")


def test_premises_built_on_new_buildings_take_their_own_buildings_address(district):
    """As the demo loads: premises made on buildings not saved yet, the buildings bulk-created first."""
    d = district
    buildings = [Building(grid=d.grid_a, address=f"樟潭街道批量路{n}号", floors=2) for n in (3, 30)]
    premises = [
        Premises(building=b, landlord=d.landlord_a, unit_label=label, floor_area_m2=50)
        for b in buildings
        for label in ("1楼", "2楼")
    ]
    Building.objects.bulk_create(buildings)
    Premises.objects.bulk_create(premises)
    for p in Premises.objects.filter(building__in=buildings).select_related("building"):
        assert p.sort_key == premises_sort_key(p.building.address, p.unit_label)


def test_an_update_of_what_the_key_is_made_of_is_refused(district):
    """A plain UPDATE would leave the key stale: it must go through save() or bulk_update()."""
    with pytest.raises(TypeError, match="address"):
        Building.objects.filter(pk=district.building_a.pk).update(address="樟潭街道别处1号")
    with pytest.raises(TypeError, match="unit_label"):
        Premises.objects.filter(pk=district.premises_a.pk).update(unit_label="1楼")
    assert Building.objects.filter(pk=district.building_a.pk).update(floors=5) == 1


def test_the_migration_fills_existing_rows(street):
    """Migration 0009's function over rows without keys, as the historical models see them."""
    for table in ("registry_building", "registry_premises", "registry_room"):
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET sort_key = ''")
    apps = MigrationExecutor(connection).loader.project_state(("registry", "0009_natural_sort_key")).apps
    migration = __import__("firegrid.registry.migrations.0009_natural_sort_key", fromlist=["fill"])
    migration.fill(apps, SimpleNamespace(connection=connection))
    for building in Building.objects.all():
        assert building.sort_key == building_sort_key(building.address)
    for premises in Premises.objects.select_related("building"):
        assert premises.sort_key == premises_sort_key(premises.building.address, premises.unit_label)
    for room in Room.objects.all():
        assert room.sort_key == room_sort_key(room.number)
    assert not Building.objects.filter(sort_key="").exists()


def test_the_fill_goes_by_primary_key_ranges(street):
    from firegrid.registry import sort_keys

    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_room SET sort_key = ''")
    sort_keys.fill_sort_keys(Building, Premises, Room, chunk=2)  # ranges of two ids, gaps included
    assert sorted(Room.objects.values_list("sort_key", flat=True)) == sorted(
        room_sort_key(n) for n in Room.objects.values_list("number", flat=True)
    )


# --- the lists, web and API ------------------------------------------------------------------------------


def web_rows(client, name: str, **params):
    response = client.get(reverse(f"registry:{name}_list"), params)
    assert_status(response, 200)
    return list(response.context["object_list"])


def api_rows(user, prefix: str, **params):
    response = api_client(user).get(f"{API}/{prefix}/", params)
    assert_status(response, 200)
    return response.data["results"]


def test_building_lists_in_natural_order(street, login, personas):
    worker = personas.grid_worker  # an area role: the list's default order is the address
    assert addresses(b.address for b in web_rows(login(worker), "building")) == IN_ORDER
    assert addresses(r["address"] for r in api_rows(worker, "buildings")) == IN_ORDER
    # District-wide the default is newest first; the 地址 sort is natural both ways.
    commander = personas.commander
    assert addresses(b.address for b in web_rows(login(commander), "building", sort="address")) == IN_ORDER
    assert (
        addresses(r["address"] for r in api_rows(commander, "buildings", sort="-address")) == IN_ORDER[::-1]
    )
    # Scope holds: the outsider's list has none of grid A's street.
    assert addresses(r["address"] for r in api_rows(personas.outsider, "buildings")) == []


def test_premises_lists_in_natural_order(street, login, personas):
    worker = personas.grid_worker
    expected = [f"{a} 整幢" for a in IN_ORDER]

    def whole(rows):
        return [r for r in rows if r.endswith("整幢") and r.startswith("樟潭街道排序路")]

    assert (
        whole(f"{p.building.address} {p.unit_label}" for p in web_rows(login(worker), "premises")) == expected
    )
    api = api_rows(worker, "premises", building=street.first.pk)
    assert [r["unit_label"] for r in api] == ["2-1", "2-2", "2-10", "10-1", "整幢"]
    rows = web_rows(login(personas.commander), "premises", sort="address", per_page=200)
    assert whole(f"{p.building.address} {p.unit_label}" for p in rows) == expected


def test_room_lists_in_natural_order(street, login, personas):
    premises = street.labels["2-1"]
    assert [r.number for r in web_rows(login(personas.grid_worker), "room", premises=premises.pk)] == [
        "1",
        "2",
        "10",
    ]
    api = api_rows(personas.commander, "rooms", premises=premises.pk, sort="number")
    assert [r["number"] for r in api] == ["1", "2", "10"]


def test_the_export_follows_the_list(street, login, personas):
    response = login(personas.grid_worker).get(reverse("registry:building_list"), {"export": "xlsx"})
    assert_status(response, 200)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert addresses(row[0] for row in sheet.iter_rows(min_row=2, values_only=True)) == IN_ORDER


# --- the ledger import ------------------------------------------------------------------------------------


@pytest.fixture
def inline_ledgers(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FIREGRID_LEDGER_INLINE = True


def import_ledger(user, data: bytes, kind: str = "premises"):
    job = services.create_import_job(actor=user, kind=kind, upload=SimpleUploadedFile("台账.xlsx", data))
    columns = {int(i): key for i, key in job.mapping["columns"].items()}
    services.confirm_mapping(job, actor=user, columns=columns, default_grid=job.mapping.get("default_grid"))
    services.start_validation(job, actor=user)
    services.start_commit(job, actor=user)
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED, job.report
    return job


def sheet(headers: list[str], rows: list[list]) -> bytes:
    workbook = Workbook()
    workbook.active.append(headers)
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_ledger_import_fills_the_keys(district, personas, inline_ledgers):
    user = personas.grid_worker
    # 36 rows, three premises a building: 樟潭街道测试村1号 … 12号.
    import_ledger(
        user, samples.write_xlsx([samples.community_row(i, district.grid_a.name) for i in range(36)])
    )
    imported = Building.objects.filter(address__startswith="樟潭街道测试村")
    assert imported.count() == 12
    for building in imported:
        assert building.sort_key == building_sort_key(building.address)
    for premises in Premises.objects.filter(building__in=imported).select_related("building"):
        assert premises.sort_key == premises_sort_key(premises.building.address, premises.unit_label)
    assert list(imported.values_list("address", flat=True)[:3]) == [f"樟潭街道测试村{n}号" for n in (1, 2, 3)]
    address = district.building_a.address
    rooms = sheet(
        ["地址", "户号", "房间号", "使用面积", "居住人数"],
        [[address, "整幢", "12", 10, 1], [address, "整幢", "3", 10, 1]],
    )
    import_ledger(user, rooms, kind="room")
    numbers = Room.objects.filter(premises=district.premises_a).values_list("number", "sort_key")
    assert list(numbers) == [("3", "000003"), ("12", "000012"), ("201", "000201")]
