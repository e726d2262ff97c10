"""The nightly recomputation of every premises' grade (00:30 Asia/Shanghai, after the overdue marking
at 00:05): time passes (days since the last inspection, due dates) even when nothing else changes.

Idempotent: a row is written only when it changed, so a second run for the same day writes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from firegrid.areas.models import Area
from firegrid.jobs import job
from firegrid.registry.models import Premises

from . import services
from .choices import GradeCause

if TYPE_CHECKING:
    from firegrid.jobs.models import JobRun


@job("risk.recompute_grades", schedule="30 0 * * *", label=gettext_lazy("重算出租户风险等级"))
def recompute_grades(
    run: JobRun, cause: str = GradeCause.NIGHTLY, areas: list[int] | None = None, **params: Any
) -> dict[str, Any]:
    """Every premises, or those of `areas` (area ids: a key area designated or changed)."""
    premises = Premises.objects.all()
    if areas is not None:
        grid_ids = [g for area in Area.objects.filter(pk__in=areas) for g in area.grid_ids()]
        premises = premises.filter(building__grid_id__in=grid_ids)
    result = services.recompute_grades(
        premises,
        cause=cause,
        now=timezone.now(),
        progress=lambda done, total: run.progress(done, total),
    )
    return result.as_dict()
