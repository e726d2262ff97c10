"""Tenant moves (流管通): a landlord registers households moving in and out, a grid worker confirms them,
occupancy follows, and `tenant_moved` is sent — through the services, the confirmation list and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from firegrid import testing as t
from firegrid.api_testing import API, api_client
from firegrid.conftest import PORTAL, assert_status
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.registry import services
from firegrid.registry.models import TenantHousehold
from firegrid.registry.signals import tenant_moved

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    received: list[dict] = []

    def _receiver(sender, **kwargs):
        received.append(kwargs)

    tenant_moved.connect(_receiver, dispatch_uid="test_tenant_moves")
    yield received
    tenant_moved.disconnect(dispatch_uid="test_tenant_moves")


def move_in(district, actor, **kw) -> TenantHousehold:
    data = {
        "head_name": "陈新来",
        "id_number": t.valid_id_number(901, born="19900202"),
        "mobile": "13712345678",
        "people": 3,
        "room": district.room_a,
        "moved_in": timezone.localdate(),
    }
    data.update(kw)
    return services.register_move_in(district.premises_a, actor=actor, **data)


# --- services ---


def test_landlord_move_in_waits_for_confirmation_and_is_audited(personas, district, sent):
    household = move_in(district, personas.landlord)
    assert household.reported_by_landlord_at is not None
    assert household.awaiting_confirmation and not household.reported_late
    assert AuditEntry.objects.for_object(household).get().action == AuditAction.CREATE
    assert sent == [
        {"signal": tenant_moved, "household": household, "move": "in", "actor": personas.landlord}
    ]


def test_bad_id_checksum_is_refused_on_the_id_number_field(personas, district):
    bad = t.valid_id_number(902)[:-1] + ("0" if t.valid_id_number(902)[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        move_in(district, personas.landlord, id_number=bad)
    assert list(exc.value.message_dict) == ["id_number"]
    assert not TenantHousehold.objects.filter(head_name="陈新来").exists()


def test_the_same_person_living_there_already_is_refused(personas, district):
    move_in(district, personas.landlord)
    with pytest.raises(ValidationError) as exc:
        move_in(district, personas.landlord)
    assert "id_number" in exc.value.message_dict


def test_another_landlords_premises_is_refused(personas, district):
    with pytest.raises(ValidationError):
        services.register_move_in(
            district.premises_b,
            head_name="某某",
            id_number=t.valid_id_number(903),
            people=1,
            moved_in=timezone.localdate(),
            actor=personas.landlord,
        )


def test_grid_worker_confirms_and_a_move_out_waits_again(personas, district, sent):
    household = move_in(district, personas.landlord)
    confirmed = services.confirm_move(household, actor=personas.grid_worker)
    assert confirmed.confirmed_by == personas.grid_worker and not confirmed.awaiting_confirmation
    with pytest.raises(ValidationError):
        services.confirm_move(confirmed, actor=personas.grid_worker)
    moved = services.register_move_out(confirmed, timezone.localdate(), actor=personas.landlord)
    assert moved.awaiting_confirmation and moved.confirmed_at is None
    assert [s["move"] for s in sent] == ["in", "out"]
    with pytest.raises(ValidationError) as exc:
        services.register_move_out(moved, timezone.localdate(), actor=personas.landlord)
    assert "moved_out" in exc.value.message_dict


def test_outsider_and_landlord_cannot_confirm(personas, district):
    household = move_in(district, personas.landlord)
    with pytest.raises(PermissionDenied):
        services.confirm_move(household, actor=personas.outsider)
    with pytest.raises(PermissionDenied):
        services.confirm_move(household, actor=personas.landlord)


def test_a_grid_worker_registering_a_move_in_confirms_it(personas, district):
    household = move_in(district, personas.grid_worker)
    assert household.confirmed_by == personas.grid_worker and not household.awaiting_confirmation


def test_occupancy_follows_moves(personas, district):
    before = services.occupancy(district.premises_a)
    household = move_in(district, personas.landlord, people=3)
    after = services.occupancy(district.premises_a)
    assert after.total == before.total + 3
    assert after.by_room[district.room_a.pk] == before.by_room.get(district.room_a.pk, 0) + 3
    services.register_move_out(
        household, timezone.localdate() - dt.timedelta(days=0), actor=personas.landlord
    )
    # Moved out today: gone from tomorrow's occupancy.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert services.occupancy(district.premises_a, tomorrow).total == before.total


def test_reported_late_after_the_setting_days(personas, district, settings):
    settings.FIREGRID_TENANT_REPORT_DAYS = 3
    on_time = move_in(district, personas.landlord, moved_in=timezone.localdate() - dt.timedelta(days=3))
    assert not on_time.reported_late
    late = move_in(
        district,
        personas.landlord,
        id_number=t.valid_id_number(904),
        moved_in=timezone.localdate() - dt.timedelta(days=4),
    )
    assert late.reported_late
    # Found by a grid worker at a visit, weeks after moving in.
    found = move_in(
        district,
        personas.grid_worker,
        id_number=t.valid_id_number(905),
        moved_in=timezone.localdate() - dt.timedelta(days=20),
    )
    assert found.reported_late


# --- the confirmation list (/registry/tenant-moves/) ---


def test_grid_worker_lists_and_confirms_moves_of_their_grid(login, personas, district):
    household = move_in(district, personas.landlord)
    client = login(personas.grid_worker)
    url = reverse("registry:tenant_moves")
    assert url == "/registry/tenant-moves/"
    page = client.get(url)
    assert_status(page, 200)
    assert [obj.pk for obj in page.context["object_list"]] == [household.pk]
    body = page.content.decode()
    assert household.id_number not in body and "13712345678" not in body  # masked in lists
    assert reverse("registry:tenant_move_confirm", args=[household.pk]) in body
    assert_status(client.post(reverse("registry:tenant_move_confirm", args=[household.pk])), 302)
    household.refresh_from_db()
    assert household.confirmed_by == personas.grid_worker
    assert list(client.get(url).context["object_list"]) == []


def test_outsider_sees_no_moves_and_gets_404_on_confirm(login, personas, district):
    household = move_in(district, personas.landlord)
    client = login(personas.outsider)
    assert list(client.get(reverse("registry:tenant_moves")).context["object_list"]) == []
    assert_status(client.post(reverse("registry:tenant_move_confirm", args=[household.pk])), 404)


def test_landlord_cannot_confirm_their_own_report(login, personas, district):
    household = move_in(district, personas.landlord)
    response = login(personas.landlord).post(reverse("registry:tenant_move_confirm", args=[household.pk]))
    assert_status(response, PORTAL)
    household.refresh_from_db()
    assert household.confirmed_at is None


def test_premises_page_shows_moves_awaiting_confirmation(login, personas, district):
    move_in(district, personas.landlord)
    page = login(personas.grid_worker).get(reverse("registry:premises_detail", args=[district.premises_a.pk]))
    assert_status(page, 200)
    assert "待核实" in page.content.decode()
    assert page.context["occupancy"].total == services.occupancy(district.premises_a).total


# --- API ---


def test_api_landlord_moves_in_and_out_and_worker_confirms(personas, district, sent):
    payload = {
        "premises": district.premises_a.pk,
        "room": district.room_a.pk,
        "head_name": "陈新来",
        "id_number": t.valid_id_number(906),
        "mobile": "13712345678",
        "people": 2,
        "moved_in": timezone.localdate().isoformat(),
    }
    landlord = api_client(personas.landlord)
    response = landlord.post(f"{API}/tenant-households/move-in/", payload, format="json")
    assert_status(response, 201)
    data = response.data
    assert data["awaiting_confirmation"] is True
    assert data["id_number"] != payload["id_number"] and data["mobile"] != payload["mobile"]  # masked
    pk = data["id"]
    awaiting = api_client(personas.grid_worker).get(f"{API}/tenant-households/?awaiting=true")
    assert [row["id"] for row in awaiting.data["results"]] == [pk]
    assert_status(api_client(personas.landlord).post(f"{API}/tenant-households/{pk}/confirm/"), 403)
    assert_status(api_client(personas.outsider).post(f"{API}/tenant-households/{pk}/confirm/"), 404)
    confirmed = api_client(personas.grid_worker).post(f"{API}/tenant-households/{pk}/confirm/")
    assert_status(confirmed, 200)
    assert confirmed.data["awaiting_confirmation"] is False
    out = landlord.post(
        f"{API}/tenant-households/{pk}/move-out/", {"moved_out": timezone.localdate().isoformat()}
    )
    assert_status(out, 200)
    assert out.data["awaiting_confirmation"] is True
    assert [s["move"] for s in sent] == ["in", "out"]
    actions = list(
        AuditEntry.objects.for_object(TenantHousehold.objects.get(pk=pk))
        .order_by("time", "id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.UPDATE]


def test_api_bad_id_checksum_names_the_field(personas, district):
    good = t.valid_id_number(907)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    payload = {
        "premises": district.premises_a.pk,
        "head_name": "陈新来",
        "id_number": bad,
        "people": 1,
        "moved_in": timezone.localdate().isoformat(),
    }
    response = api_client(personas.landlord).post(f"{API}/tenant-households/move-in/", payload, format="json")
    assert_status(response, 400)
    assert list(response.data) == ["id_number"]


def test_api_move_in_to_another_landlords_premises_is_refused(personas, district):
    payload = {
        "premises": district.premises_b.pk,
        "head_name": "陈新来",
        "id_number": t.valid_id_number(908),
        "people": 1,
        "moved_in": timezone.localdate().isoformat(),
    }
    response = api_client(personas.landlord).post(f"{API}/tenant-households/move-in/", payload, format="json")
    assert_status(response, 400)
    assert "premises" in response.data
    assert_status(
        api_client(personas.landlord).post(
            f"{API}/tenant-households/{district.tenant_b.pk}/move-out/", {"moved_out": "2026-01-01"}
        ),
        404,
    )
