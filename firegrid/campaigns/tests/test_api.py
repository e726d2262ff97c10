"""Campaign API: anonymous 401 → outsider 404 → in scope without the right 403 → allowed, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from firegrid import testing as t
from firegrid.api_testing import API, CHANGE, CREATE, ApiScopeMatrix, api_client, list_ids
from firegrid.areas.choices import AREA_ROLES, Role
from firegrid.campaigns import services
from firegrid.campaigns.choices import ClaimStatus
from firegrid.campaigns.models import Campaign, CampaignTarget, Claim, WorkGroup
from firegrid.conftest import assert_status
from firegrid.core.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def test_campaigns_with_milestones_and_work_groups(personas, campaign):
    assert_status(api_client().get(f"{API}/campaigns/"), 401)
    response = api_client(personas.liaison).get(f"{API}/campaigns/{campaign.pk}/")
    assert_status(response, 200)
    assert [m["scope"] for m in response.data["milestones"]] == ["four_category"]
    assert_status(api_client(personas.grid_worker).get(f"{API}/work-groups/"), 200)
    assert_status(
        api_client(personas.landlord).get(f"{API}/campaigns/{campaign.pk}/unclaimed-landlords/"), 403
    )


def test_claim_matrix(personas, district, campaign):
    payload = {"campaign": campaign.pk, "landlord": district.landlord_a.pk, "unit": district.unit.pk}
    assert_status(api_client().post(f"{API}/claims/", payload, format="json"), 401)
    # A grid worker reads claims but does not claim.
    assert_status(api_client(personas.grid_worker).post(f"{API}/claims/", payload, format="json"), 403)
    other = {**payload, "unit": district.other_unit.pk}
    assert_status(api_client(personas.liaison).post(f"{API}/claims/", other, format="json"), 403)
    assert not Claim.objects.exists()
    response = api_client(personas.liaison).post(f"{API}/claims/", payload, format="json")
    assert_status(response, 201)
    claim = Claim.objects.get(pk=response.data["id"])
    assert AuditEntry.objects.for_object(claim).get().action == AuditAction.CREATE
    # Held: the error names the unit.
    response = api_client(personas.commander).post(f"{API}/claims/", other, format="json")
    assert_status(response, 400)
    assert "衢江区住建局" in str(response.data["landlord"])
    # Scope.
    assert claim.pk in list_ids(api_client(personas.liaison).get(f"{API}/claims/"))
    assert claim.pk not in list_ids(api_client(personas.other_liaison).get(f"{API}/claims/"))
    assert_status(api_client(personas.outsider).get(f"{API}/claims/{claim.pk}/"), 404)
    assert_status(
        api_client(personas.other_liaison).post(f"{API}/claims/{claim.pk}/release/", {"reason": "x"}), 404
    )
    assert_status(
        api_client(personas.liaison).post(f"{API}/claims/{claim.pk}/release/", {"reason": "x"}), 403
    )
    # Transfer and release by the command, reasons required.
    url = f"{API}/claims/{claim.pk}/transfer/"
    assert_status(
        api_client(personas.commander).post(url, {"to_unit": district.other_unit.pk}, format="json"), 400
    )
    response = api_client(personas.commander).post(
        url, {"to_unit": district.other_unit.pk, "reason": "调动"}, format="json"
    )
    assert_status(response, 201)
    assert response.data["unit"] == district.other_unit.pk
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.TRANSFERRED
    response = api_client(personas.commander).post(
        f"{API}/claims/{response.data['id']}/release/", {"reason": "退休"}
    )
    assert_status(response, 200)
    assert response.data["status"] == ClaimStatus.RELEASED


def test_claim_outside_scope_and_not_four_category(personas, district, campaign):
    campaign.areas.set([district.s2])
    payload = {"campaign": campaign.pk, "landlord": district.landlord_a.pk, "unit": district.unit.pk}
    response = api_client(personas.commander).post(f"{API}/claims/", payload, format="json")
    assert_status(response, 400)
    assert "不在本次行动范围内" in str(response.data["landlord"])
    payload["landlord"] = district.landlord_b.pk
    response = api_client(personas.commander).post(f"{API}/claims/", payload, format="json")
    assert "不是四类人员" in str(response.data["landlord"])


def test_unclaimed_landlords(personas, district, campaign):
    url = f"{API}/campaigns/{campaign.pk}/unclaimed-landlords/"
    assert list_ids(api_client(personas.commander).get(url)) == {district.landlord_a.pk}
    assert list_ids(api_client(personas.outsider).get(url)) == set()
    services.claim(district.landlord_a, district.unit, campaign=campaign, actor=personas.commander)
    assert list_ids(api_client(personas.commander).get(url)) == set()


def test_targets_read_add_remove(personas, district, campaign, targets):
    assert list_ids(api_client(personas.outsider).get(f"{API}/campaign-targets/")) == {targets[2].pk}
    assert_status(api_client(personas.outsider).get(f"{API}/campaign-targets/{targets[0].pk}/"), 404)
    response = api_client(personas.commander).get(
        f"{API}/campaign-targets/", {"campaign": campaign.pk, "progress": "not_surveyed"}
    )
    assert list_ids(response) == {t.pk for t in targets}
    remove = f"{API}/campaign-targets/{targets[0].pk}/remove/"
    assert_status(api_client(personas.grid_worker).post(remove, {"reason": "x"}, format="json"), 403)
    assert_status(api_client(personas.commander).post(remove, {}, format="json"), 400)
    # A removal ends the membership today; the row stays, with who, why and when.
    response = api_client(personas.commander).post(remove, {"reason": "重复"}, format="json")
    assert_status(response, 200)
    today = timezone.localdate().isoformat()
    assert (response.data["left_on"], response.data["left_reason"], response.data["is_current"]) == (
        today,
        "重复",
        False,
    )
    assert response.data["left_by"] == personas.commander.pk
    assert CampaignTarget.objects.filter(pk=targets[0].pk, left_on__isnull=False).exists()
    assert_status(api_client(personas.commander).post(remove, {"reason": "再次"}, format="json"), 400)
    assert_status(api_client(personas.commander).delete(f"{API}/campaign-targets/{targets[0].pk}/"), 405)
    current = api_client(personas.commander).get(
        f"{API}/campaign-targets/", {"campaign": campaign.pk, "current": "true"}
    )
    assert list_ids(current) == {targets[1].pk, targets[2].pk}
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    members = api_client(personas.commander).get(f"{API}/campaign-targets/", {"member_on": yesterday})
    assert list_ids(members) == set()  # every target joined today
    payload = {"campaign": campaign.pk, "premises": district.premises_a.pk}
    assert_status(
        api_client(personas.grid_worker).post(f"{API}/campaign-targets/", payload, format="json"), 403
    )
    # Added again: a new membership from today (not before the day it left).
    response = api_client(personas.commander).post(f"{API}/campaign-targets/", payload, format="json")
    assert_status(response, 201)
    assert response.data["id"] != targets[0].pk and response.data["joined_on"] == today
    assert CampaignTarget.objects.filter(campaign=campaign, premises=district.premises_a).count() == 2
    assert_status(
        api_client(personas.commander).post(
            f"{API}/campaign-targets/", {**payload, "premises": district.shop_a.pk}, format="json"
        ),
        400,
    )


def test_target_removal_walk(personas, district, campaign, targets):
    """The removal action through the personas: anonymous 401, outsider 404, reader 403, command 200 audited."""
    target = targets[0]
    url = f"{API}/campaign-targets/{target.pk}/remove/"
    body = {"reason": "重复登记"}
    assert_status(api_client().post(url, body, format="json"), 401)
    assert_status(api_client(personas.outsider).post(url, body, format="json"), 404)
    assert_status(api_client(personas.grid_worker).post(url, body, format="json"), 403)
    target.refresh_from_db()
    assert target.left_on is None
    assert_status(api_client(personas.commander).post(url, body, format="json"), 200)
    entry = AuditEntry.objects.for_object(target).get()
    assert (entry.action, entry.actor, entry.reason) == (AuditAction.UPDATE, personas.commander, "重复登记")
    assert entry.after["left_on"] == timezone.localdate().isoformat()


# --- campaigns and work groups: create and partial update --------------------------------------------


def campaign_payload(district, **overrides) -> dict:
    payload = {
        "name": "百日攻坚",
        "code": "br",
        "starts_on": "2026-09-01",
        "ends_on": "2026-11-30",
        "status": "planned",
        "areas": [district.s1.pk],
        "milestones": [
            {"name": "四类人员房东整改完毕", "due_on": "2026-10-31", "scope": "four_category"},
            {"name": "全部整改完毕", "due_on": "2026-11-30", "scope": "all"},
        ],
    }
    return {**payload, **overrides}


def test_campaign_create_by_the_command_only(personas, district):
    url = f"{API}/campaigns/"
    payload = campaign_payload(district)
    assert_status(api_client().post(url, payload, format="json"), 401)
    for user in (personas.grid_worker, personas.subdistrict_officer, personas.liaison, personas.landlord):
        assert_status(api_client(user).post(url, payload, format="json"), 403)
    assert not Campaign.objects.exists()
    response = api_client(personas.commander).post(url, payload, format="json")
    assert_status(response, 201)
    campaign = Campaign.objects.get(pk=response.data["id"])
    assert response.data["version"] == campaign.version == 1
    assert response.data["areas"] == [district.s1.pk]
    assert [(m.name, m.due_on.isoformat(), m.scope) for m in campaign.milestones.all()] == [
        ("四类人员房东整改完毕", "2026-10-31", "four_category"),
        ("全部整改完毕", "2026-11-30", "all"),
    ]
    assert [m["name"] for m in response.data["milestones"]] == ["四类人员房东整改完毕", "全部整改完毕"]
    entry = AuditEntry.objects.for_object(campaign).get()
    assert entry.action == AuditAction.CREATE
    assert entry.after["milestones"][0]["due_on"] == "2026-10-31"
    # The system administrator may too; the code stays unique.
    response = api_client(personas.admin).post(url, payload, format="json")
    assert_status(response, 400)
    assert "code" in response.data
    assert_status(api_client(personas.admin).post(url, {**payload, "code": "br2"}, format="json"), 201)


def test_campaign_milestone_outside_the_period_is_a_400_on_milestones_and_nothing_is_saved(
    personas, district
):
    payload = campaign_payload(
        district,
        milestones=[
            {"name": "四类人员房东整改完毕", "due_on": "2026-10-31", "scope": "four_category"},
            {"name": "全部整改完毕", "due_on": "2026-12-15", "scope": "all"},
        ],
    )
    response = api_client(personas.commander).post(f"{API}/campaigns/", payload, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"milestones"}
    message = str(response.data["milestones"])
    assert "第 2 个节点（全部整改完毕）" in message and "2026-11-30" in message
    assert not Campaign.objects.exists()
    assert not AuditEntry.objects.exists()
    # The period in the wrong order is an error on its own field.
    payload = campaign_payload(district, starts_on="2026-12-01", milestones=[])
    response = api_client(personas.commander).post(f"{API}/campaigns/", payload, format="json")
    assert_status(response, 400)
    assert "ends_on" in response.data


def test_campaign_partial_update_with_version(personas, district, campaign):
    url = f"{API}/campaigns/{campaign.pk}/"
    milestone = campaign.milestones.get()
    assert_status(api_client().patch(url, {"name": "x", "version": 1}, format="json"), 401)
    assert_status(
        api_client(personas.grid_worker).patch(url, {"name": "x", "version": 1}, format="json"), 403
    )
    assert_status(api_client(personas.liaison).patch(url, {"name": "x", "version": 1}, format="json"), 403)
    # The version read is required, on a PATCH too.
    response = api_client(personas.commander).patch(url, {"name": "铁拳行动（二期）"}, format="json")
    assert_status(response, 400)
    assert "version" in response.data
    response = api_client(personas.commander).patch(
        url, {"name": "铁拳行动（二期）", "version": 1}, format="json"
    )
    assert_status(response, 200)
    assert response.data["version"] == 2
    campaign.refresh_from_db()
    assert campaign.name == "铁拳行动（二期）"
    # Fields not sent are kept: the areas and the milestone.
    assert set(campaign.areas.values_list("pk", flat=True)) == {district.s1.pk, district.s2.pk}
    assert list(campaign.milestones.values_list("name", "due_on")) == [(milestone.name, milestone.due_on)]
    assert AuditEntry.objects.for_object(campaign).get().action == AuditAction.UPDATE
    # A stale version: 409, nothing changed.
    response = api_client(personas.admin).patch(url, {"name": "旧的", "version": 1}, format="json")
    assert_status(response, 409)
    assert "version" in response.data
    campaign.refresh_from_db()
    assert (campaign.name, campaign.version) == ("铁拳行动（二期）", 2)


def test_campaign_period_narrowed_past_a_stored_milestone_is_a_400_on_milestones(personas, campaign):
    url = f"{API}/campaigns/{campaign.pk}/"
    milestone = campaign.milestones.get()
    early = milestone.due_on - dt.timedelta(days=1)
    response = api_client(personas.commander).patch(
        url, {"ends_on": early.isoformat(), "version": 1}, format="json"
    )
    assert_status(response, 400)
    assert set(response.data) == {"milestones"}
    ends_on = campaign.ends_on
    campaign.refresh_from_db()
    assert (campaign.ends_on, campaign.version) == (ends_on, 1)
    # Sending the milestones replaces them; a nested milestone still needs its date.
    response = api_client(personas.commander).patch(
        url, {"milestones": [{"name": "全部整改完毕"}], "version": 1}, format="json"
    )
    assert_status(response, 400)
    assert "due_on" in str(response.data["milestones"])
    response = api_client(personas.commander).patch(
        url,
        {
            "ends_on": early.isoformat(),
            "milestones": [{"name": "全部整改完毕", "due_on": early.isoformat(), "scope": "all"}],
            "version": 1,
        },
        format="json",
    )
    assert_status(response, 200)
    assert list(campaign.milestones.values_list("name", "due_on", "scope")) == [
        ("全部整改完毕", early, "all")
    ]


def test_campaigns_are_not_put_or_deleted(personas, campaign):
    url = f"{API}/campaigns/{campaign.pk}/"
    assert_status(api_client(personas.commander).delete(url), 405)
    assert_status(api_client(personas.commander).put(url, {"version": 1}, format="json"), 405)
    assert Campaign.objects.filter(pk=campaign.pk).exists()


def work_group_payload(district, personas, campaign, **overrides) -> dict:
    payload = {
        "campaign": campaign.pk,
        "name": "第一工作组",
        "leader": personas.community_officer.pk,
        "members": [personas.grid_worker.pk, personas.fire_officer.pk],
        "departments": [district.fire.pk],
        "areas": [district.c1.pk],
    }
    return {**payload, **overrides}


def test_work_group_create_by_the_command_only(personas, district, campaign):
    url = f"{API}/work-groups/"
    payload = work_group_payload(district, personas, campaign)
    assert_status(api_client().post(url, payload, format="json"), 401)
    for user in (personas.grid_worker, personas.fire_officer, personas.liaison):
        assert_status(api_client(user).post(url, payload, format="json"), 403)
    assert not WorkGroup.objects.exists()
    response = api_client(personas.commander).post(url, payload, format="json")
    assert_status(response, 201)
    group = WorkGroup.objects.get(pk=response.data["id"])
    assert (group.campaign, group.leader, group.version) == (campaign, personas.community_officer, 1)
    assert sorted(response.data["members"]) == sorted([personas.grid_worker.pk, personas.fire_officer.pk])
    assert response.data["departments"] == [district.fire.pk]
    assert response.data["areas"] == [district.c1.pk]
    entry = AuditEntry.objects.for_object(group).get()
    assert entry.action == AuditAction.CREATE
    assert entry.after["areas"] == [district.c1.pk]
    # Leader and members are staff: a unit liaison is no choice.
    response = api_client(personas.commander).post(
        url,
        {**payload, "name": "第二工作组", "leader": personas.liaison.pk, "areas": [district.c2.pk]},
        format="json",
    )
    assert_status(response, 400)
    assert set(response.data) == {"leader"}
    # The same name in the same campaign.
    response = api_client(personas.admin).post(url, {**payload, "areas": [district.c2.pk]}, format="json")
    assert_status(response, 400)
    assert "同名" in str(response.data["name"])
    assert WorkGroup.objects.count() == 1


def test_work_group_area_held_by_another_group_is_a_400_naming_it(personas, district, campaign):
    url = f"{API}/work-groups/"
    first = api_client(personas.commander).post(
        url, work_group_payload(district, personas, campaign, areas=[district.grid_a.pk]), format="json"
    )
    assert_status(first, 201)
    # The community holds grid A, which the first group owns: counted by grids.
    for areas in ([district.grid_a.pk], [district.c1.pk], [district.s1.pk]):
        response = api_client(personas.commander).post(
            url,
            work_group_payload(district, personas, campaign, name="第二工作组", areas=areas),
            format="json",
        )
        assert_status(response, 400)
        assert set(response.data) == {"areas"}
        assert "第一工作组" in str(response.data["areas"])
    # Outside the campaign's scope.
    campaign.areas.set([district.s1])
    response = api_client(personas.commander).post(
        url,
        work_group_payload(district, personas, campaign, name="第二工作组", areas=[district.c2.pk]),
        format="json",
    )
    assert_status(response, 400)
    assert "不在本次行动范围内" in str(response.data["areas"])
    # No areas at all.
    response = api_client(personas.commander).post(
        url, work_group_payload(district, personas, campaign, name="第二工作组", areas=[]), format="json"
    )
    assert_status(response, 400)
    assert "areas" in response.data
    assert list(WorkGroup.objects.values_list("name", flat=True)) == ["第一工作组"]


def test_work_group_partial_update_with_version(personas, district, campaign):
    first = services.save_work_group(
        None, {"name": "第一工作组"}, actor=personas.commander, campaign=campaign, areas=[district.grid_a]
    )
    second = services.save_work_group(
        None, {"name": "第二工作组"}, actor=personas.commander, campaign=campaign, areas=[district.c2]
    )
    url = f"{API}/work-groups/{second.pk}/"
    assert_status(api_client().patch(url, {"version": 1}, format="json"), 401)
    assert_status(
        api_client(personas.grid_worker).patch(url, {"name": "x", "version": 1}, format="json"), 403
    )
    # Taking the first group's grid: 400 naming it, nothing changed.
    response = api_client(personas.commander).patch(
        url, {"areas": [district.c1.pk], "version": 1}, format="json"
    )
    assert_status(response, 400)
    assert "第一工作组" in str(response.data["areas"])
    second.refresh_from_db()
    assert (list(second.areas.all()), second.version) == ([district.c2], 1)
    # A change with the version read; the campaign is not the group's to change.
    other = Campaign.objects.create(
        name="另一行动", code="other", starts_on=campaign.starts_on, ends_on=campaign.ends_on
    )
    response = api_client(personas.commander).patch(
        url,
        {
            "leader": personas.subdistrict_officer.pk,
            "members": [personas.outsider.pk],
            "departments": [district.fire.pk],
            "areas": [district.grid_a2.pk, district.c2.pk],
            "campaign": other.pk,
            "version": 1,
        },
        format="json",
    )
    assert_status(response, 200)
    second.refresh_from_db()
    assert second.campaign == campaign and response.data["campaign"] == campaign.pk
    assert (second.leader, second.version) == (personas.subdistrict_officer, 2)
    assert set(second.areas.all()) == {district.grid_a2, district.c2}
    assert list(second.members.all()) == [personas.outsider]
    assert AuditEntry.objects.for_object(second).order_by("-pk").first().action == AuditAction.UPDATE
    # Stale version: 409 and nothing changed.
    response = api_client(personas.commander).patch(url, {"name": "改名", "version": 1}, format="json")
    assert_status(response, 409)
    second.refresh_from_db()
    assert (second.name, second.version) == ("第二工作组", 2)
    assert first.areas.get() == district.grid_a
    assert_status(api_client(personas.commander).delete(url), 405)


# --- the walks: anonymous → outsider → in scope without the right → allowed --------------------------------
# Scenes are written directly (no audit entries), as the `campaign` fixture of conftest.py writes them.


def campaign_of(district) -> Campaign:
    """A running campaign over both subdistricts (the conftest's `campaign`, for the walks' hooks)."""
    if not hasattr(district, "walk_campaign"):
        today = timezone.localdate()
        district.walk_campaign = Campaign.objects.create(
            name="铁拳行动",
            code="tq",
            starts_on=today - dt.timedelta(days=10),
            ends_on=today + dt.timedelta(days=50),
            status="running",
        )
        district.walk_campaign.areas.set([district.s1, district.s2])
    return district.walk_campaign


def staff(district, name: str, role: str = Role.GRID_WORKER):
    """A staff member of the scene (the walks' hooks get no personas): the claimant, a group's leader."""
    users = district.__dict__.setdefault("walk_staff", {})
    if name not in users:
        users[name] = t.make_user(f"walk-{name}", role, [district.grid_a] if role in AREA_ROLES else [])
    return users[name]


class TestCampaignApi(ApiScopeMatrix):
    prefix = "campaigns"
    writes = frozenset({CREATE, CHANGE})  # never deleted (405)
    outsider = None  # everyone taking part sees every campaign; the figures inside are scoped
    forbidden = "landlord"
    reader = "grid_worker"
    writer = "commander"
    non_deleter = None
    deleter = None
    lister = "grid_worker"

    def target(self, district):
        return campaign_of(district)

    def create_payload(self, district):
        return campaign_payload(district)

    def change_payload(self, district):
        return {"name": "铁拳行动（二期）"}

    def add_rows(self, district, n):
        today = timezone.localdate()
        for i in range(n):
            Campaign.objects.create(name=f"行动{i}", code=f"walk{i}", starts_on=today, ends_on=today)


class TestWorkGroupApi(ApiScopeMatrix):
    prefix = "work-groups"
    writes = frozenset({CREATE, CHANGE})  # never deleted (405)
    outsider = None  # work groups are the campaign's organisation, read by everyone taking part
    forbidden = "landlord"
    reader = "fire_officer"
    writer = "commander"
    non_deleter = None
    deleter = None
    lister = "grid_worker"

    def target(self, district):
        if not hasattr(district, "walk_group"):
            group = WorkGroup.objects.create(campaign=campaign_of(district), name="浮石工作组")
            group.areas.set([district.c2])
            district.walk_group = group
        return district.walk_group

    def create_payload(self, district):
        payload = {
            "campaign": campaign_of(district).pk,
            "leader": staff(district, "leader").pk,
            "members": [staff(district, "member").pk],
        }
        return {**payload, "name": "第一工作组", "departments": [district.fire.pk], "areas": [district.c1.pk]}

    def change_payload(self, district):
        return {"name": "浮石工作组（二组）"}

    def add_rows(self, district, n):
        campaign = campaign_of(district)
        for i in range(n):
            WorkGroup.objects.create(campaign=campaign, name=f"工作组{i}").areas.set([district.grid_a])


class TestCampaignTargetApi(ApiScopeMatrix):
    prefix = "campaign-targets"
    # Added, never edited or deleted: a removal ends the membership (POST …/remove/, walked in
    # test_target_removal_walk) and the row stays.
    writes = frozenset({CREATE})
    outsider = "outsider"  # sees the targets among the premises they see
    forbidden = "landlord"
    reader = "grid_worker"
    writer = "commander"
    non_deleter = None
    deleter = None
    lister = "grid_worker"

    def target(self, district):
        if not hasattr(district, "walk_target"):
            district.walk_target = CampaignTarget.objects.create(
                campaign=campaign_of(district), premises=district.premises_a
            )
        return district.walk_target

    def create_payload(self, district):
        return {"campaign": campaign_of(district).pk, "premises": district.shop_a.pk, "reason": "群众举报"}

    def add_rows(self, district, n):
        campaign = campaign_of(district)
        for i in range(n):
            premises = t.make_premises(district.building_a, district.landlord_a, unit_label=f"{i + 3}楼")
            CampaignTarget.objects.create(campaign=campaign, premises=premises)


class TestClaimApi(ApiScopeMatrix):
    prefix = "claims"
    writes = frozenset({CREATE})  # then transferred or released by their own actions (test_claim_matrix)
    outsider = "outsider"  # landlord_a is not a landlord of grid B
    forbidden = "landlord"
    reader = "grid_worker"  # reads the claims of their grid's landlords, claims for no unit
    writer = "liaison"  # for their own unit
    non_deleter = None
    deleter = None
    lister = "grid_worker"

    def target(self, district):
        if not hasattr(district, "walk_claim"):
            district.walk_claim = Claim.objects.create(
                campaign=campaign_of(district),
                landlord=district.landlord_a,
                unit=district.unit,
                claimed_by=staff(district, "command", Role.DISTRICT_COMMANDER),
            )
        return district.walk_claim

    def create_payload(self, district):
        if not hasattr(district, "walk_official"):
            landlord = t.make_landlord(
                "陈国强", area=district.grid_a, is_official=True, employer_unit=district.unit
            )
            t.make_premises(district.building_a, landlord, unit_label="3楼")
            district.walk_official = landlord
        return {
            "campaign": campaign_of(district).pk,
            "landlord": district.walk_official.pk,
            "unit": district.unit.pk,
        }

    def add_rows(self, district, n):
        campaign = campaign_of(district)
        for i in range(n):
            landlord = t.make_landlord(
                area=district.grid_a, is_party_member=True, employer_unit=district.unit
            )
            t.make_premises(district.building_a, landlord, unit_label=f"{i + 5}楼")
            Claim.objects.create(
                campaign=campaign,
                landlord=landlord,
                unit=district.unit,
                claimed_by=staff(district, "command", Role.DISTRICT_COMMANDER),
            )
