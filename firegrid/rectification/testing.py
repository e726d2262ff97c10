"""Builders for rectification tests: an inspection that fails the given items, a plan ready to move."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from firegrid.inspections import services as inspections
from firegrid.inspections.choices import AnswerResult, InspectionKind, VisitOutcome

from . import services

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.inspections.models import Inspection
    from firegrid.registry.models import Premises

    from .models import Plan


def inspect(
    premises: Premises, *, actor: User, kind: str = InspectionKind.SURVEY, fail: Collection[str] = ()
) -> Inspection:
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


def plan_with_hazards(premises: Premises, *, actor: User, fail: Collection[str] = FAILING) -> Plan:
    inspect(premises, actor=actor, fail=fail)
    return services.create_plan(premises, actor=actor)
