"""Signals of monitoring, for higher layers (and a future hazard/risk hook) to react to.

`alert_case_closed(sender=AlertCase, case, actor)`: sent inside the transaction that closes a case with
its outcome. Opening hazards from an outcome (an electrical fault, e-bike charging indoors) and feeding
the risk grade are not done here: connect a receiver to this signal.
"""

from django.dispatch import Signal

alert_case_closed = Signal()
