"""Self-inspection operations (callers use `services.<name>`): submitting.py (a landlord's self-inspection
with its photos), sampling.py (the monthly verification draw, verifying by a grid worker's inspection),
misses.py (reminders before a period ends, misses recorded after it)."""

from .misses import (
    REMINDER_KIND,
    record_missed_self_inspections,
    remind_self_inspections,
    reminder_key,
)
from .sampling import (
    UNGRADED,
    WATCH,
    default_seed,
    draw_sample,
    draw_verifications,
    record_verifications,
    watched_premises_ids,
)
from .submitting import discard_pending_photos, photo_field, submit_self_inspection

__all__ = [
    "REMINDER_KIND",
    "UNGRADED",
    "WATCH",
    "default_seed",
    "discard_pending_photos",
    "draw_sample",
    "draw_verifications",
    "photo_field",
    "record_missed_self_inspections",
    "record_verifications",
    "remind_self_inspections",
    "reminder_key",
    "submit_self_inspection",
    "watched_premises_ids",
]
