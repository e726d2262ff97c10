"""Builders for rectification tests: an inspection that fails the given items, a plan ready to move."""

from __future__ import annotations

from firegrid.inspections import services as inspections
from firegrid.inspections.choices import AnswerResult, InspectionKind, VisitOutcome

from . import services


def inspect(premises, *, actor, kind=InspectionKind.SURVEY, fail=()):
    """Submit an inspection of `premises` that passes every applicable item except the codes in `fail`."""
    inspection = inspections.start_inspection(actor=actor, premises=premises, kind=kind)
    answers = [
        inspections.AnswerInput(item.code, AnswerResult.FAIL if item.code in fail else AnswerResult.PASS)
        for item in inspection.applicable_items()
    ]
    return inspections.submit_inspection(
        inspection, actor=actor, outcome=VisitOutcome.INSPECTED, answers=answers
    )


FAILING = ("SEP-01", "EXIT-03")


def plan_with_hazards(premises, *, actor, fail=FAILING):
    inspect(premises, actor=actor, fail=fail)
    return services.create_plan(premises, actor=actor)
