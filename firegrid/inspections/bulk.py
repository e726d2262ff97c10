"""What can be done with hazards ticked in the hazard list. The actions belong to the apps above
(rectification's 起草整改方案), which register them from their `AppConfig.ready()`: inspections never
imports them. Kept apart from views.py so that registering loads no view (nor DRF) while apps are readied.
"""

from __future__ import annotations

from firegrid.core.bulk import BulkAction

_HAZARD_ACTIONS: dict[str, BulkAction] = {}


def register_hazard_action(action: BulkAction) -> None:
    """Offer `action` on the hazard list's ticked rows (registered again under the same name: replaced)."""
    _HAZARD_ACTIONS[action.name] = action


def hazard_actions() -> list[BulkAction]:
    return list(_HAZARD_ACTIONS.values())
