"""API of rectification: plans (make, edit, move, pledge), their documents (PDF, reissue), proof photos,
enforcement actions and the escalation ladder.

Lists, details and history come from the scoped base viewsets. A plan changes only through
`firegrid.rectification.services`. Who may make a move, sign the pledge, add a proof photo or reissue
a document is the services' decision (the state machine's, not the role table's): those endpoints need
only sight of the object, and the service answers 403.

Modules: `plans` (plans and their moves), `documents` (documents, proof photos), `enforcement`
(enforcement actions, the escalation ladder), `common` (shared permissions and documented errors);
`register` adds their viewsets to the /api/v1/ router.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .documents import DocumentViewSet, PlanItemViewSet
from .enforcement import EnforcementActionViewSet, EscalationStepViewSet
from .plans import PlanViewSet

if TYPE_CHECKING:
    from rest_framework.routers import BaseRouter


def register(router: BaseRouter) -> None:
    router.register("plans", PlanViewSet, basename="plans")
    router.register("plan-documents", DocumentViewSet, basename="plan-documents")
    router.register("plan-items", PlanItemViewSet, basename="plan-items")
    router.register("enforcement-actions", EnforcementActionViewSet, basename="enforcement-actions")
    router.register("escalation-steps", EscalationStepViewSet, basename="escalation-steps")
