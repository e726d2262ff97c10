"""Campaign pages: scope (outsider 404, in scope but not allowed 403), figures equal their lists, the
unit's page with its rank and the pledge PDF (the landlord's declaration: portal/tests/test_declarations.py)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from firegrid.campaigns import ranking, services, status
from firegrid.campaigns.choices import ClaimStatus
from firegrid.campaigns.models import Claim
from firegrid.conftest import PORTAL, assert_status
from firegrid.rectification import services as plans
from firegrid.rectification.testing import plan_with_hazards

pytestmark = pytest.mark.django_db


def count_of(response) -> int:
    assert_status(response, 200)
    return response.context["paginator"].count


def test_every_figure_on_the_campaign_page_equals_its_list(
    checklist, login, personas, district, campaign, targets
):
    gw = personas.grid_worker
    plan = plan_with_hazards(district.premises_a, actor=gw)
    plans.notify_plan(plan, actor=gw)
    plan_with_hazards(district.shop_a, actor=gw)  # draft: with hazards
    for user in (personas.commander, personas.grid_worker, personas.liaison):
        client = login(user)
        page = client.get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
        assert_status(page, 200)
        figures = page.context["figures"]
        assert count_of(client.get(figures["targets"]["url"])) == figures["targets"]["value"]
        for figure in figures["progress"]:
            assert count_of(client.get(figure["url"])) == figure["value"], (user, figure["key"])
    commander = login(personas.commander).get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
    values = {f["key"]: f["value"] for f in commander.context["figures"]["progress"]}
    assert values["notified"] == 1 and values["with_hazards"] == 1 and values["not_surveyed"] == 1
    assert commander.context["figures"]["targets"]["value"] == 3
    # The grid worker sees only grid A's two targets.
    grid = login(personas.grid_worker).get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
    assert grid.context["figures"]["targets"]["value"] == 2


def test_claim_and_unclaimed_figures_equal_their_lists(login, personas, district, campaign, targets):
    client = login(personas.commander)
    page = client.get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
    figures = page.context["figures"]
    assert figures["unclaimed"]["value"] == 1 == count_of(client.get(figures["unclaimed"]["url"]))
    services.claim(district.landlord_a, district.unit, campaign=campaign, actor=personas.commander)
    figures = client.get(reverse("campaigns:campaign_detail", args=[campaign.pk])).context["figures"]
    assert figures["unclaimed"]["value"] == 0 == count_of(client.get(figures["unclaimed"]["url"]))
    assert figures["claims"]["value"] == 1 == count_of(client.get(figures["claims"]["url"]))


def test_claim_scope_liaison_sees_own_units_outsider_gets_404(login, personas, district, campaign):
    mine = services.claim(district.landlord_a, district.unit, campaign=campaign, actor=personas.commander)
    url = reverse("campaigns:claim_detail", args=[mine.pk])
    assert_status(login(personas.liaison).get(url), 200)
    assert_status(login(personas.other_liaison).get(url), 404)
    assert_status(login(personas.outsider).get(url), 404)
    assert_status(login(personas.grid_worker).get(url), 200)
    assert count_of(login(personas.other_liaison).get(reverse("campaigns:claim_list"))) == 0
    assert count_of(login(personas.liaison).get(reverse("campaigns:claim_list"))) == 1
    # In scope but not allowed: a grid worker may not release.
    response = login(personas.grid_worker).post(
        reverse("campaigns:claim_release", args=[mine.pk]), {"reason": "x"}
    )
    assert_status(response, 403)
    mine.refresh_from_db()
    assert mine.status == ClaimStatus.ACTIVE


def test_liaison_claiming_for_another_unit_gets_403(login, personas, district, campaign):
    url = reverse("campaigns:claim_add", args=[campaign.pk])
    response = login(personas.liaison).post(
        url, {"landlord": district.landlord_a.pk, "unit": district.other_unit.pk}
    )
    assert_status(response, 403)
    assert not Claim.objects.exists()
    response = login(personas.liaison).post(
        url, {"landlord": district.landlord_a.pk, "unit": district.unit.pk}
    )
    assert_status(response, 302)
    assert Claim.objects.get().unit == district.unit


def test_claim_form_shows_the_holder_unit(login, personas, district, campaign):
    services.claim(district.landlord_a, district.other_unit, campaign=campaign, actor=personas.commander)
    url = reverse("campaigns:claim_add", args=[campaign.pk])
    response = login(personas.liaison).post(
        url, {"landlord": district.landlord_a.pk, "unit": district.unit.pk}
    )
    assert_status(response, 200)
    assert "衢江区教育局" in str(response.context["form"].errors["landlord"])


def test_transfer_and_release_from_the_claim_page(login, personas, district, campaign):
    c = services.claim(district.landlord_a, district.unit, campaign=campaign, actor=personas.commander)
    client = login(personas.commander)
    response = client.post(
        reverse("campaigns:claim_transfer", args=[c.pk]), {"to_unit": district.other_unit.pk}
    )
    c.refresh_from_db()
    assert c.status == ClaimStatus.ACTIVE  # no reason: nothing changed
    response = client.post(
        reverse("campaigns:claim_transfer", args=[c.pk]),
        {"to_unit": district.other_unit.pk, "reason": "调动"},
    )
    new = Claim.objects.get(status=ClaimStatus.ACTIVE)
    assert (
        response.url == reverse("campaigns:claim_detail", args=[new.pk]) and new.unit == district.other_unit
    )
    client.post(reverse("campaigns:claim_release", args=[new.pk]), {"reason": "退休"})
    new.refresh_from_db()
    assert new.status == ClaimStatus.RELEASED


def test_milestone_outside_the_period_on_the_form_is_a_field_error(login, personas):
    data = {
        "name": "铁拳行动",
        "code": "tq2019",
        "starts_on": "2019-10-01",
        "ends_on": "2019-11-30",
        "status": "planned",
        "milestones-TOTAL_FORMS": "2",
        "milestones-INITIAL_FORMS": "0",
        "milestones-0-name": "四类人员",
        "milestones-0-due_on": "2019-10-31",
        "milestones-0-scope": "four_category",
        "milestones-1-name": "全部",
        "milestones-1-due_on": "2019-12-31",
        "milestones-1-scope": "all",
    }
    client = login(personas.commander)
    response = client.post(reverse("campaigns:campaign_add"), data)
    assert_status(response, 200)
    errors = response.context["formset"].forms[1].errors["due_on"]
    assert "节点日期必须在行动期间内" in errors[0]
    data["milestones-1-due_on"] = "2019-11-30"
    response = client.post(reverse("campaigns:campaign_add"), data)
    assert_status(response, 302)
    page = client.get(response.url)
    assert [m.name for m in page.context["milestones"]] == ["四类人员", "全部"]
    assert_status(login(personas.grid_worker).get(reverse("campaigns:campaign_add")), 403)


def test_unit_page_shows_landlords_progress_and_the_explained_rank(
    checklist, login, personas, district, campaign, targets
):
    services.claim(district.landlord_a, district.unit, campaign=campaign, actor=personas.commander)
    plan = plan_with_hazards(district.premises_a, actor=personas.grid_worker)
    plans.notify_plan(plan, actor=personas.grid_worker)
    response = login(personas.liaison).get(reverse("campaigns:unit_page", args=[campaign.pk]))
    assert_status(response, 200)
    (row,) = response.context["landlords"]
    progress = {p.pk: p.progress for p in row["premises"]}
    assert progress == {district.premises_a.pk: "notified", district.shop_a.pk: "not_surveyed"}
    assert response.context["my_rank"].rank == 1
    html = response.content.decode()
    assert str(ranking.RANKING_RULE) in html and plan.deadline.isoformat() in html
    # Other roles without a unit see the units to choose from; an outsider liaison sees their own (none).
    other = login(personas.other_liaison).get(reverse("campaigns:unit_page", args=[campaign.pk]))
    assert other.context["landlords"] == [] and other.context["my_rank"] is None


def test_unit_pledge_pdf_is_frozen_on_the_claim(login, personas, district, campaign, settings):
    c = services.claim(district.landlord_a, district.unit, campaign=campaign, actor=personas.liaison)
    client = login(personas.liaison)
    first = client.get(reverse("campaigns:claim_pledge", args=[c.pk]))
    assert_status(first, 200)
    assert first["Content-Type"] == "application/pdf" and first.content.startswith(b"%PDF")
    c.refresh_from_db()
    assert re.fullmatch(r"衢江消认〔\d{4}〕第0001号", c.pledge_serial)
    assert c.pledge_content["unit"]["name"] == "衢江区住建局"
    assert c.pledge_content["deadline"] == campaign.milestones.get().due_on.isoformat()
    assert len(c.pledge_content["premises"]) == 2
    again = client.get(reverse("campaigns:claim_pledge", args=[c.pk]))
    assert again.content == first.content
    c.refresh_from_db()
    assert c.pledge_serial.endswith("第0001号")
    assert_status(login(personas.other_liaison).get(reverse("campaigns:claim_pledge", args=[c.pk])), 404)


def test_target_list_progress_filter_uses_the_status_definition(
    checklist, login, personas, district, campaign, targets
):
    plan_with_hazards(district.premises_a, actor=personas.grid_worker)
    client = login(personas.commander)
    url = reverse("campaigns:target_list", args=[campaign.pk])
    got = {p.pk for p in client.get(url, {"progress": "with_hazards"}).context["object_list"]}
    expected = set(
        status.in_progress(status.targets(campaign), campaign, "with_hazards").values_list("pk", flat=True)
    )
    assert got == expected == {district.premises_a.pk}
    assert_status(login(personas.landlord).get(url), PORTAL)


def test_target_list_unit_filter_counts_the_units_report_figure(login, personas, district, campaign, targets):
    import datetime as dt

    from django.utils import timezone

    from firegrid.reports.models import Dimension
    from firegrid.reports.services import generate_snapshot

    yesterday = timezone.now() - dt.timedelta(days=1)
    # The unit's landlord_a (premises_a, shop_a); landlord_b once by the unit, released, now another's.
    Claim.objects.create(
        campaign=campaign, landlord=district.landlord_a, unit=district.unit, claimed_by=personas.commander
    )
    Claim.objects.create(
        campaign=campaign,
        landlord=district.landlord_b,
        unit=district.unit,
        claimed_by=personas.commander,
        claimed_at=yesterday - dt.timedelta(days=1),
        status=ClaimStatus.RELEASED,
        ended_at=yesterday,
    )
    Claim.objects.create(
        campaign=campaign,
        landlord=district.landlord_b,
        unit=district.other_unit,
        claimed_by=personas.commander,
    )
    snapshot = generate_snapshot(campaign, timezone.localdate())
    in_scope = snapshot.rows.get(dimension=Dimension.UNIT, key=str(district.unit.pk)).in_scope
    url = reverse("campaigns:target_list", args=[campaign.pk])
    response = login(personas.commander).get(url, {"unit": district.unit.pk})
    assert count_of(response) == in_scope == 2
    assert {p.pk for p in response.context["object_list"]} == {district.premises_a.pk, district.shop_a.pk}
    other = login(personas.commander).get(url, {"unit": district.other_unit.pk})
    assert {p.pk for p in other.context["object_list"]} == {district.premises_b.pk}
    # The filter does not open the list to a role that may not read targets.
    assert_status(login(personas.landlord).get(url, {"unit": district.unit.pk}), PORTAL)


def test_target_add_and_remove_by_hand(login, personas, district, campaign):
    client = login(personas.commander)
    client.post(reverse("campaigns:target_add", args=[campaign.pk]), {"premises": district.premises_b.pk})
    assert campaign.targets.filter(premises=district.premises_b).exists()
    client.post(reverse("campaigns:target_remove", args=[campaign.pk]), {"premises": district.premises_b.pk})
    assert campaign.targets.filter(premises=district.premises_b).exists()  # no reason given
    client.post(
        reverse("campaigns:target_remove", args=[campaign.pk]),
        {"premises": district.premises_b.pk, "reason": "重复"},
    )
    assert not campaign.targets.filter(premises=district.premises_b, left_on__isnull=True).exists()
    assert campaign.targets.get(premises=district.premises_b).left_reason == "重复"
    response = login(personas.grid_worker).post(
        reverse("campaigns:target_add", args=[campaign.pk]), {"premises": district.premises_a.pk}
    )
    assert_status(response, 403)


def test_menu_and_lists_load(login, personas, campaign):
    for user in (personas.commander, personas.grid_worker, personas.liaison):
        client = login(user)
        home = client.get(reverse("pages:home"))
        assert reverse("campaigns:campaign_list") in home.content.decode()
        assert_status(client.get(reverse("campaigns:campaign_list")), 200)
        assert_status(client.get(reverse("campaigns:workgroup_list")), 200)
        assert_status(client.get(reverse("campaigns:claim_list")), 200)
    assert_status(login(personas.liaison).get(reverse("campaigns:my_unit")), 302)
    assert_status(login(personas.commander).get(reverse("campaigns:workgroup_add", args=[campaign.pk])), 200)


def claim_links(response) -> dict[int, str]:
    """The unclaimed list's row actions: landlord id → the claim form's URL."""
    html = response.content.decode()
    return {
        int(pk): href.replace("&amp;", "&")
        for href, pk in re.findall(r'<a class="btn small primary" href="([^"]+)" data-claim="(\d+)"', html)
    }


def test_unclaimed_list_claim_action_opens_the_form_filled_in(login, personas, district, campaign):
    list_url = reverse("campaigns:unclaimed", args=[campaign.pk])
    # The command: one 认领 per row, the form with the landlord and the landlord's employer.
    commander = login(personas.commander)
    links = claim_links(commander.get(list_url))
    assert links == {
        district.landlord_a.pk: f"{reverse('campaigns:claim_add', args=[campaign.pk])}?landlord={district.landlord_a.pk}"
    }
    form = commander.get(links[district.landlord_a.pk]).context["form"]
    assert form["landlord"].value() == str(district.landlord_a.pk)
    assert form["unit"].value() == district.unit.pk
    assert "张建国" in commander.get(links[district.landlord_a.pk]).content.decode()
    # A liaison: their unit's landlord, their own unit pre-selected (and the only one offered).
    liaison = login(personas.liaison)
    links = claim_links(liaison.get(list_url))
    assert set(links) == {district.landlord_a.pk}
    response = liaison.get(links[district.landlord_a.pk])
    assert response.context["form"]["unit"].value() == district.unit.pk
    assert response.context["form"]["landlord"].value() == str(district.landlord_a.pk)
    # Submitting the filled-in form claims; the landlord leaves the list.
    response = liaison.post(
        links[district.landlord_a.pk], {"landlord": district.landlord_a.pk, "unit": district.unit.pk}
    )
    assert_status(response, 302)
    assert Claim.objects.get().unit == district.unit
    assert claim_links(commander.get(list_url)) == {}


def test_unclaimed_list_offers_no_claim_to_readers_or_in_an_ended_campaign(
    login, personas, district, campaign
):
    list_url = reverse("campaigns:unclaimed", args=[campaign.pk])
    # A grid worker follows the landlords in the grid but does not claim.
    response = login(personas.grid_worker).get(list_url)
    assert count_of(response) == 1
    assert claim_links(response) == {} and not response.context["can_claim"]
    campaign.status = "ended"
    campaign.save()
    response = login(personas.commander).get(list_url)
    assert count_of(response) == 1
    assert claim_links(response) == {} and not response.context["can_claim"]


def test_unclaimed_export_has_no_action_column(login, personas, district, campaign):
    import io

    from openpyxl import load_workbook

    response = login(personas.commander).get(
        reverse("campaigns:unclaimed", args=[campaign.pk]), {"export": "xlsx"}
    )
    assert_status(response, 200)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "操作" not in rows[0] and "张建国" in rows[1]
    assert not any("认领" in str(value) for row in rows for value in row if value)
