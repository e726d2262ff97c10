from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.dispatch import receiver

from firegrid.inspections.signals import inspection_submitted

from . import services

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.inspections.models import Inspection


@receiver(inspection_submitted, dispatch_uid="rectification.conclude_inspection")
def conclude_inspection(sender: type[Inspection], inspection: Inspection, actor: User, **kwargs: Any) -> None:
    services.conclude_inspection(inspection, actor=actor)
