"""The one scope mechanism: every scoped model's manager offers `visible_to(user, action)`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self, TypeVar, cast

from django.db import models
from django.db.models import Q

from firegrid.core.permissions import Action, can

if TYPE_CHECKING:
    from firegrid.areas.models import User

_M = TypeVar("_M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[_M]):
    """A queryset that can restrict itself to what a user may see or do.

    Subclasses implement `scope_q(user)`: the rows of this model inside the user's scope, for a user
    whose role is not district-wide. Pages, API, exports and reports all call `visible_to`. Which roles
    are district-wide is the user's to answer (`User.is_district_wide`, areas app): core names no role.
    """

    def scope_q(self, user: User) -> Q:
        raise NotImplementedError

    def visible_to(self, user: User, action: str = Action.VIEW) -> Self:
        if not can(user, action, self.model):
            return self.none()
        if user.is_district_wide:
            return self.all()
        return self.filter(self.scope_q(user))


NOTHING = Q(pk__in=[])


def scoped_rows(model: type[_M]) -> ScopedQuerySet[_M]:
    """All rows of a scoped model, for code that holds the model only as a type (the shared services).

    Every scoped model's one manager, `objects`, is made by `ScopedQuerySet.as_manager()`, so its default
    manager's queryset is a `ScopedQuerySet`; the type checker cannot see that through `type[Model]`.
    """
    return cast(ScopedQuerySet[_M], model._default_manager.all())
