"""{% load help_links %}: the 帮助 link of the staff frame, opening the reader's own guide first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.urls import reverse

from ..help import ROLE_GUIDE

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from firegrid.areas.models import User

register = template.Library()


@register.filter
def help_url(user: User | AnonymousUser) -> str:
    slug = ROLE_GUIDE.get(getattr(user, "role", ""))
    return reverse("pages:help_guide", args=[slug]) if slug else reverse("pages:help")
