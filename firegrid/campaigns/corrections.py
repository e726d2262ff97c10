"""A change to an ended campaign's membership is never silent: it makes a correction of the campaign's
daily report for its last day (a new version, with the change's reason).

The daily report lives in `firegrid.reports`, above campaigns in the layers, so campaigns asks through this
hook; reports registers the answer from its `AppConfig.ready()`. Without an answer a change to an ended
campaign is refused (ImproperlyConfigured), not made silently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from firegrid.areas.models import User

    from .models import Campaign

# (campaign, actor, reason) → makes the correction of the campaign's last day, inside the caller's transaction.
Corrector = Callable[["Campaign", "User", str], object]

_corrector: Corrector | None = None


def register_corrector(corrector: Corrector | None) -> None:
    """Name the function that corrects an ended campaign's last report (None forgets it)."""
    global _corrector
    _corrector = corrector


def correct_last_day(campaign: Campaign, *, actor: User, reason: str) -> None:
    """Make the correction of the campaign's last day: called by every membership change of an ended
    campaign, inside its transaction (the change and its correction commit together or not at all)."""
    if _corrector is None:
        raise ImproperlyConfigured(
            "no daily-report corrector registered: firegrid.reports registers one in its AppConfig.ready()"
        )
    _corrector(campaign, actor, reason)
