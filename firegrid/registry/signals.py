"""Signals other apps listen to, so the registry need not know them.

`tenant_moved(sender=TenantHousehold, household, move, actor)`: sent by `services.register_move_in` and
`services.register_move_out` inside the move's transaction, after the household is saved and audited;
`move` is `"in"` or `"out"`. The premises' current occupancy has changed: apps above the registry (risk
grades) react to it. A receiver that raises rolls the move back, so receivers that need not succeed
with it run after commit.
"""

from django.dispatch import Signal

tenant_moved = Signal()
