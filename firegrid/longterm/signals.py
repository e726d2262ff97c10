"""Signals of the long-term mechanism that later parts connect to (points, 积分, listens to both).

`self_inspection_contradicted`: a verification visit found an item the landlord declared fine failing — a
false self-report costs points. Sent inside the transaction that recorded the verification, with
`verification` (a `Verification`) and `actor` (the inspector).

`self_inspection_missed`: a premises owed a self-inspection for a period and none was made — recorded at
the start of the next period by the job `longterm.record_missed_self_inspections`. Sent once per
`SelfInspectionMiss`, inside the transaction that recorded it, with `sender=SelfInspection`, `premises`,
`landlord`, `period` (the period's first day), `miss` (the `SelfInspectionMiss`) and `actor` (None: the job).
"""

from django.dispatch import Signal

self_inspection_contradicted = Signal()
self_inspection_missed = Signal()
