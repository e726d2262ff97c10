from django.dispatch import receiver

from firegrid.inspections.signals import inspection_submitted

from . import services


@receiver(inspection_submitted, dispatch_uid="rectification.conclude_inspection")
def conclude_inspection(sender, inspection, actor, **kwargs) -> None:
    services.conclude_inspection(inspection, actor=actor)
