"""Scheduled work of monitoring: silent devices go offline."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from firegrid.jobs import job
from firegrid.jobs.models import JobRun

from . import services


@job("monitoring.mark_offline", schedule="*/5 * * * *", label=gettext_lazy("标记离线传感器"))
def mark_offline(run: JobRun, **params: Any) -> dict[str, Any]:
    """Every five minutes: devices silent for N heartbeat intervals go offline (idempotent: an offline
    device is left alone)."""
    return {"offline": services.mark_offline(timezone.now())}
