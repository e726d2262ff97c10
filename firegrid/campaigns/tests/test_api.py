"""Campaign API: anonymous 401 → outsider 404 → in scope without the right 403 → allowed, audited."""

from __future__ import annotations

import pytest

from firegrid.campaigns import services
from firegrid.campaigns.choices import ClaimStatus
from firegrid.campaigns.models import CampaignTarget, Claim
from firegrid.conftest import assert_status
from firegrid.core.api.testing import API, api_client, list_ids
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
    assert_status(
        api_client(personas.grid_worker).delete(f"{API}/campaign-targets/{targets[0].pk}/", {"reason": "x"}),
        403,
    )
    assert_status(api_client(personas.commander).delete(f"{API}/campaign-targets/{targets[0].pk}/"), 400)
    assert_status(
        api_client(personas.commander).delete(f"{API}/campaign-targets/{targets[0].pk}/", {"reason": "重复"}),
        204,
    )
    assert not CampaignTarget.objects.filter(pk=targets[0].pk).exists()
    payload = {"campaign": campaign.pk, "premises": district.premises_a.pk}
    assert_status(
        api_client(personas.grid_worker).post(f"{API}/campaign-targets/", payload, format="json"), 403
    )
    assert_status(
        api_client(personas.commander).post(f"{API}/campaign-targets/", payload, format="json"), 201
    )
