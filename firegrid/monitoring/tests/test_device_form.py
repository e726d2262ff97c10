"""The device form (登记设备 / 修改设备): who gets it (area roles that may add or change devices; view-only
roles 403; a landlord is sent to the portal; an outsider's device 404), premises only within the user's
scope (a forged id refused on its field, never a 500), the serial's and the room's clear errors with what
was typed kept, the concurrent edit refused without overwriting, the buttons on the list, device and
premises pages, and the page at 360 px."""

from __future__ import annotations

import pytest
from django.urls import reverse

from firegrid.conftest import PORTAL, assert_status
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.monitoring.choices import DeviceKind, DeviceState
from firegrid.monitoring.models import Device
from firegrid.testing import make_room

from .scene import make_device

pytestmark = pytest.mark.django_db

ADD = reverse("monitoring:device_add")


def edit_url(device: Device) -> str:
    return reverse("monitoring:device_edit", args=[device.pk])


def payload(premises, **kw) -> dict:
    return {
        "kind": DeviceKind.SMOKE,
        "serial": "SD-NEW-1",
        "premises": premises.pk,
        "room": "",
        "device_model": "JTY-GD-01",
        "installer": "衢江消防设备公司",
        "installed_on": "2026-12-01",
        "heartbeat_interval": 300,
        **kw,
    }


def options(response, name: str) -> set[int]:
    """The ids a select of the page's form offers (the empty choice left out)."""
    field = response.context["form"].fields[name]
    return {pk for pk in field.queryset.values_list("pk", flat=True)}


def edit_payload(device: Device, **kw) -> dict:
    return {
        "kind": device.kind,
        "serial": device.serial,
        "premises": device.premises_id,
        "room": device.room_id or "",
        "device_model": device.device_model,
        "installer": device.installer,
        "installed_on": device.installed_on.isoformat() if device.installed_on else "",
        "heartbeat_interval": device.heartbeat_interval,
        "version": device.version,
        "change_reason": "",
        **kw,
    }


# --- registering ------------------------------------------------------------------------------------------


def test_a_grid_worker_registers_a_device_in_their_grid(login, district, personas):
    d = district
    response = login(personas.grid_worker).post(ADD, payload(d.premises_a, room=d.room_a.pk))
    device = Device.objects.get(serial="SD-NEW-1")
    assert_status(response, 302)
    assert response["Location"] == reverse("monitoring:device_detail", args=[device.pk])
    assert (device.premises, device.room, device.installer, device.installed_on.isoformat()) == (
        d.premises_a,
        d.room_a,
        "衢江消防设备公司",
        "2026-12-01",
    )
    # What the ingester keeps is not the form's: a new device is offline until it is heard.
    assert (device.state, device.version) == (DeviceState.OFFLINE, 1)
    entry = AuditEntry.objects.for_object(device).get()
    assert (entry.action, entry.actor, entry.premises_id) == (
        AuditAction.CREATE,
        personas.grid_worker,
        d.premises_a.pk,
    )


def test_the_room_is_optional(login, district, personas):
    assert_status(login(personas.grid_worker).post(ADD, payload(district.shop_a, serial="SD-SHOP")), 302)
    assert Device.objects.get(serial="SD-SHOP").room is None


def test_the_form_offers_only_the_premises_of_the_users_scope(login, district, personas):
    d = district
    offered = options(login(personas.grid_worker).get(ADD), "premises")
    assert offered == {d.premises_a.pk, d.shop_a.pk}
    # A community officer: every grid of their community (grid A's premises), not the other subdistrict's.
    offered = options(login(personas.community_officer).get(ADD), "premises")
    assert d.premises_a.pk in offered and d.premises_b.pk not in offered
    assert d.premises_b.pk in options(login(personas.outsider).get(ADD), "premises")


def test_a_premises_outside_the_scope_is_refused_on_its_field(login, district, personas):
    d = district
    # A forged id (premises_b is grid B's): an error on the field, nothing written, no 500.
    response = login(personas.grid_worker).post(ADD, payload(d.premises_b))
    assert_status(response, 200)
    assert response.context["form"].errors["premises"] == ["请从列表中选择您管辖范围内的出租户。"]
    assert not Device.objects.filter(serial="SD-NEW-1").exists()
    # Not an id at all, or one too large for the database: the same, never a server error.
    for forged in ("abc", "99999999999999999999999", "-3"):
        response = login(personas.grid_worker).post(ADD, {**payload(d.premises_a), "premises": forged})
        assert_status(response, 200)
        assert "premises" in response.context["form"].errors, forged
    assert not Device.objects.filter(serial="SD-NEW-1").exists()


def test_the_premises_from_a_premises_page_is_filled_in_only_within_scope(login, district, personas):
    d = district
    page = login(personas.grid_worker).get(f"{ADD}?premises={d.premises_a.pk}")
    assert_status(page, 200)
    assert f'<option value="{d.premises_a.pk}" selected>' in page.content.decode()
    # Its rooms only.
    assert options(page, "room") == {d.room_a.pk}
    # Another grid's premises in the query string is neither offered nor chosen (and no 500 for junk).
    for value in (d.premises_b.pk, "abc", "99999999999999999999999"):
        page = login(personas.grid_worker).get(f"{ADD}?premises={value}")
        assert_status(page, 200)
        assert d.premises_b.pk not in options(page, "premises")
        assert f'<option value="{d.premises_b.pk}"' not in page.content.decode()


def test_a_serial_already_registered_is_refused_by_name_and_the_typed_values_stay(login, district, personas):
    d = district
    make_device(d.premises_b, serial="SD-TAKEN")  # in another grid: still taken, nothing else said
    response = login(personas.grid_worker).post(
        ADD, payload(d.premises_a, serial="SD-TAKEN", installer="樟潭电工李师傅")
    )
    assert_status(response, 200)
    assert response.context["form"].errors["serial"] == [
        "该设备编号已登记，不能重复登记。请核对设备上的编号。"
    ]
    html = response.content.decode()
    assert 'value="SD-TAKEN"' in html and 'value="樟潭电工李师傅"' in html and 'value="2026-12-01"' in html
    assert f'<option value="{d.premises_a.pk}" selected>' in html
    assert "浮石路8号" not in html  # where the serial is registered is not told
    assert Device.objects.filter(serial="SD-TAKEN").count() == 1


def test_a_room_of_another_premises_is_refused_with_a_clear_error(login, district, personas):
    d = district
    shop_room = make_room(d.shop_a, "店后间")  # in scope, but the shop's, not premises_a's
    for room in (shop_room, d.room_b):  # room_b: grid B's, out of scope too
        response = login(personas.grid_worker).post(ADD, payload(d.premises_a, room=room.pk))
        assert_status(response, 200)
        assert response.context["form"].errors["room"] == ["房间不属于所选出租户。"]
        assert 'value="衢江消防设备公司"' in response.content.decode()
    assert not Device.objects.filter(serial="SD-NEW-1").exists()


def test_a_bad_serial_is_refused_on_its_field(login, district, personas):
    response = login(personas.grid_worker).post(ADD, payload(district.premises_a, serial="SD/1#"))
    assert response.context["form"].errors["serial"] == ["设备编号只能包含字母、数字、-、_。"]


# --- who gets the form ------------------------------------------------------------------------------------


def test_roles_that_may_only_view_devices_get_403(login, district, personas):
    device = make_device(district.premises_a, serial="SD-A-9")
    for user in (personas.commander, personas.fire_officer, personas.liaison):
        client = login(user)
        assert_status(client.get(ADD), 403)
        assert_status(client.post(ADD, payload(district.premises_a)), 403)
        assert_status(client.get(edit_url(device)), 403)
        assert_status(client.post(edit_url(device), edit_payload(device, installer="改")), 403)
    assert not Device.objects.filter(serial="SD-NEW-1").exists()
    assert Device.objects.get(pk=device.pk).installer == ""


def test_a_landlord_never_gets_the_form(login, district, personas):
    device = make_device(district.premises_a, serial="SD-A-9")
    client = login(personas.landlord)
    assert_status(client.get(ADD), PORTAL)
    assert_status(client.post(ADD, payload(district.premises_a)), PORTAL)
    assert_status(client.get(edit_url(device)), PORTAL)
    assert not Device.objects.filter(serial="SD-NEW-1").exists()


def test_anonymous_is_sent_to_sign_in(client, district):
    response = client.get(ADD)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_outsider_cannot_open_or_post_the_edit_of_a_device_out_of_scope(login, district, personas):
    device = make_device(district.premises_a, serial="SD-A-9")
    client = login(personas.outsider)
    assert_status(client.get(edit_url(device)), 404)
    assert_status(client.post(edit_url(device), edit_payload(device, installer="改")), 404)
    assert Device.objects.get(pk=device.pk).installer == ""


def test_editing_cannot_move_a_device_out_of_scope(login, district, personas):
    device = make_device(district.premises_a, serial="SD-A-9")
    response = login(personas.grid_worker).post(
        edit_url(device), edit_payload(device, premises=district.premises_b.pk)
    )
    assert_status(response, 200)
    assert "premises" in response.context["form"].errors
    assert Device.objects.get(pk=device.pk).premises == district.premises_a


# --- editing ----------------------------------------------------------------------------------------------


def test_a_grid_worker_edits_a_device_with_the_version_read(login, district, personas):
    d = district
    device = make_device(d.premises_a, serial="SD-A-9")
    client = login(personas.grid_worker)
    page = client.get(edit_url(device))
    assert_status(page, 200)
    html = page.content.decode()
    assert "修改设备" in html and 'name="version" value="1"' in html and 'name="change_reason"' in html
    response = client.post(
        edit_url(device), edit_payload(device, room=d.room_a.pk, installer="衢江消防", change_reason="补录")
    )
    assert_status(response, 302)
    device.refresh_from_db()
    assert (device.room, device.installer, device.version) == (d.room_a, "衢江消防", 2)
    entry = AuditEntry.objects.for_object(device).get(action=AuditAction.UPDATE)
    assert (entry.actor, entry.reason, entry.after["installer"]) == (personas.grid_worker, "补录", "衢江消防")


def test_a_concurrent_edit_is_refused_and_nothing_is_overwritten(login, district, personas):
    device = make_device(district.premises_a, serial="SD-A-9")
    first, second = login(personas.grid_worker), login(personas.community_officer)
    read = edit_payload(device)  # both opened the form at version 1
    assert_status(first.post(edit_url(device), {**read, "installer": "甲公司"}), 302)
    response = second.post(edit_url(device), {**read, "installer": "乙公司"})
    assert_status(response, 200)
    html = response.content.decode()
    assert "您的修改未保存" in html and "他人已修改此记录" in html
    assert 'value="乙公司"' in html  # what the second editor typed is kept
    assert 'name="version" value="2"' in html  # saving again is a deliberate choice on the new version
    device.refresh_from_db()
    assert (device.installer, device.version) == ("甲公司", 2)
    assert_status(second.post(edit_url(device), {**read, "installer": "乙公司", "version": 2}), 302)
    device.refresh_from_db()
    assert (device.installer, device.version) == ("乙公司", 3)


# --- buttons ----------------------------------------------------------------------------------------------


def test_the_list_offers_register_only_to_those_who_may_add(login, district, personas):
    listing = reverse("monitoring:device_list")
    html = login(personas.grid_worker).get(listing).content.decode()
    assert f'href="{ADD}" data-register-device>登记设备</a>' in html
    for user in (personas.fire_officer, personas.commander):
        html = login(user).get(listing).content.decode()
        assert ADD not in html and "登记设备" not in html


def test_the_device_page_offers_the_edit_only_to_those_who_may_change(login, district, personas):
    device = make_device(district.premises_a, serial="SD-A-9")
    page = reverse("monitoring:device_detail", args=[device.pk])
    assert f'href="{edit_url(device)}"' in login(personas.grid_worker).get(page).content.decode()
    assert edit_url(device) not in login(personas.fire_officer).get(page).content.decode()


def test_the_premises_page_links_to_register_a_device_there(login, district, personas):
    d = district
    page = reverse("registry:premises_detail", args=[d.premises_a.pk])
    link = f'href="{ADD}?premises={d.premises_a.pk}" data-register-device'
    assert link in login(personas.grid_worker).get(page).content.decode()
    assert "data-register-device" not in login(personas.fire_officer).get(page).content.decode()


# --- 360 px -----------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_registering_on_the_phone_fits_360_px(page_for, live_server, district, personas):
    page = page_for(personas.grid_worker, phone=True)
    page.goto(f"{live_server.url}/registry/premises/{district.premises_a.pk}/")
    page.click("a[data-register-device]")
    page.select_option("select[name='kind']", DeviceKind.SMOKE)
    page.fill("input[name='serial']", "PHONE-SD-1")
    page.select_option("select[name='room']", str(district.room_a.pk))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("form.edit-form button[type='submit']")
    page.wait_for_url(f"{live_server.url}/monitoring/devices/*/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    device = Device.objects.get(serial="PHONE-SD-1")
    assert (device.premises_id, device.room_id) == (district.premises_a.pk, district.room_a.pk)
