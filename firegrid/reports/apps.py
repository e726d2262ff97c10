from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_triggers(using: str = "default", **kwargs: Any) -> None:
    """After every migrate (and flush): the reports' triggers are in place (SQLite drops a table's triggers
    when a migration rebuilds it; installing again is harmless)."""
    from .immutability import install

    install(connections[using])


class ReportsConfig(AppConfig):
    name = "firegrid.reports"
    label = "reports"
    verbose_name = _("日报")

    def ready(self) -> None:
        from firegrid.campaigns.corrections import register_corrector

        from .services import correct_last_day

        # Campaigns sit below reports: a change to an ended campaign's targets asks through this hook for
        # the correction of its last daily report.
        register_corrector(correct_last_day)
        post_migrate.connect(ensure_triggers, sender=self, dispatch_uid="reports.ensure_triggers")
