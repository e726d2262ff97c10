"""The request a signed-in page or endpoint works with, for the type checker.

Django types `request.user` as `User | AnonymousUser`; behind `LoginRequiredMixin`, `login_required` or
DRF's `IsAuthenticated` it is always a `User`. Views annotate their request (or a class-based view its
`request` attribute) with `AuthedHttpRequest`, API views with `AuthedRequest`, to say so. Django and DRF
still build their own request objects: these classes exist for annotations only and are never
instantiated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    # Core sits below the areas app (which owns users): a type-only import, allowed by the layer contract.
    from firegrid.areas.models import User


class AuthedHttpRequest(HttpRequest):
    user: User
    htmx: HtmxDetails  # set on every request by django_htmx's middleware


class AuthedRequest(Request):
    """The same for a DRF request: behind `IsAuthenticated` its user is a `User`."""

    user: User
