"""The premises file (一户一档): one premises' whole story as one timeline, newest first.

Registry changes, inspections with their photos, hazards found and how their status moved, the plan
and every move of it, the documents issued, enforcement, proof photos, notes — and whatever another
app registers (contractor bookings, see "Sources" below).

One source per event
--------------------
Services write an audit entry with every change, and some events also have rows of their own, so
each kind of event is told by exactly one source and the other one is left out:

* inspections — the submitted ``Inspection`` row (outcome, inspectors, failed items, photos); its audit
  entries (draft started, submitted) would repeat it.
* hazards — their audit entries: a hazard is one row but several events (found, in rectification,
  awaiting acceptance, accepted, voided), and only the audit trail has each change with its time and
  actor.
* plan moves — ``PlanMove`` (move, from → to, reason, new deadline); the plan's audit entries that
  record a move (its creation, every update that changed ``state``) are left out, while its edits
  (deadline, measures, hazards added, a document reissued) stay as audit entries.
* documents, enforcement, proof photos, notes — their rows; the audit entries of their creation are
  left out (a later correction of an enforcement record still shows as an audit entry).
* registry changes (the premises, its rooms, its tenant households) — their audit entries, with the
  changed fields as the snapshots hold them: personal data stays masked.

Reveals of personal data and exports are not part of a premises' story (the operation log keeps them).

Pagination
----------
One ``UNION ALL`` query over every visible source's ``(time, source, id)`` rows for this premises,
ordered newest first with LIMIT/OFFSET, picks the page; a ``COUNT`` over the same union gives the
total; then each source present on the page fetches its rows by id with ``select_related`` /
``prefetch_related`` in a fixed number of queries. The queries per page are therefore bounded by the
number of sources whatever the length of the file, and a deep page reads no more rows than the
first — unlike fetching the newest ``page × per_page`` rows of every source and slicing the merge,
whose rows read grow with the page number.

Sources (how another app adds one)
----------------------------------
A source is a ``Source`` registered with ``register_source``; the outreach app adds its bookings from
its ``AppConfig.ready()`` without touching this module::

    from firegrid.rectification.premises_file import Entry, Source, register_source

    def booking_rows(premises, user):
        # None hides the kind from this user; otherwise this premises' rows, scoped to the user.
        if not can(user, Action.VIEW, Booking):
            return None
        return Booking.objects.visible_to(user).filter(plan__premises=premises)

    def booking_entries(pks, user):
        # {pk: Entry} for the page's rows, in a fixed number of queries (no query per row).
        return {b.pk: Entry(time=b.created_at, kind="booking", title=…, …)
                for b in Booking.objects.filter(pk__in=pks).select_related("slot__contractor")}

    register_source(Source(
        key="booking", time_field="created_at", rows=booking_rows, build=booking_entries,
        kinds={"booking": _("预约施工")},
        # Audit entries this source already tells (here: the booking's creation). Its later changes
        # (done, cancelled) stay as audit entries, shown under the "booking" kind:
        dedupe_audit=lambda qs: qs.exclude(content_type=ContentType.objects.get_for_model(Booking),
                                           action=AuditAction.CREATE),
        audit_kinds={"outreach.booking": "booking"},
    ))

``time_field`` must be a datetime field of the source's model (the union orders by it). ``build`` gets
only the ids the page needs and must return an ``Entry`` for each.

Modules
-------
``timeline`` (entries, sources, the page query), ``audit`` (the audit-entry source and what it leaves
out), ``sources`` (the other sources rectification registers), ``notes`` (notes and writing one),
``dossier`` (the printed file).
"""

from .dossier import DOSSIER_LIMIT, DOSSIER_PHOTOS_PER_ENTRY, dossier_content
from .notes import add_note, may_read_all_notes
from .sources import register_builtin_sources
from .timeline import (
    KIND_ICONS,
    KIND_LABELS,
    MAX_PER_PAGE,
    PER_PAGE,
    SOURCES,
    Entry,
    Source,
    Thumb,
    TimelinePage,
    all_entries,
    register_source,
    safe_reverse,
    timeline,
)

register_builtin_sources()

__all__ = [
    "DOSSIER_LIMIT",
    "DOSSIER_PHOTOS_PER_ENTRY",
    "KIND_ICONS",
    "KIND_LABELS",
    "MAX_PER_PAGE",
    "PER_PAGE",
    "SOURCES",
    "Entry",
    "Source",
    "Thumb",
    "TimelinePage",
    "add_note",
    "all_entries",
    "dossier_content",
    "may_read_all_notes",
    "register_source",
    "safe_reverse",
    "timeline",
]
