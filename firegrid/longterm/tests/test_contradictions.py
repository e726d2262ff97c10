"""After a verification visit contradicts a self-report, a full inspection is due: the premises is graded red
with the reason 自查与核实不符 for the watch months (risk's hooks), so its next full re-inspection falls due
the red interval after the visit and enters the work queue then; the reason goes when the watch ends."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from firegrid.longterm import services
from firegrid.longterm.choices import QueueKind
from firegrid.longterm.contradictions import REASON, shift_months, watch_until
from firegrid.longterm.queue import work_queue
from firegrid.rectification.testing import inspect
from firegrid.risk import services as risk
from firegrid.risk.choices import GradeCause, RiskGrade
from firegrid.risk.models import PremisesGrade
from firegrid.risk.rules import FACT_PROVIDERS, register_rule

from .self_checks import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(district, personas, checklist):
    row = submit(district.premises_a, personas.landlord)
    services.draw_verifications(row.period, actor=None, rate=1, seed=1)
    return row


def reasons(premises) -> list[str]:
    return [r["msgid"] for r in PremisesGrade.objects.get(premises=premises).reasons]


def test_the_rule_is_registered_with_risk():
    from firegrid.longterm.contradictions import FACT, contradiction_facts, contradiction_rule

    assert FACT_PROVIDERS[FACT] is contradiction_facts
    register_rule(contradiction_rule)  # already registered: not added twice
    from firegrid.risk.rules import EXTRA_RULES

    assert EXTRA_RULES.count(contradiction_rule) == 1


def test_a_contradiction_makes_the_premises_red_and_its_next_full_inspection_due_in_the_red_interval(
    drawn, district, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit = inspect(district.premises_a, actor=personas.grid_worker, fail=("EQUIP-03",))
    grade = PremisesGrade.objects.get(premises=district.premises_a)
    visited = timezone.localdate(visit.submitted_at)
    assert grade.grade == RiskGrade.RED
    stored = next(r for r in grade.reasons if r["msgid"] == REASON)
    assert stored["params"] == {"date": visited.isoformat(), "until": watch_until(visited).isoformat()}
    assert stored["weight"] >= 50  # the red cut-off of the default rule set
    assert "自查与核实不符" in " ".join(grade.reason_texts())
    # The visit was itself a full inspection; the next one is due the red interval (30 days) after it.
    assert grade.next_due == visited + dt.timedelta(days=30)
    queue = work_queue(personas.grid_worker, today=grade.next_due)
    item = next(i for i in queue.items if i.id == district.premises_a.pk)
    assert QueueKind.DUE in item.kinds


def test_a_visit_that_agrees_adds_no_reason(drawn, district, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inspect(district.premises_a, actor=personas.grid_worker, fail=("SEP-01",))
    assert REASON not in reasons(district.premises_a)


def test_the_reason_lasts_the_watch_months_then_goes(
    drawn, district, personas, settings, django_capture_on_commit_callbacks
):
    settings.FIREGRID_SELF_INSPECTION_WATCH_MONTHS = 2
    with django_capture_on_commit_callbacks(execute=True):
        visit = inspect(district.premises_a, actor=personas.grid_worker, fail=("EQUIP-01",))
    visited = timezone.localdate(visit.submitted_at)
    last_day = watch_until(visited) - dt.timedelta(days=1)
    noon = dt.time(12)
    risk.recompute_grades(
        [district.premises_a.pk],
        cause=GradeCause.NIGHTLY,
        now=timezone.make_aware(dt.datetime.combine(last_day, noon)),
    )
    assert REASON in reasons(district.premises_a)
    risk.recompute_grades(
        [district.premises_a.pk],
        cause=GradeCause.NIGHTLY,
        now=timezone.make_aware(dt.datetime.combine(watch_until(visited), noon)),
    )
    assert REASON not in reasons(district.premises_a)


def test_months_are_shifted_to_the_same_day_or_the_months_last():
    assert shift_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert shift_months(dt.date(2026, 8, 15), 6) == dt.date(2027, 2, 15)
    assert shift_months(dt.date(2026, 3, 31), -1) == dt.date(2026, 2, 28)
