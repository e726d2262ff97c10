"""Signals of patrols that other parts connect to.

`patrol_completed` is sent inside the transaction that finishes a patrol, with `patrol` (a `Patrol`),
`participants` (list of the users who scanned on it) and `actor` (who finished it; None when the system
did). Points for taking part (积分) are given by the app that listens to it; patrols knows nothing of
points. It is about outcomes, never a ranking of anyone's check-ins.
"""

from django.dispatch import Signal

patrol_completed = Signal()
