"""Builders for the work queue's tests: grades and visits written as scenes (no services, no audit)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from firegrid.inspections.choices import (
    RETURN_VISIT_DAYS,
    RETURN_VISIT_OUTCOMES,
    InspectionKind,
    InspectionStatus,
)
from firegrid.inspections.models import Inspection
from firegrid.inspections.return_visits import answer_on_submit
from firegrid.inspections.services import default_template
from firegrid.registry.models import Building
from firegrid.risk.choices import GRADE_RANK, RiskGrade
from firegrid.risk.models import PremisesGrade
from firegrid.risk.services import default_rule_set

RED_LINES = {"msgid": "%(n)s 项红线隐患未消除", "params": {"n": 2}, "weight": 60}


def grade(premises, colour: str = RiskGrade.RED, *, overdue: int = 0, reasons=(), last=None) -> PremisesGrade:
    """A grade whose re-inspection was due `overdue` days ago (0: due today; negative: not yet due)."""
    return PremisesGrade.objects.create(
        premises=premises,
        grade=colour,
        rank=GRADE_RANK[RiskGrade(colour)],
        score=60,
        reasons=list(reasons),
        rule_set=default_rule_set(),
        computed_at=timezone.now(),
        last_covering_inspection_at=last,
        next_due=timezone.localdate() - dt.timedelta(days=overdue),
    )


def visit(
    premises, outcome: str, *, days_ago: int = 0, kind: str = InspectionKind.SURVEY, by=None
) -> Inspection:
    """A submitted visit `days_ago`; a locked / not found / renovating one owes a return visit 3 days on.
    Like the submit service, it answers the premises' earlier return visits."""
    when = timezone.now() - dt.timedelta(days=days_ago)
    inspection = Inspection.objects.create(
        premises=premises,
        building=premises.building,
        kind=kind,
        template=default_template(),
        status=InspectionStatus.SUBMITTED,
        outcome=outcome,
        started_at=when - dt.timedelta(minutes=20),
        submitted_at=when,
        return_visit_due=(
            timezone.localdate(when) + dt.timedelta(days=RETURN_VISIT_DAYS)
            if outcome in RETURN_VISIT_OUTCOMES
            else None
        ),
    )
    answer_on_submit(inspection, when)
    if by is not None:
        inspection.inspectors.add(by)
    return inspection


def place(building: Building, lat: str, lng: str) -> Building:
    building.latitude, building.longitude = Decimal(lat), Decimal(lng)
    building.save(update_fields=["latitude", "longitude"])
    return building


# A phone camera for the browser tests (headless Chromium has neither BarcodeDetector nor a camera): a
# BarcodeDetector that finds nothing on its first look and `code` on the next, and a camera stream drawn
# from a canvas. Added to a page with `page.add_init_script(FAKE_CAMERA.replace("CODE", code))`.
FAKE_CAMERA = """
window.BarcodeDetector = class {
  constructor() { this.looks = 0; }
  async detect() { this.looks += 1; return this.looks < 2 ? [] : [{ rawValue: "CODE" }]; }
};
const fakeCamera = async () => {
  const canvas = document.createElement("canvas");
  canvas.getContext("2d").fillRect(0, 0, 10, 10);
  return canvas.captureStream();
};
if (navigator.mediaDevices) {
  navigator.mediaDevices.getUserMedia = fakeCamera;
} else {
  Object.defineProperty(navigator, "mediaDevices", { value: { getUserMedia: fakeCamera } });
}
"""
