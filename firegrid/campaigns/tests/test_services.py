"""Campaign command services: every bad input of issue 5 gets a clear error and loses nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from firegrid import testing as t
from firegrid.campaigns import services
from firegrid.campaigns.choices import ClaimStatus, TargetSource
from firegrid.campaigns.models import Campaign, CampaignTarget, Claim, WorkGroup
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.rectification.testing import inspect

pytestmark = pytest.mark.django_db


# --- campaigns and milestones ---


def test_milestone_outside_the_period_is_a_field_error_and_nothing_is_saved(personas):
    data = {
        "name": "铁拳",
        "code": "tq2",
        "starts_on": dt.date(2019, 10, 1),
        "ends_on": dt.date(2019, 11, 30),
    }
    with pytest.raises(ValidationError) as exc:
        services.save_campaign(
            None,
            data,
            actor=personas.commander,
            milestones=[
                services.MilestoneInput("四类人员", dt.date(2019, 10, 31), "four_category"),
                services.MilestoneInput("全部", dt.date(2019, 12, 1)),
            ],
        )
    (message,) = exc.value.message_dict["milestones"]
    assert "节点日期必须在行动期间内" in message and "第 2 个节点" in message
    assert not Campaign.objects.filter(code="tq2").exists()


def test_campaign_is_created_with_milestones_and_audited(personas, district):
    data = {
        "name": "铁拳",
        "code": "tq2",
        "starts_on": dt.date(2019, 10, 1),
        "ends_on": dt.date(2019, 11, 30),
    }
    c = services.save_campaign(
        None,
        data,
        actor=personas.commander,
        areas=[district.s1],
        milestones=[services.MilestoneInput("四类人员", dt.date(2019, 10, 31), "four_category")],
    )
    assert [m.due_on for m in c.milestones.all()] == [dt.date(2019, 10, 31)]
    entry = AuditEntry.objects.for_object(c).get()
    assert entry.action == AuditAction.CREATE and entry.after["areas"] == [district.s1.pk]


def test_narrowing_the_period_cannot_leave_a_milestone_outside(personas, campaign):
    milestone = campaign.milestones.get()
    with pytest.raises(ValidationError) as exc:
        services.save_campaign(
            campaign,
            {"ends_on": milestone.due_on - dt.timedelta(days=1)},
            actor=personas.commander,
            expected_version=campaign.version,
        )
    assert "milestones" in exc.value.message_dict
    campaign.refresh_from_db()
    assert campaign.ends_on > milestone.due_on


def test_period_out_of_order_is_refused(personas, campaign):
    with pytest.raises(ValidationError) as exc:
        services.save_campaign(
            campaign,
            {"ends_on": campaign.starts_on - dt.timedelta(days=1)},
            actor=personas.commander,
            expected_version=campaign.version,
        )
    assert "ends_on" in exc.value.message_dict


def test_grid_worker_may_not_create_a_campaign(personas):
    data = {"name": "x", "code": "x", "starts_on": dt.date(2019, 10, 1), "ends_on": dt.date(2019, 11, 30)}
    with pytest.raises(PermissionDenied):
        services.save_campaign(None, data, actor=personas.grid_worker)


# --- targets ---


def test_targets_from_hazards_are_idempotent_and_in_scope(checklist, personas, district, campaign):
    inspect(district.premises_a, actor=personas.grid_worker, fail=("SEP-01",))
    inspect(district.shop_a, actor=personas.grid_worker)  # passes: no hazard
    campaign.areas.set([district.s1])
    inspect(district.premises_b, actor=personas.outsider, fail=("SEP-01",))  # outside the campaign's areas
    assert services.add_targets_from_hazards(campaign, actor=personas.commander) == 1
    assert services.add_targets_from_hazards(campaign, actor=personas.commander) == 0
    assert list(CampaignTarget.objects.filter(campaign=campaign).values_list("premises", "source")) == [
        (district.premises_a.pk, TargetSource.HAZARDS)
    ]


def test_target_by_hand_add_and_remove_are_audited(personas, district, campaign):
    target = services.add_target(campaign, district.premises_b, actor=personas.commander, reason="群众举报")
    assert target.source == TargetSource.MANUAL
    with pytest.raises(ValidationError):
        services.add_target(campaign, district.premises_b, actor=personas.commander)
    with pytest.raises(ValidationError) as exc:
        services.remove_target(target, actor=personas.commander, reason=" ")
    assert "reason" in exc.value.message_dict
    pk = target.pk
    services.remove_target(target, actor=personas.commander, reason="重复登记")
    # A removal ends the membership; the row stays with who, why and when.
    removed = CampaignTarget.objects.get(pk=pk)
    assert (removed.left_on, removed.left_by, removed.left_reason) == (
        timezone.localdate(),
        personas.commander,
        "重复登记",
    )
    actions = list(
        AuditEntry.objects.filter(content_type__model="campaigntarget", object_id=str(pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == sorted([AuditAction.CREATE, AuditAction.UPDATE])
    with pytest.raises(PermissionDenied):
        services.add_target(campaign, district.premises_a, actor=personas.grid_worker)


def test_target_outside_the_campaigns_areas_is_refused(personas, district, campaign):
    campaign.areas.set([district.s1])
    with pytest.raises(ValidationError) as exc:
        services.add_target(campaign, district.premises_b, actor=personas.commander)
    assert "不在本次行动范围内" in exc.value.message_dict["premises"][0]


# --- work groups ---


def test_an_area_belongs_to_one_work_group_per_campaign(personas, district, campaign):
    first = services.save_work_group(
        None,
        {"name": "第一组", "leader": personas.grid_worker},
        actor=personas.commander,
        campaign=campaign,
        areas=[district.c1],
        departments=[district.fire],
    )
    assert list(first.areas.all()) == [district.c1]
    with pytest.raises(ValidationError) as exc:
        # A grid inside the first group's community counts as the same area.
        services.save_work_group(
            None, {"name": "第二组"}, actor=personas.commander, campaign=campaign, areas=[district.grid_a]
        )
    message = exc.value.message_dict["areas"][0]
    assert "樟树潭一网格" in message and "第一组" in message
    assert WorkGroup.objects.filter(campaign=campaign).count() == 1
    second = services.save_work_group(
        None, {"name": "第二组"}, actor=personas.commander, campaign=campaign, areas=[district.s2]
    )
    updated = services.save_work_group(
        second, {"name": "第二工作组"}, actor=personas.commander, expected_version=second.version
    )
    assert updated.version == second.version + 1 and list(updated.areas.all()) == [district.s2]
    with pytest.raises(PermissionDenied):
        services.save_work_group(
            None, {"name": "x"}, actor=personas.grid_worker, campaign=campaign, areas=[district.s2]
        )


# --- claims ---


def test_liaison_claims_their_landlord_and_the_claim_is_audited(personas, district, campaign):
    c = services.claim(district.landlord_a, district.unit, campaign=campaign, actor=personas.liaison)
    assert (c.status, c.unit, c.claimed_by) == (ClaimStatus.ACTIVE, district.unit, personas.liaison)
    assert AuditEntry.objects.for_object(c).get().action == AuditAction.CREATE


def test_a_landlord_another_unit_holds_names_that_unit(personas, district, campaign):
    services.claim(district.landlord_a, district.other_unit, campaign=campaign, actor=personas.commander)
    with pytest.raises(ValidationError) as exc:
        services.claim(district.landlord_a, district.unit, campaign=campaign, actor=personas.liaison)
    assert "衢江区教育局" in exc.value.message_dict["landlord"][0]
    assert Claim.objects.filter(campaign=campaign).count() == 1


def test_the_database_keeps_one_active_claim_per_landlord(personas, district, campaign):
    Claim.objects.create(
        campaign=campaign, landlord=district.landlord_a, unit=district.unit, claimed_by=personas.commander
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            campaign=campaign,
            landlord=district.landlord_a,
            unit=district.other_unit,
            claimed_by=personas.commander,
        )


def test_a_claim_outside_the_campaigns_scope_is_refused(personas, district, campaign):
    campaign.areas.set([district.s2])  # landlord_a's premises are in S1
    with pytest.raises(ValidationError) as exc:
        services.claim(district.landlord_a, district.unit, campaign=campaign, actor=personas.commander)
    assert "不在本次行动范围内" in exc.value.message_dict["landlord"][0]
    assert not Claim.objects.exists()


def test_a_landlord_who_is_not_four_category_is_refused(personas, district, campaign):
    with pytest.raises(ValidationError) as exc:
        services.claim(district.landlord_b, district.unit, campaign=campaign, actor=personas.commander)
    assert "不是四类人员" in exc.value.message_dict["landlord"][0]


def test_a_liaison_may_not_claim_for_another_unit(personas, district, campaign):
    with pytest.raises(PermissionDenied):
        services.claim(district.landlord_a, district.other_unit, campaign=campaign, actor=personas.liaison)
    assert not Claim.objects.exists()


def test_area_roles_do_not_claim(personas, district, campaign):
    with pytest.raises(PermissionDenied):
        services.claim(district.landlord_a, district.unit, campaign=campaign, actor=personas.grid_worker)


def test_transfer_and_release_need_a_reason_and_keep_the_history(personas, district, campaign):
    c = services.claim(district.landlord_a, district.unit, campaign=campaign, actor=personas.liaison)
    with pytest.raises(ValidationError) as exc:
        services.transfer(c, district.other_unit, actor=personas.commander, reason="")
    assert "reason" in exc.value.message_dict
    with pytest.raises(PermissionDenied):  # liaisons claim; the command transfers and releases
        services.transfer(c, district.other_unit, actor=personas.liaison, reason="调动")
    new = services.transfer(c, district.other_unit, actor=personas.commander, reason="已调至教育局")
    c.refresh_from_db()
    assert (c.status, new.status, new.unit) == (
        ClaimStatus.TRANSFERRED,
        ClaimStatus.ACTIVE,
        district.other_unit,
    )
    with pytest.raises(ValidationError):
        services.release(c, actor=personas.commander, reason="x")  # no longer active
    with pytest.raises(ValidationError):
        services.release(new, actor=personas.commander, reason="")
    released = services.release(new, actor=personas.commander, reason="已退休")
    assert released.status == ClaimStatus.RELEASED and released.ended_at is not None
    assert AuditEntry.objects.for_object(new).filter(action=AuditAction.UPDATE, reason="已退休").exists()
    # Released: the landlord may be claimed again.
    again = services.claim(district.landlord_a, district.unit, campaign=campaign, actor=personas.liaison)
    assert again.status == ClaimStatus.ACTIVE


# --- the landlord's declaration ---


def test_landlord_declares_four_category_with_audit(personas, district):
    user = t.make_user("landlord_b", "landlord", landlord=district.landlord_b)
    with pytest.raises(ValidationError) as exc:
        services.declare_four_category(
            district.landlord_b, actor=user, flags={"is_official": True}, employer_unit=None
        )
    assert "employer_unit" in exc.value.message_dict
    landlord = services.declare_four_category(
        district.landlord_b, actor=user, flags={"is_official": True}, employer_unit=district.unit
    )
    assert landlord.is_official and landlord.employer_unit == district.unit
    entry = AuditEntry.objects.for_object(landlord).get()
    assert entry.before["is_official"] is False and entry.after["is_official"] is True
    with pytest.raises(PermissionDenied):
        services.declare_four_category(district.landlord_a, actor=user, flags={}, employer_unit=None)
