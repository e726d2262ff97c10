"""The portal frame's per-device preferences: whether 长辈模式 is on (firegrid.portal.prefs)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from ..prefs import elder_mode as elder_mode_on

register = template.Library()


@register.simple_tag(takes_context=True)
def elder_mode(context: dict[str, Any]) -> bool:
    request = context.get("request")
    return request is not None and elder_mode_on(request)


@register.simple_tag(takes_context=True)
def back_here(context: dict[str, Any]) -> str:
    """Where a preference switch returns: this page; a page answering a POST (a form shown again with its
    errors) cannot be fetched again, so the portal's home then."""
    request = context.get("request")
    if request is not None and request.method == "GET":
        return str(request.get_full_path())
    return reverse("portal:home")
