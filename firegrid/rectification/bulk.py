"""起草整改方案 as an action on hazards ticked in the hazard list (`core.bulk`), handed to inspections
from `apps.py` (inspections sits below and never imports rectification). Loads no view: it is imported
while apps are readied. The view that takes the post is `views.drafting`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from firegrid.core.bulk import BulkAction
from firegrid.core.permissions import Action, can

from . import services
from .models import Plan

if TYPE_CHECKING:
    from collections.abc import Sequence

    from firegrid.areas.models import User
    from firegrid.inspections.models import Hazard


def may_draft(user: User) -> bool:
    """The role table's answer, as on the premises page's 制定整改方案."""
    return can(user, Action.ADD, Plan)


def plannable(user: User, hazards: Sequence[Hazard]) -> set[int]:
    # The rows come from the user's scoped list; the service checks scope again when they are posted.
    return services.plannable_hazard_ids(h.pk for h in hazards)


DRAFT_PLAN = BulkAction(
    name="draft_plan",
    label=_("起草整改方案"),
    url_name="rectification:plan_draft",
    allowed=may_draft,
    selectable=plannable,
    help=_("勾选同一出租户的待整改隐患，起草一份整改方案；在方案页送达通知时出具整改通知书。"),
)
