"""What an entry's source is and where it is shown: its own page when it has one (`get_absolute_url`),
else the page that shows it (a plan move on its plan, a verification on its inspection, a hazard on the
hazard page, a premises' missed self-inspection on the premises page). Both are stored with the entry, so
a list of entries needs no query per row."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.urls import NoReverseMatch, reverse

# model label → the page that shows a row of it.
PAGES: dict[str, Callable[[models.Model], str]] = {
    "inspections.hazard": lambda o: reverse("inspections:hazard_detail", args=[o.pk]),
    "inspections.inspection": lambda o: reverse("inspections:inspection_detail", args=[o.pk]),
    "registry.premises": lambda o: reverse("registry:premises_detail", args=[o.pk]),
    "registry.tenanthousehold": lambda o: reverse("registry:tenanthousehold_detail", args=[o.pk]),
    "rectification.planmove": lambda o: reverse("rectification:plan_detail", args=[o.plan_id]),  # type: ignore[attr-defined]
    "longterm.verification": lambda o: reverse(
        "inspections:inspection_detail",
        args=[o.inspection_id],  # type: ignore[attr-defined]
    ),
    "longterm.selfinspection": lambda o: reverse(
        "registry:premises_detail",
        args=[o.premises_id],  # type: ignore[attr-defined]
    ),
    "longterm.selfinspectionmiss": lambda o: reverse(
        "registry:premises_detail",
        args=[o.premises_id],  # type: ignore[attr-defined]
    ),
    "patrols.patrol": lambda o: reverse("patrols:patrol_detail", args=[o.pk]),
    "points.pointsentry": lambda o: reverse("points:landlord_points", args=[o.landlord_id]),  # type: ignore[attr-defined]
}


def source_url(source: models.Model | None) -> str:
    if source is None:
        return ""
    page = PAGES.get(source._meta.label_lower)
    try:
        if page is not None:
            return page(source)
        absolute = getattr(source, "get_absolute_url", None)
        return str(absolute()) if callable(absolute) else ""
    except NoReverseMatch:
        return ""


def source_label(source: models.Model | None) -> str:
    if source is None:
        return ""
    return f"{source._meta.verbose_name} {source}"[:200]


def describe(source: models.Model | None) -> tuple[str, str]:
    """(url, label) of an entry's source, as stored with it."""
    return source_url(source)[:200], source_label(source)
