from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.registry.models import Premises


class MonitoringConfig(AppConfig):
    """物联感知: sensors in premises, the MQTT ingester that records what they send, and the alert cases an
    alarm opens for the grid worker to acknowledge, visit and close."""

    name = "firegrid.monitoring"
    label = "monitoring"
    verbose_name = _("物联感知")

    def ready(self) -> None:
        # Alert cases waiting for a visit or an inspection are work-queue items (报警待核查, 报警后待检查).
        # The grants are in the one role table (firegrid.areas.permissions, MONITORING_ACTIONS).
        from firegrid.longterm.queue import register_queue_source

        from .followup import ALARM_SOURCE

        register_queue_source(ALARM_SOURCE)

        # The registry sits below this app: its premises page gets the 登记设备 link from here.
        from firegrid.registry.views import register_premises_page_part

        register_premises_page_part("monitoring", _premises_page_part)
        # An alarm that found something feeds the premises' grade (risk_hooks.py) and waits for the
        # inspection that follows it up (receivers.py).
        from . import receivers, risk_hooks  # noqa: F401

        risk_hooks.register()

        # The development server (`make run`) ingests sensor messages beside the embedded scheduler.
        import sys

        from firegrid.jobs import scheduler

        if scheduler.should_start() and "runserver" in sys.argv[1:2]:
            from . import embedded

            embedded.start()


def _premises_page_part(premises: Premises, user: User) -> dict[str, Any]:
    """登记设备 on a premises page (the premises filled in), for a role that may register devices."""
    from django.urls import reverse

    from firegrid.core.permissions import Action, can

    from .models import Device

    if not can(user, Action.ADD, Device):
        return {}
    return {"device_add_url": f"{reverse('monitoring:device_add')}?premises={premises.pk}"}
