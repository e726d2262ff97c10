"""Signals of the long-term mechanism that later parts connect to.

`self_inspection_contradicted` is the hook for points (积分, not built yet): a verification visit found an
item the landlord declared fine failing — a false self-report costs points. Sent inside the transaction
that recorded the verification, with `verification` (a `Verification`) and `actor` (the inspector).
"""

from django.dispatch import Signal

self_inspection_contradicted = Signal()
