"""Signals other apps listen to, so inspections need not know about them (rectification plans)."""

from django.dispatch import Signal

# Sent inside the submit's transaction with `inspection` and `actor`, after its hazards were updated.
inspection_submitted = Signal()
