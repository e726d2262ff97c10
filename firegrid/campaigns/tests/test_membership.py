"""Dated membership of a campaign's targets: a target counts from the day it joined until the day it left
(status.members_on, the one as-of definition); removal is an end date, never a deletion; an ended
campaign changes only by the command, with a reason, and with a correction of its last report."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from firegrid.campaigns import corrections, services, status
from firegrid.campaigns.models import Campaign, CampaignTarget
from firegrid.rectification.testing import inspect
from firegrid.reports.models import DailySnapshot, GeneratedVia

pytestmark = pytest.mark.django_db
ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def days(today):
    """Days counted from today: days(-5) is five days ago."""

    def day(n: int) -> dt.date:
        return today + dt.timedelta(days=n)

    return day


def member_ids(campaign, day, known_at=None) -> set[int]:
    return set(status.members_on(campaign, day, known_at).values_list("pk", flat=True))


@pytest.fixture
def ended(district, days):
    """An ended campaign over the whole district (30 to 10 days ago), premises_a a target from its start."""
    campaign = Campaign.objects.create(
        name="旧行动", code="old", starts_on=days(-30), ends_on=days(-10), status="ended"
    )
    CampaignTarget.objects.create(campaign=campaign, premises=district.premises_a, joined_on=days(-30))
    return campaign


def test_a_target_counts_from_the_day_it_joined_until_the_day_it_left(district, campaign, days):
    d = district
    a = CampaignTarget.objects.create(campaign=campaign, premises=d.premises_a, joined_on=days(-5))
    CampaignTarget.objects.create(campaign=campaign, premises=d.premises_b, joined_on=days(-2))
    assert member_ids(campaign, days(-6)) == set()
    assert member_ids(campaign, days(-5)) == {d.premises_a.pk}
    assert member_ids(campaign, days(-2)) == {d.premises_a.pk, d.premises_b.pk}
    a.left_on, a.left_at = days(-1), timezone.now()
    a.save()
    # Left on day −1: still counted the day before, no longer on it.
    assert member_ids(campaign, days(-2)) == {d.premises_a.pk, d.premises_b.pk}
    assert member_ids(campaign, days(-1)) == {d.premises_b.pk}
    assert a.is_member_on(days(-2)) and not a.is_member_on(days(-1))


def test_membership_as_known_at_an_instant_ignores_what_was_recorded_later(district, campaign, days):
    """A report made at T counts the memberships recorded by T: a later change dated into the past, or a
    removal recorded later, does not alter what T knew."""
    d = district
    made = timezone.now()
    later = made + dt.timedelta(hours=1)
    a = CampaignTarget.objects.create(
        campaign=campaign, premises=d.premises_a, joined_on=days(-5), added_at=made - dt.timedelta(days=5)
    )
    # Recorded an hour after T, joined five days ago (e.g. from hazards found then).
    CampaignTarget.objects.create(
        campaign=campaign, premises=d.premises_b, joined_on=days(-5), added_at=later
    )
    a.left_on, a.left_at = days(-3), later
    a.save()
    assert member_ids(campaign, days(-3), known_at=made) == {d.premises_a.pk}
    assert member_ids(campaign, days(-3)) == {d.premises_b.pk}


def test_one_open_membership_per_premises_and_left_not_before_joined(district, campaign, days):
    CampaignTarget.objects.create(campaign=campaign, premises=district.premises_a, joined_on=days(-3))
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignTarget.objects.create(campaign=campaign, premises=district.premises_a, joined_on=days(-1))
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignTarget.objects.create(
            campaign=campaign,
            premises=district.premises_b,
            joined_on=days(-1),
            left_on=days(-2),
            left_at=timezone.now(),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignTarget.objects.create(
            campaign=campaign, premises=district.premises_b, joined_on=days(-1), left_on=days(-1)
        )


def test_removed_then_added_again_is_a_second_membership(personas, district, campaign, days, today):
    target = services.add_target(campaign, district.premises_b, actor=personas.commander, on=days(-6))
    services.remove_target(target, actor=personas.commander, reason="重复登记", on=days(-4))
    with pytest.raises(ValidationError) as error:
        services.add_target(campaign, district.premises_b, actor=personas.commander, on=days(-5))
    assert "joined_on" in error.value.message_dict
    again = services.add_target(
        campaign, district.premises_b, actor=personas.commander, reason="复核后仍需整治"
    )
    assert again.pk != target.pk and again.joined_on == today
    assert [status.members_on(campaign, d).count() for d in (days(-6), days(-4), days(-1), today)] == [
        1,
        0,
        0,
        1,
    ]
    # Removal dates are checked: not before joining, not in the future.
    with pytest.raises(ValidationError):
        services.remove_target(again, actor=personas.commander, reason="x", on=days(-1))
    with pytest.raises(ValidationError):
        services.remove_target(again, actor=personas.commander, reason="x", on=days(1))
    services.remove_target(again, actor=personas.commander, reason="已拆除")
    with pytest.raises(ValidationError):
        services.remove_target(again, actor=personas.commander, reason="再次")


def test_targets_from_hazards_join_on_the_day_the_hazards_were_found(
    checklist, personas, district, campaign, days
):
    d = district
    with time_machine.travel(dt.datetime.combine(days(-4), dt.time(10), tzinfo=ZONE), tick=False):
        inspect(d.premises_a, actor=personas.grid_worker, fail=("SEP-01",))
    with time_machine.travel(dt.datetime.combine(days(-1), dt.time(10), tzinfo=ZONE), tick=False):
        inspect(d.premises_b, actor=personas.outsider, fail=("SEP-01",))
    assert services.add_targets_from_hazards(campaign, actor=personas.commander) == 2
    joined = dict(CampaignTarget.objects.filter(campaign=campaign).values_list("premises_id", "joined_on"))
    assert joined == {d.premises_a.pk: days(-4), d.premises_b.pk: days(-1)}
    # In scope grows as targets are found.
    assert [status.members_on(campaign, day).count() for day in (days(-5), days(-4), days(-1))] == [0, 1, 2]


def test_targets_from_hazards_do_not_undo_a_removal(checklist, personas, district, campaign):
    inspect(district.premises_a, actor=personas.grid_worker, fail=("SEP-01",))
    assert services.add_targets_from_hazards(campaign, actor=personas.commander) == 1
    services.remove_target(campaign.targets.get(), actor=personas.commander, reason="已停业")
    assert services.add_targets_from_hazards(campaign, actor=personas.commander) == 0


def test_hazards_found_after_a_campaign_ended_do_not_make_targets(checklist, personas, district, ended):
    inspect(district.premises_b, actor=personas.outsider, fail=("SEP-01",))  # found today
    assert services.add_targets_from_hazards(ended, actor=personas.commander, reason="补录") == 0


def test_an_ended_campaign_changes_only_by_the_command_with_a_reason(personas, district, ended, days):
    with pytest.raises(ValidationError) as error:
        services.add_target(ended, district.premises_b, actor=personas.commander)
    assert "reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.add_target(ended, district.premises_b, actor=personas.grid_worker, reason="补录")
    assert not DailySnapshot.objects.filter(campaign=ended).exists()
    target = services.add_target(ended, district.premises_b, actor=personas.commander, reason="漏报补录")
    # Counted from the campaign's last day; the rest of its days keep their members.
    assert target.joined_on == ended.ends_on
    assert member_ids(ended, days(-11)) == {district.premises_a.pk}
    correction = DailySnapshot.objects.get(campaign=ended)
    assert (correction.day, correction.generated_by, correction.generated_via) == (
        ended.ends_on,
        personas.commander,
        GeneratedVia.PERSON,
    )
    assert "漏报补录" in correction.reason
    removal = services.remove_target(
        ended.targets.get(premises=district.premises_a), actor=personas.admin, reason="重复登记"
    )
    assert removal.left_on == ended.ends_on
    assert list(
        DailySnapshot.objects.filter(campaign=ended).order_by("version").values_list("day", "version")
    ) == [(ended.ends_on, 1), (ended.ends_on, 2)]


def test_without_the_reports_hook_an_ended_campaign_is_not_changed_silently(personas, district, ended):
    assert corrections._corrector is not None  # registered by firegrid.reports at start-up
    saved = corrections._corrector
    corrections.register_corrector(None)
    try:
        with pytest.raises(ImproperlyConfigured):
            services.add_target(ended, district.premises_b, actor=personas.commander, reason="补录")
    finally:
        corrections.register_corrector(saved)
    assert not ended.targets.filter(premises=district.premises_b).exists()


def test_the_reference_day_of_a_campaign(ended, campaign, days, today):
    assert status.reference_day(ended) == ended.ends_on and status.is_over(ended)
    assert status.reference_day(campaign) == today and not status.is_over(campaign)
    planned = Campaign(starts_on=days(5), ends_on=days(30), status="planned")
    assert status.reference_day(planned) == days(5)
