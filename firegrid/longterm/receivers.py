"""A grid worker's submitted inspection verifies the drawn self-inspections of its premises.

Run inside the inspection's transaction (unlike grading, which waits for the commit): the verification is
part of what the inspection settled, and the queue item it answers must go with it, for every worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.dispatch import receiver

from firegrid.inspections.signals import inspection_submitted

from . import services

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.inspections.models import Inspection


@receiver(inspection_submitted, dispatch_uid="longterm.verify_self_inspections")
def verify_self_inspections(
    sender: type[Inspection], inspection: Inspection, actor: User, **kwargs: Any
) -> None:
    services.record_verifications(inspection, actor=actor)
