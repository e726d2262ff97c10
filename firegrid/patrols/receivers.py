"""A submitted inspection (`inspections.signals.inspection_submitted`, inside its transaction): it follows
up the patrol findings of its premises, and the fabrication checks look at it — its pace, and its photos'
fingerprints against the grid's recent photos.

Inside the transaction because each is cheap (a few indexed queries; a photo's hash reads a JPEG at 1/8
scale) and belongs to what the submit settled: the queue item a finding made goes with it for everyone.
A photo whose file cannot be read is skipped, so a check never fails a submission.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.dispatch import receiver

from firegrid.inspections.signals import inspection_submitted

from . import checks, services

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.inspections.models import Inspection


@receiver(inspection_submitted, dispatch_uid="patrols.inspection_submitted")
def inspection_submitted_checks(
    sender: type[Inspection], inspection: Inspection, actor: User, **kwargs: Any
) -> None:
    services.follow_up_findings(inspection, actor=actor)
    checks.check_inspection_pace(inspection, actor=actor)
    checks.fingerprint_inspection(inspection)
