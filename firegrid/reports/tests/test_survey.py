"""The survey day by day (issue 12, item 5): each daily report freezes its day's survey coverage per grid;
every frozen figure opens a registry list (`survey_at`) that counts the same records for ever, whatever
is submitted later; the dashboard draws the curve from the frozen figures."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from firegrid.campaigns.models import Campaign
from firegrid.conftest import assert_status
from firegrid.inspections.choices import COVERING_OUTCOMES
from firegrid.inspections.models import Inspection
from firegrid.inspections.services.templates import default_template
from firegrid.registry.models import Premises
from firegrid.reports import services, survey
from firegrid.reports.models import DailySnapshot
from firegrid.reports.testing import at

pytestmark = pytest.mark.django_db
DAYS = 5


def visit(premises: Premises, outcome: str, when: dt.datetime, rooms=()) -> Inspection:
    inspection = Inspection.objects.create(
        premises=premises,
        building=premises.building,
        template=default_template(),
        kind="survey",
        status="submitted",
        outcome=outcome,
        started_at=when - dt.timedelta(minutes=20),
        submitted_at=when,
    )
    inspection.rooms_inspected.set(rooms)
    return inspection


@pytest.fixture
def surveyed(checklist, district, personas, today):
    """Day 1: premises_a inspected (room_a listed). Day 2: premises_b locked (owed a return visit). Day 3:
    shop_a inspected at 10:00 and premises_b at 20:00. Each day's report made by the job at 18:00 that
    day, so premises_b's day-3 visit is in the day-4 report, not the day-3 one."""
    d = district
    start = today - dt.timedelta(days=10)

    def day(n: int) -> dt.date:
        return start + dt.timedelta(days=n)

    campaign = Campaign.objects.create(
        name="排查", code="survey", starts_on=start, ends_on=day(DAYS - 1), status="ended"
    )
    visit(d.premises_a, "inspected", at(day(1), 9), rooms=[d.room_a])
    visit(d.premises_b, "locked", at(day(2), 9))
    visit(d.shop_a, "inspected", at(day(3), 10))
    visit(d.premises_b, "inspected", at(day(3), 20), rooms=[d.room_b])
    for n in range(DAYS):
        with time_machine.travel(at(day(n), 18), tick=False):
            services.generate_snapshot(campaign, day(n))
    return SimpleNamespace(campaign=campaign, day=day)


def report(surveyed, n: int) -> DailySnapshot:
    return DailySnapshot.objects.get(campaign=surveyed.campaign, day=surveyed.day(n))


def total(snapshot: DailySnapshot, user) -> dict[str, int]:
    return dict(survey.survey_section(snapshot, user)[0].figures)


def list_count(client, url: str) -> int:
    response = client.get(url)
    assert_status(response, 200)
    return response.context["paginator"].count


def test_each_report_freezes_its_days_survey(surveyed, personas):
    commander = personas.commander
    rows = [total(report(surveyed, n), commander) for n in range(DAYS)]
    # (buildings surveyed, premises covered, rooms inspected) of 2 buildings, 3 premises, 2 rooms.
    assert [(r["buildings_surveyed"], r["premises_covered"], r["rooms_inspected"]) for r in rows] == [
        (0, 0, 0),
        (0, 1, 1),  # building_a still has shop_a to visit
        (0, 1, 1),  # a locked door covers nothing
        (1, 2, 1),  # premises_b's 20:00 visit came after the 18:00 report
        (2, 3, 2),
    ]
    assert {(r["buildings"], r["premises"], r["rooms"]) for r in rows} == {(2, 3, 2)}
    assert dt.datetime.fromisoformat(report(surveyed, 3).survey["at"]) == at(surveyed.day(3), 18)


@pytest.mark.parametrize("who", ["commander", "subdistrict_officer", "community_officer", "grid_worker"])
def test_every_frozen_figure_equals_its_list_then_and_after_later_visits(
    surveyed, district, personas, login, who
):
    user = getattr(personas, who)
    client = login(user)

    def check() -> int:
        checked = 0
        for n in range(DAYS):
            for row in survey.survey_section(report(surveyed, n), user):
                for figure, _label, done, _total, _rate, url in row.cells:
                    assert "survey_at=" in url
                    assert list_count(client, url) == done, (n, row.area.name, figure)
                    checked += 1
        return checked

    assert check() >= DAYS * 3
    # Later: a visit today covers what was left, and a stored day's figures and lists do not move.
    frozen = [report(surveyed, n).survey for n in range(DAYS)]
    visit(district.premises_a, "inspected", timezone.now(), rooms=[district.room_a])
    assert [report(surveyed, n).survey for n in range(DAYS)] == frozen
    check()


def test_a_list_without_survey_at_counts_now(surveyed, district, personas, login):
    client = login(personas.commander)
    row = survey.survey_section(report(surveyed, 2), personas.commander)[0]
    url = row.links["premises_covered"]
    assert list_count(client, url) == 1
    live = reverse("registry:premises_list") + f"?area={row.area.pk}&survey=covered"
    assert list_count(client, live) == 3


def test_the_frozen_figures_match_a_recount_from_the_raw_visits(surveyed, personas):
    """The same figure recomputed in plain Python from the inspections: covered = a covering outcome
    submitted by the report's instant."""
    for n in range(DAYS):
        snapshot = report(surveyed, n)
        instant = dt.datetime.fromisoformat(snapshot.survey["at"])
        covered = {
            premises
            for premises, outcome, submitted in Inspection.objects.values_list(
                "premises_id", "outcome", "submitted_at"
            )
            if outcome in COVERING_OUTCOMES and submitted <= instant
        }
        assert total(snapshot, personas.commander)["premises_covered"] == len(covered), n


def test_a_grid_worker_sees_the_survey_of_their_grid_only(surveyed, district, personas):
    rows = survey.survey_section(report(surveyed, 4), personas.grid_worker)
    assert [row.area for row in rows] == [district.grid_a]
    assert (rows[0].figures["premises"], rows[0].figures["premises_covered"]) == (2, 2)


def test_the_report_page_shows_the_survey_section(surveyed, personas, login):
    response = login(personas.commander).get(
        reverse("reports:day", args=["survey", surveyed.day(3).isoformat()])
    )
    assert_status(response, 200)
    html = response.content.decode()
    assert 'id="survey-table"' in html
    assert "survey_at=" in html


def test_a_report_made_before_surveys_were_frozen_has_no_section(surveyed, personas):
    old = DailySnapshot(campaign=surveyed.campaign, day=surveyed.day(0), survey={})
    assert survey.survey_section(old, personas.commander) == []


def test_the_dashboard_draws_the_survey_curve_from_the_reports(surveyed, personas, login):
    response = login(personas.commander).get(reverse("dashboards:campaign", args=[surveyed.campaign.pk]))
    assert_status(response, 200)
    charts = response.context["charts"]
    premises = charts["survey"]["series"][1]
    assert [point["value"] if point else None for point in premises["data"]] == [0.0, 33.3, 33.3, 66.7, 100.0]
    assert premises["data"][3]["url"].endswith(f"/{surveyed.day(3).isoformat()}/#survey")
    # A grid worker's curve is their grid's: premises_a and shop_a.
    worker = login(personas.grid_worker).get(reverse("dashboards:campaign", args=[surveyed.campaign.pk]))
    mine = worker.context["charts"]["survey"]["series"][1]["data"]
    assert [point["value"] for point in mine] == [0.0, 50.0, 50.0, 100.0, 100.0]
