"""The one scope mechanism: every scoped model's manager offers `visible_to(user, action)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from firegrid.areas.choices import DISTRICT_WIDE_ROLES
from firegrid.core.permissions import Action, can

if TYPE_CHECKING:
    from firegrid.areas.models import User


class ScopedQuerySet(models.QuerySet):
    """A queryset that can restrict itself to what a user may see or do.

    Subclasses implement `scope_q(user)`: the rows of this model inside the user's scope, for a user
    whose role is not district-wide. Pages, API, exports and reports all call `visible_to`.
    """

    def scope_q(self, user: User) -> Q:
        raise NotImplementedError

    def visible_to(self, user: User, action: str = Action.VIEW) -> ScopedQuerySet:
        if not can(user, action, self.model):
            return self.none()
        if user.is_superuser or user.role in DISTRICT_WIDE_ROLES:
            return self.all()
        return self.filter(self.scope_q(user))


NOTHING = Q(pk__in=[])
